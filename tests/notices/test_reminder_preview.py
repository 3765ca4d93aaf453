"""The preview of a notice's reminders (GET notices:remind): how many go out and by which
channel, the text, who was reminded today, who cannot be reached and why; sending (POST)
only after confirming when more than five would go out."""

import io

import pytest
from openpyxl import load_workbook

from accounts import sms
from accounts.models import AccountState, Role, User
from notices import reminder_views
from notices.models import Reminder
from notices.services.reminders import reminder_text
from portal.lib.models import AuditEvent, Job
from tests import factories
from tests.notices.conftest import (
    bulk_student,
    count_queries,
    csrf_client,
    csrf_post,
    done_everything,
)


def _url(notice, query=""):
    return f"/notices/{notice.pk}/remind/{query}"


@pytest.fixture
def reachable(world):
    world.alice.phone = "13800000001"
    world.alice.save()
    world.bob.phone, world.bob.email = "13800000002", "bob@example.edu.cn"
    world.bob.save()
    world.carol.email = "carol@example.edu.cn"
    world.carol.save()


def _many(world, n: int) -> list:
    """`n` more students of class A who can be reached by SMS."""
    accounts = []
    for i in range(n):
        account, _record = bulk_student(world.class_a)
        account.phone = f"1370000{i:04d}"
        account.save()
        accounts.append(account)
    return accounts


def test_the_preview_counts_each_channel_and_shows_the_text(client_for, world, notice, reachable):
    response = client_for(world.registrar).get(_url(notice))

    plan = response.context["plan"]
    assert plan.n_send == 3
    assert plan.by_channel == [("短信", 1), ("邮件", 1), ("短信和邮件", 1)]
    assert reminder_text(notice) in response.content.decode()
    assert "确认发送 3 条提醒" in response.content.decode()


def test_the_preview_says_who_cannot_be_reached_and_why(client_for, world, notice, reachable):
    no_account = factories.record(world.class_a, name="孙无号")
    pending = factories.record(world.class_a, name="周待核")
    factories.user(id_number=pending.id_number, state=AccountState.PENDING, phone="13900000009")
    cancelled_user = factories.user(phone="13900000008", state=AccountState.CANCELLED)
    cancelled = factories.record(world.class_a, name="吴注销", owner=cancelled_user)

    page = client_for(world.registrar).get(_url(notice)).content.decode()

    def row(name):
        (found,) = [r for r in page.split("<tr>") if f"<td>{name}</td>" in r]
        return found

    assert "未注册（无账号）" in row(no_account.name)
    assert "账号无手机号和邮箱" in row(world.dave_record.name)
    # The counselor phones the student whose identity is being verified.
    assert "13900000009" in row(pending.name)
    assert "账号待身份核验" in row(pending.name)
    # A cancelled account's number may be someone else's now: not shown.
    assert "账号已注销" in row(cancelled.name)
    assert "13900000008" not in page
    assert world.alice.phone not in page  # those who get the message are counted, not listed


def test_a_counselor_previews_her_classes_only(client_for, world, notice, reachable):
    response = client_for(world.counselor).get(_url(notice))

    assert response.context["plan"].n_send == 2
    page = response.content.decode()
    assert world.dave_record.name not in page  # another college's, unreachable


def test_a_class_outside_the_counselors_scope_is_not_found(client_for, world, notice):
    client = client_for(world.counselor)

    response = client.get(_url(notice, f"?school_class={world.class_b.pk}"))

    assert response.status_code == 404


def test_the_college_previews_its_college_only(client_for, world, notice, reachable):
    response = client_for(world.college_staff).get(_url(notice))

    names = [r.record.name for r in response.context["plan"].recipients]
    assert sorted(names) == sorted(u.real_name for u in (world.alice, world.bob, world.carol))


@pytest.mark.parametrize("persona", ["alice", "bob"])  # alice is the class monitor
def test_students_get_no_preview(client_for, world, notice, persona):
    assert client_for(world.persona(persona)).get(_url(notice)).status_code == 403


def test_the_preview_sends_nothing(client_for, world, notice, reachable):
    client_for(world.registrar).get(_url(notice))

    assert not Reminder.objects.exists()
    assert not Job.objects.exists()
    assert not sms.outbox


