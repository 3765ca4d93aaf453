"""The public notice page: the body rendered safely, contacts, and for each reader what
to do next (own task, class sheet, progress)."""

from notices.models import NoticeContact
from notices.services.sheets import sheets_sync
from tests.notices.conftest import done_everything, make_notice


def test_the_body_is_rendered_safely(client, world):
    notice = make_notice(world, body="## 一、时间\n\n<script>alert(1)</script>\n\n- 10月23日")

    page = client.get(f"/notices/{notice.pk}/").content.decode()

    assert "<h2>一、时间</h2>" in page
    assert "<li>10月23日</li>" in page
    assert "<script>alert(1)" not in page


def test_meta_and_contacts_are_shown(client, world, notice):
    NoticeContact.objects.create(
        notice=notice, office="教务处学籍科", room="办公楼一楼学籍管理室", phone="0791-1234567"
    )

    page = client.get(f"/notices/{notice.pk}/").content.decode()

    for text in (notice.number, "拟文", "学籍科", "签发", "查金旺", "办公楼一楼学籍管理室"):
        assert text in page
    assert 'href="tel:0791-1234567"' in page


def test_a_student_sees_her_own_task_state_and_time_left(client_for, world, notice):
    page = client_for(world.bob).get(f"/notices/{notice.pk}/").content.decode()

    assert "我的任务" in page
    assert "未完成" in page and "还剩" in page


def test_a_student_who_is_done_sees_it(client_for, world, notice):
    done_everything(world.alice_record)

    page = client_for(world.alice).get(f"/notices/{notice.pk}/").content.decode()

    assert "已完成" in page


def test_the_monitor_gets_a_link_to_her_class_sheet(client_for, world, notice):
    sheets_sync(notice=notice)

    page = client_for(world.alice).get(f"/notices/{notice.pk}/").content.decode()

    assert "/notices/sheets/" in page
    assert (
        "/notices/sheets/"
        not in client_for(world.bob).get(f"/notices/{notice.pk}/").content.decode()
    )


def test_staff_get_a_link_to_the_progress(client_for, world, notice):
    page = client_for(world.counselor).get(f"/notices/{notice.pk}/").content.decode()

    assert f"/notices/{notice.pk}/progress/" in page


def test_the_list_shows_published_notices_and_the_help_centre(client, world, notice):
    page = client.get("/notices/").content.decode()

    assert notice.title in page
    assert "/notices/help/" in page


def test_the_monitor_home_links_each_sheet_of_her_class(client_for, world, notice):
    """The 班长 section of her home page says to fill in the 反馈表: it links it too, so
    that she need not find it through the notice."""
    sheets_sync(notice=notice)
    sheet = notice.feedback_sheets.get(school_class=world.class_a)

    page = client_for(world.alice).get("/").content.decode()

    assert f'href="/notices/sheets/{sheet.pk}/"' in page
    assert f"填写{world.class_a.name}反馈表" in page
    assert "/notices/sheets/" not in client_for(world.bob).get("/").content.decode()
