"""Publishing asks once more, then students see the notice; withdrawing takes it away."""

from notices.models import FeedbackSheet, NoticeState
from portal.lib.models import AuditEvent
from tests.notices.conftest import csrf_client, csrf_post, make_notice


def test_publishing_asks_a_second_time(client_for, world):
    notice = make_notice(world, state=NoticeState.DRAFT)

    page = client_for(world.registrar).get(f"/notices/manage/{notice.pk}/publish/").content.decode()

    assert "确定发布" in page
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT


def test_publishing_makes_it_public_and_creates_the_class_sheets(client, world):
    notice = make_notice(world, state=NoticeState.DRAFT)
    registrar = csrf_client(world.registrar)

    csrf_post(registrar, f"/notices/manage/{notice.pk}/publish/")

    notice.refresh_from_db()
    assert notice.state == NoticeState.PUBLISHED and notice.published_at
    assert client.get(f"/notices/{notice.pk}/").status_code == 200
    assert FeedbackSheet.objects.filter(notice=notice).count() == 3
    assert AuditEvent.objects.filter(action="notices.published").exists()


def test_publishing_needs_the_csrf_token(world):
    notice = make_notice(world, state=NoticeState.DRAFT)

    response = csrf_client(world.registrar).post(f"/notices/manage/{notice.pk}/publish/")

    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT


def test_a_draft_is_not_public(client, world):
    notice = make_notice(world, state=NoticeState.DRAFT)

    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert notice.title not in client.get("/notices/").content.decode()


def test_withdrawing_needs_a_reason_and_takes_the_notice_away(client, world):
    notice = make_notice(world)
    registrar = csrf_client(world.registrar)

    empty = csrf_post(registrar, f"/notices/manage/{notice.pk}/withdraw/", {"reason": ""})
    csrf_post(registrar, f"/notices/manage/{notice.pk}/withdraw/", {"reason": "时间有误，重新发布"})

    assert empty.status_code == 200
    notice.refresh_from_db()
    assert notice.state == NoticeState.WITHDRAWN
    # Issue 15: its page says it was withdrawn and why (not a 404), without its body;
    # the list no longer shows it.
    page = client.get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    assert "该通知已撤回" in page.content.decode()
    assert "时间有误，重新发布" in page.content.decode()
    assert notice.body not in page.content.decode()
    assert notice.title not in client.get("/notices/").content.decode()
    assert AuditEvent.objects.get(action="notices.withdrawn").reason == "时间有误，重新发布"


def test_the_manage_list_shows_the_institutions_notices_only(client_for, world):
    mine = make_notice(world, state=NoticeState.DRAFT, title="本校草稿")
    make_notice(
        world,
        institution=world.other_institution,
        created_by=world.other_registrar,
        title="外校草稿",
    )

    page = client_for(world.registrar).get("/notices/manage/").content.decode()

    assert mine.title in page and "外校草稿" not in page
