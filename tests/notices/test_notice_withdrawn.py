"""Issue 15: a withdrawn notice shows a student why it was withdrawn (200 with the reason),
not a 404; its body, attachments and task are gone."""

from notices.services.notices import notice_withdraw
from tests.notices.conftest import make_notice


def test_a_student_reads_why_her_notice_was_withdrawn(client_for, world, notice):
    notice_withdraw(notice=notice, by=world.registrar, reason="对象有误，将重新发布")

    response = client_for(world.bob).get(f"/notices/{notice.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert notice.title in page and "已撤回" in page
    assert "撤回原因：对象有误，将重新发布" in page
    assert notice.body not in page
    assert "我的任务" not in page


def test_the_registrar_sees_the_notice_with_its_reason(client_for, world, notice):
    notice_withdraw(notice=notice, by=world.registrar, reason="对象有误，将重新发布")

    page = client_for(world.registrar).get(f"/notices/{notice.pk}/").content.decode()

    assert notice.body in page and "撤回原因：对象有误，将重新发布" in page


def test_a_draft_stays_404(client, world):
    draft = make_notice(world, state="draft")

    assert client.get(f"/notices/{draft.pk}/").status_code == 404