def test_the_preview_counts_those_reminded_today(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    client = csrf_client(world.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(client, _url(notice), {"school_class": world.class_a.pk})

    plan = client.get(_url(notice)).context["plan"]

    assert (plan.n_already, plan.n_send) == (2, 1)  # alice and bob today; carol to go


def test_more_than_five_are_sent_only_once_confirmed(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    _many(world, 4)  # 7 in all
    client = csrf_client(world.registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, _url(notice))

    assert response.status_code == 400
    assert "请先勾选确认" in response.content.decode()
    assert not Job.objects.exists()
    assert not Reminder.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(client, _url(notice), {"confirmed": "1", "n": "7"})

    assert Reminder.objects.count() == 7


def test_a_list_that_grew_since_the_preview_asks_again(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    _many(world, 4)
    client = csrf_client(world.registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, _url(notice), {"confirmed": "1", "n": "6"})

    assert response.status_code == 400
    assert not Reminder.objects.exists()


def test_five_go_out_without_the_checkbox(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    _many(world, 2)  # 5 in all

    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(csrf_client(world.registrar), _url(notice))

    assert Reminder.objects.count() == 5


def test_the_job_sends_one_row_each_and_says_what_happened(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    client = csrf_client(world.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, _url(notice), follow=True)

    assert sorted(Reminder.objects.values_list("user__username", flat=True)) == [
        "alice", "bob", "carol",
    ]  # fmt: skip
    job = Job.objects.get(kind="notices.remind")
    assert dict(job.result["summary"]) == {
        "已发送": 3,
        "发送失败": 0,
        "等待发送": 0,
        "今日已提醒过（跳过）": 0,
        "无法联系": 1,
    }
    page = response.content.decode()
    assert "查看无法联系的学生" in page
    assert f"/notices/{notice.pk}/progress/" in page


def test_a_second_send_the_same_day_skips_everyone(
    world, notice, reachable, django_capture_on_commit_callbacks
):
    client = csrf_client(world.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        csrf_post(client, _url(notice))
        csrf_post(client, _url(notice))

    assert Reminder.objects.count() == 3
    assert len(sms.outbox) == 2  # alice and bob, once each
    summary = dict(Job.objects.order_by("-created_at").first().result["summary"])
    assert summary["今日已提醒过（跳过）"] == 3


def test_the_unreachable_list_exports_with_contacts_and_is_audited(client_for, world, notice):
    pending = factories.record(world.class_a, name="周待核")
    factories.user(
        id_number=pending.id_number, state=AccountState.PENDING, email="zhou@example.com"
    )

    response = client_for(world.counselor).get(f"/notices/{notice.pk}/remind/unreachable.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    by_name = {row[3]: row for row in rows}
    assert set(by_name) == {"李晓梅", "王强", "周待核"}  # class A only
    assert by_name["周待核"][4:] == ["账号待身份核验", "zhou@example.com"]
    assert by_name["王强"][4] == "账号无手机号和邮箱"
    event = AuditEvent.objects.get(action="notices.unreachable_exported")
    assert event.subjects.count() == 3


def test_the_preview_is_audited_with_the_students_it_names(client_for, world, notice):
    done_everything(world.alice_record)

    client_for(world.counselor).get(_url(notice))

    event = AuditEvent.objects.get(action="notices.remind_previewed")
    assert {s.record_id for s in event.subjects.all()} == {world.bob_record.pk}


def test_the_preview_costs_the_same_queries_for_few_or_many(
    client_for, world, notice, reachable, django_assert_max_num_queries
):
    factories.record(world.class_a)  # unbound: the accounts are looked up
    client = client_for(world.registrar)
    small = count_queries(client, _url(notice))
    _many(world, 6)
    for _n in range(3):
        factories.record(world.class_a)  # no account
        record = factories.record(world.class_b)
        User.objects.create(
            username=f"p{record.pk}", id_number=record.id_number, role=Role.STUDENT,
            state=AccountState.PENDING,
        )  # fmt: skip

    with django_assert_max_num_queries(small):
        response = client.get(_url(notice))

    assert response.context["plan"].n_send == 9


def test_the_progress_page_links_to_the_preview(client_for, world, notice):
    page = client_for(world.counselor).get(f"/notices/{notice.pk}/progress/").content.decode()

    assert f'href="/notices/{notice.pk}/remind/"' in page


def test_a_long_unreachable_list_is_cut_and_exported_whole(client_for, world, notice, monkeypatch):
    monkeypatch.setattr(reminder_views, "SHOWN", 1)  # alice and bob: neither has a phone

    response = client_for(world.counselor).get(_url(notice))

    assert "另有 1 人未列出，请导出完整名单" in response.content.decode()
    event = AuditEvent.objects.get(action="notices.remind_previewed")
    assert event.subjects.count() == 1
