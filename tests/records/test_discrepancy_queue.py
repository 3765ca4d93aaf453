"""The registrar's 有误 queue: filter, accept with corrections, reject, edit directly."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts import sms
from portal.lib.models import AuditEvent
from records import progress
from records.models import (
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    RecordConfirmation,
    ReportState,
)
from tests import factories
from tests.records.conftest import edit_record


def _file_report(record, **claims):
    report = DiscrepancyReport.objects.create(
        record=record, user=record.user, explanation="见户口本"
    )
    for field, (current, claimed) in claims.items():
        DiscrepancyItem.objects.create(
            report=report, field=field, current_value=current, claimed_value=claimed
        )
    return report


@pytest.fixture
def report(world):
    RecordConfirmation.objects.create(record=world.alice_record, user=world.alice)
    return _file_report(
        world.alice_record, ethnicity=("汉族", "回族"), birth_date=("2005-03-09", "2005-04-09")
    )


def test_the_queue_lists_open_reports_oldest_first(client_for, world, report):
    later = _file_report(world.dave_record, name=(world.dave_record.name, "赵蕾"))

    page = client_for(world.registrar).get("/records/queue/").content.decode()

    assert page.index(world.alice_record.student_number) < page.index(later.record.student_number)
    assert "汉族 → 回族" in page


def test_the_queue_filters_by_college_and_field(client_for, world, report):
    _file_report(world.dave_record, name=(world.dave_record.name, "赵蕾"))
    client = client_for(world.registrar)

    by_college = client.get(
        "/records/queue/", {"college": world.dave_record.college_id}
    ).content.decode()
    by_field = client.get("/records/queue/", {"field": "ethnicity"}).content.decode()

    assert world.dave_record.student_number in by_college
    assert world.alice_record.student_number not in by_college
    assert world.alice_record.student_number in by_field
    assert world.dave_record.student_number not in by_field


def test_the_queue_costs_the_same_queries_for_1_and_30_reports(
    client_for, world, report, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    with django_assert_max_num_queries(10) as few:
        client.get("/records/queue/")
    for _ in range(29):
        _, record = factories.student(world.class_b)
        _file_report(record, ethnicity=("汉族", "满族"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/records/queue/").status_code == 200


def test_the_report_page_shows_claimed_and_current_values_side_by_side(client_for, world, report):
    page = client_for(world.registrar).get(f"/records/queue/{report.pk}/").content.decode()

    assert "<td>汉族</td><td><strong>回族</strong></td>" in page


def test_the_fields_to_correct_are_a_fieldset_of_tappable_labels(client_for, world, report):
    """A group of checkboxes is named by a legend, not by a <label for=""> that points at
    nothing; each field is a label.check a finger can hit (44 px)."""
    page = client_for(world.registrar).get(f"/records/queue/{report.pk}/").content.decode()

    assert 'for=""' not in page
    assert re.search(
        r'<fieldset class="form-field choice-group"[^>]*>\s*<legend>更正的字段</legend>', page
    )
    assert re.search(
        r'<label class="check" for="id_fields_to_apply_0"><input type="checkbox"', page
    )


def test_accepting_applies_the_chosen_corrections_in_one_step(world, report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)
    client.get(f"/records/queue/{report.pk}/")

    response = client.post(
        f"/records/queue/{report.pk}/",
        {
            "decision": "accept",
            "fields_to_apply": ["ethnicity"],
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )

    assert response.status_code == 302
    record = EnrollmentRecord.objects.get(pk=world.alice_record.pk)
    assert record.ethnicity == "03"  # 回族
    assert record.birth_date == world.alice_record.birth_date  # not chosen: not applied
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert {i.field: i.accepted for i in report.items.all()} == {
        "ethnicity": True,
        "birth_date": False,
    }
    event = AuditEvent.objects.get(action="records.corrected")
    assert event.changes == {"ethnicity": ["01", "03"]}
    assert event.actor == world.registrar


def test_a_corrected_record_must_be_confirmed_again(client_for, world, report):
    client_for(world.registrar).post(
        f"/records/queue/{report.pk}/", {"decision": "accept", "fields_to_apply": ["ethnicity"]}
    )

    assert not RecordConfirmation.objects.filter(
        record=world.alice_record, revoked_at__isnull=True
    ).exists()
    page = client_for(world.alice).get("/records/mine/").content.decode()
    assert "回族" in page
    assert f'href="/records/{world.alice_record.pk}/confirm/"' in page


def test_the_student_is_told_of_the_decision(
    client_for, world, report, django_capture_on_commit_callbacks
):
    world.alice.phone = "13800000001"
    world.alice.save()
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.registrar).post(
            f"/records/queue/{report.pk}/",
            {"decision": "reject", "standard_reason": "", "note": "材料不清晰"},
        )

    assert [m.phone for m in sms.outbox if "材料不清晰" in m.text] == ["13800000001"]


def test_rejecting_needs_a_reason(client_for, world, report):
    response = client_for(world.registrar).post(
        f"/records/queue/{report.pk}/", {"decision": "reject"}
    )

    assert "不予更正时必须填写原因" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_rejecting_with_the_seed_002_rule(client_for, world, report):
    reason = "一代身份证换成二代身份证、出生日期有变动的，不得更改信息。"

    client_for(world.registrar).post(
        f"/records/queue/{report.pk}/", {"decision": "reject", "standard_reason": reason}
    )

    report.refresh_from_db()
    assert report.state == ReportState.REJECTED
    assert report.decision_reason == reason
    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).ethnicity == "01"


def test_a_value_that_cannot_be_applied_changes_nothing(client_for, world, report):
    DiscrepancyItem.objects.filter(report=report, field="birth_date").update(
        claimed_value="2005年13月1日"
    )

    response = client_for(world.registrar).post(
        f"/records/queue/{report.pk}/",
        {"decision": "accept", "fields_to_apply": ["ethnicity", "birth_date"]},
    )

    assert "出生日期：日期“2005年13月1日”不存在" in response.content.decode()
    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).ethnicity == "01"
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_registrar_of_another_university_cannot_see_the_report(client_for, world, report):
    assert client_for(world.other_registrar).get(f"/records/queue/{report.pk}/").status_code == 404


def test_direct_edit_needs_a_reason_and_is_audited(client_for, world):
    client = client_for(world.registrar)

    no_reason = edit_record(client, world.alice_record, name="李晓玫", reason="")
    assert no_reason.status_code == 200
    edit_record(client, world.alice_record, name="李晓玫", reason="户口本与公安部门证明一致")

    assert EnrollmentRecord.objects.get(pk=world.alice_record.pk).name == "李晓玫"
    event = AuditEvent.objects.get(action="records.edited")
    assert event.changes == {"name": ["李晓梅", "李晓玫"]}
    assert event.reason == "户口本与公安部门证明一致"


def test_counselors_cannot_open_the_queue(client_for, world):
    assert client_for(world.counselor).get("/records/queue/").status_code == 403


def test_an_old_report_is_found_by_age(client_for, world, report):
    DiscrepancyReport.objects.filter(pk=report.pk).update(
        created_at=report.created_at - datetime.timedelta(days=5)
    )

    page = client_for(world.registrar).get(
        "/records/queue/", {"state": "submitted", "older_than": 3}
    )

    assert world.alice_record.student_number in page.content.decode()


def test_the_queue_says_how_many_days_a_report_has_waited(client_for, world, report):
    """In calendar days, as people count: filed late yesterday is 1 day, not 今天提交."""
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(0, 0))
    )
    late_yesterday = _file_report(world.dave_record, name=(world.dave_record.name, "赵蕾"))
    DiscrepancyReport.objects.filter(pk=late_yesterday.pk).update(
        created_at=midnight - datetime.timedelta(minutes=30)
    )
    DiscrepancyReport.objects.filter(pk=report.pk).update(
        created_at=midnight - datetime.timedelta(days=5, minutes=30)
    )
    fresh = _file_report(world.bob_record, name=(world.bob_record.name, "王蕾"))

    page = client_for(world.registrar).get("/records/queue/").content.decode()

    assert "已等待 6 天" in page  # 5 days and half an hour before today's midnight
    assert "已等待 1 天" in page
    assert "今天提交" in page
    assert f'href="/records/queue/{fresh.pk}/"' in page


def test_the_next_page_keeps_the_filters(client_for, world, report):
    """Page links carry every filter: page 2 of one college is still that college."""
    numbers = []
    for _ in range(52):
        _, record = factories.student(world.class_other_college)
        _file_report(record, ethnicity=("汉族", "满族"))
        numbers.append(record.student_number)
    client = client_for(world.registrar)
    other = world.class_other_college.college_id

    first = client.get("/records/queue/", {"college": other}).content.decode()
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get("/records/queue/" + link).content.decode()

    assert f"college={other}" in link
    shown = [n for n in numbers if n in first or n in second]
    assert len(shown) == 52
    assert world.alice_record.student_number not in first + second


def test_page_two_of_the_open_reports_lists_open_reports_only(client_for, world, report):
    for _ in range(51):
        _, record = factories.student(world.class_b)
        _file_report(record, ethnicity=("汉族", "满族"))
    decided = _file_report(world.dave_record, name=(world.dave_record.name, "赵蕾"))
    DiscrepancyReport.objects.filter(pk=decided.pk).update(state=ReportState.REJECTED)
    progress.refresh([world.dave_record.pk])  # an update() sends no signal
    client = client_for(world.registrar)

    first = client.get("/records/queue/").content.decode()
    second = client.get("/records/queue/", {"page": 2}).content.decode()

    assert "page=2" in first
    assert world.dave_record.student_number not in first + second
    # Each link carries the queue's page (back to it after a decision).
    assert len(re.findall(r'href="/records/queue/\d+/\?page=2"', second)) == 2  # 52 open: 50 + 2
