"""各省市图像采集单位 联系方式: a public page, grouped by province."""

from imaging.models import CollectionUnit


def test_anyone_sees_every_unit_grouped_by_province(client, jiangxi_unit):
    CollectionUnit.objects.create(
        province="410000",
        name="新华社河南分社图像采集中心",
        address="郑州市二七区紫荆山与花园路交叉口向北200米路西",
        phone="65975186、65582410",
    )

    page = client.get("/photos/units/").content.decode()

    assert "各省市图像采集单位 联系方式" in page
    assert page.index("河南省") < page.index("新华社河南分社图像采集中心")
    assert "65975186、65582410" in page
    assert jiangxi_unit.hours in page and jiangxi_unit.notes in page
    assert 'href="#province-360000"' in page


def test_with_no_unit_the_page_says_whom_to_ask(client, db):
    page = client.get("/photos/units/").content.decode()

    assert "暂无登记的图像采集单位" in page


def test_a_province_asked_for_comes_first_or_is_said_to_be_missing(client, jiangxi_unit):
    CollectionUnit.objects.create(province="110000", name="北京采集点", address="北京", phone="1")

    first = client.get("/photos/units/?province=360000").content.decode()
    missing = client.get("/photos/units/?province=410000").content.decode()

    assert first.index(jiangxi_unit.name) < first.index("北京采集点")
    assert "河南省的图像采集单位暂未登记" in missing
