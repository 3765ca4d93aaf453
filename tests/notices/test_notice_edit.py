"""Editing a notice keeps its history: who changed what, before and after, and why."""

from notices.models import Notice, NoticeAudience
from portal.lib.models import AuditEvent
from tests.notices.conftest import csrf_client, csrf_post
from tests.notices.notice_forms import notice_data


def _create(world):
    client = csrf_client(world.registrar)
    csrf_post(client, "/notices/manage/new/", notice_data())
    return client, Notice.objects.get()


def _edit_data(notice, **overrides):
    data = notice_data(**overrides)
    data["audience-INITIAL_FORMS"] = "0"
    return data


def test_an_edit_is_recorded_with_before_and_after(world):
    client, notice = _create(world)

    response = csrf_post(
        client,
        f"/notices/manage/{notice.pk}/edit/",
        _edit_data(notice, title="关于做好2019届毕业证图像信息校对的通知", reason="只涉及2019届"),
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="notices.edited")
    assert event.changes["title"] == [
        "关于做好2018、2019届毕业证图像信息校对的通知",
        "关于做好2019届毕业证图像信息校对的通知",
    ]
    assert event.reason == "只涉及2019届"
    assert event.actor == world.registrar


def test_a_changed_audience_is_in_the_history_too(world):
    client, notice = _create(world)

    csrf_post(
        client,
        f"/notices/manage/{notice.pk}/edit/",
        _edit_data(notice, **{"audience-1-graduation_year": ""}),
    )

    event = AuditEvent.objects.get(action="notices.edited")
    assert event.changes["audience"] == ["2018届；2019届", "2018届"]
    assert list(NoticeAudience.objects.values_list("graduation_year", flat=True)) == [2018]


def test_the_history_shows_on_the_notice_page(world):
    client, notice = _create(world)
    csrf_post(client, f"/notices/manage/{notice.pk}/edit/", _edit_data(notice, signed_by="查金旺"))

    page = client.get(f"/notices/manage/{notice.pk}/").content.decode()

    assert "修改记录" in page and "查金旺" in page and "李其琛" in page


def test_saving_without_change_adds_no_history(world):
    client, notice = _create(world)

    csrf_post(client, f"/notices/manage/{notice.pk}/edit/", _edit_data(notice))

    assert not AuditEvent.objects.filter(action="notices.edited").exists()


def test_another_universitys_registrar_gets_404(client_for, world):
    _client, notice = _create(world)

    assert (
        client_for(world.other_registrar).get(f"/notices/manage/{notice.pk}/edit/").status_code
        == 404
    )


def test_the_history_names_a_choice_not_its_code(world):
    """状态 and 校对任务 changes read 草稿 → 已发布, not draft → published."""
    from notices.services.notices import notice_publish

    client, notice = _create(world)
    notice_publish(notice=notice, by=world.registrar)

    page = client.get(f"/notices/manage/{notice.pk}/").content.decode()

    assert "<td>草稿</td><td>已发布</td>" in page
    assert "<td>draft</td>" not in page and "<td>published</td>" not in page
    # The contacts table and the free text beside it are two lines, each by its own name.
    created = page[page.rindex("新建通知") :]
    assert created.count('<th scope="row">联系方式</th>') == 1
    assert '<th scope="row">其他说明</th>' in created
