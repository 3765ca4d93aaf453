"""The registrar writes a notice: saved as a draft, with audience and contacts."""

from notices.models import Notice, NoticeState
from portal.lib.models import AuditEvent
from tests.notices.conftest import csrf_client, csrf_post
from tests.notices.notice_forms import notice_data

URL = "/notices/manage/new/"


def test_registrar_saves_a_draft_with_audience_and_contacts(world):
    client = csrf_client(world.registrar)

    response = csrf_post(client, URL, notice_data())

    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notices/manage/{notice.pk}/"
    assert notice.state == NoticeState.DRAFT
    assert notice.institution == world.institution and notice.created_by == world.registrar
    assert sorted(r.graduation_year for r in notice.audience.all()) == [2018, 2019]
    contact = notice.contact_rows.get()
    assert (contact.room, contact.phone) == ("教务处214室", "0879-3000000")
    assert AuditEvent.objects.filter(action="notices.created", target_id=str(notice.pk)).exists()


def test_the_form_needs_the_csrf_token(world):
    client = csrf_client(world.registrar)

    assert client.post(URL, notice_data()).status_code == 403
    assert not Notice.objects.exists()


def test_a_number_already_used_by_the_institution_is_refused(world):
    client = csrf_client(world.registrar)
    csrf_post(client, URL, notice_data())

    response = csrf_post(client, URL, notice_data())

    assert "本校已有使用该文号的通知" in response.content.decode()
    assert Notice.objects.count() == 1


def test_a_task_needs_an_end_and_the_end_follows_the_start(world):
    client = csrf_client(world.registrar)

    missing = csrf_post(client, URL, notice_data(window_end=""))
    backwards = csrf_post(client, URL, notice_data(window_end="2018-03-01T00:00"))

    assert "有校对任务的通知必须填写截止时间" in missing.content.decode()
    assert "截止时间必须晚于开始时间" in backwards.content.decode()
    assert not Notice.objects.exists()


def test_a_contact_needs_its_office(world):
    client = csrf_client(world.registrar)

    response = csrf_post(client, URL, notice_data(**{"contacts-1-phone": "123"}))

    assert "请填写部门或联系人" in response.content.decode()


def test_the_form_page_works_on_a_phone_layout_with_labels(client_for, world):
    page = client_for(world.registrar).get(URL).content.decode()

    assert '<label for="id_number">' in page
    assert 'type="datetime-local"' in page
    assert "<script" not in page


def test_counselors_cannot_write_notices(client_for, world):
    assert client_for(world.counselor).get(URL).status_code == 403
