"""Her own 有误 report, on her 学籍信息 and 学历信息 pages, names each field she reported
("专业：软件技术 → 计算机软件"), not only the two values."""

import pytest

from records.models import DiscrepancyItem, DiscrepancyReport
from tests import factories

pytestmark = pytest.mark.django_db


def test_her_records_page_names_the_field_of_her_report(client_for, world):
    report = DiscrepancyReport.objects.create(record=world.alice_record, user=world.alice)
    DiscrepancyItem.objects.create(
        report=report, field="name", current_value="李晓梅", claimed_value="李小梅"
    )

    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "姓名：李晓梅 → 李小梅" in page


def test_her_degree_page_names_the_field_of_her_report(client_for, world):
    degree = factories.degree(world.institution, record=world.alice_record)
    report = DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    DiscrepancyItem.objects.create(
        report=report, field="major_name", current_value=degree.major_name, claimed_value="会计"
    )

    page = client_for(world.alice).get(f"/records/degrees/{degree.pk}/").content.decode()

    assert f"专业：{degree.major_name} → 会计" in page
