"""Outside review of the surge change (5268f0e..): 正确 reads the locked record's check
result, a new confirmation writes 正确 directly, 学籍信息 tells why her 正确 is open again
from changes_since_confirmed, the notice a 正确 / 有误 is made under comes from the
subject at hand, record_for_student no longer joins the account. Probes that pass are
regression guards; a failing one is a finding (see its docstring)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from notices.models import ConfirmationNotice, DiscrepancyNotice, NoticeTask
from portal.lib.audit import log_action
from records import progress
from records.errors import RecordError
from records.models import (
    CheckResult,
    DiscrepancyItem,
    DiscrepancyReport,
    RecordConfirmation,
    ReportState,
)
from records.services import checks, corrections
from tests import factories
from tests.notices.conftest import make_notice
from tests.records.conftest import edit_record

DAY = datetime.timedelta(days=1)
MINE = "/records/mine/"
REVOKED_BANNER = "您之前的确认已失效，请重新核对后确认。"

pytestmark = pytest.mark.django_db


def _report(record, user=None):
    report = DiscrepancyReport.objects.create(record=record, user=user or record.user)
    DiscrepancyItem.objects.create(
        report=report, field="ethnicity", current_value="汉族", claimed_value="回族"
    )
    return report


def _active(record):
    return RecordConfirmation.objects.filter(record=record, revoked_at__isnull=True)


def _result(record):
    record.refresh_from_db(fields=["check_result"])
    return record.check_result


# --- check_result after sequences -------------------------------------------------------


def test_confirm_report_withdraw_confirm_again_leaves_one_standing(client_for, world):
    alice = client_for(world.alice)
    record = world.alice_record
    alice.post(f"/records/{record.pk}/confirm/")
    first = _active(record).get()
    report = _report(record)
    checks.revoke_confirmation(record, "提交了有误申请")
    assert _result(record) == CheckResult.REPORTED

    # 正确 while the 有误 is open: refused, nothing written
    alice.post(f"/records/{record.pk}/confirm/")
    assert not _active(record).exists()
    assert _result(record) == CheckResult.REPORTED

    alice.post(f"/records/reports/{report.pk}/withdraw/")
    assert _result(record) == CheckResult.NONE
    alice.post(f"/records/{record.pk}/confirm/")
    alice.post(f"/records/{record.pk}/confirm/")  # double click

    second = _active(record).get()
    assert second.pk != first.pk
    assert RecordConfirmation.objects.filter(record=record).count() == 2
    assert _result(record) == CheckResult.CONFIRMED


def test_a_report_filed_through_the_service_refuses_a_later_confirm(world, pdf_upload):
    record = world.alice_record
    checks.record_confirm(record=record, by=world.alice)
    checks.discrepancy_report(
        record=record,
        by=world.alice,
        claims={"ethnicity": "回族"},
        explanation="户口本为回族",
        evidence=[checks.Evidence("hukou", pdf_upload())],
    )
    assert _result(record) == CheckResult.REPORTED
    with pytest.raises(RecordError, match="您已提交有误申请"):
        checks.record_confirm(record=record, by=world.alice)
    assert not _active(record).exists()


def test_reject_then_confirm_and_accept_then_confirm(world):
    record = world.alice_record
    report = _report(record)
    corrections.discrepancy_reject(report=report, by=world.registrar, reason="证明材料不足")
    assert _result(record) == CheckResult.NONE
    checks.record_confirm(record=record, by=world.alice)
    assert _result(record) == CheckResult.CONFIRMED

    checks.revoke_confirmation(record, "提交了有误申请")
    report = _report(record)
    corrections.discrepancy_accept(report=report, by=world.registrar, fields=["ethnicity"])
    assert _result(record) == CheckResult.NONE
    confirmation = checks.record_confirm(record=record, by=world.alice)
    assert confirmation.revoked_at is None
    assert _result(record) == CheckResult.CONFIRMED


def test_a_revoked_confirmation_saved_again_does_not_write_confirmed(world):
    """The fast path is for a *new active* confirmation only: re-saving a revoked one
    (admin, a script) recomputes."""
    record = world.alice_record
    confirmation = checks.record_confirm(record=record, by=world.alice)
    checks.revoke_confirmation(record, "学籍信息已修改，请重新确认")
    confirmation.refresh_from_db()
    confirmation.save()
    assert _result(record) == CheckResult.NONE
    # a new confirmation created already revoked (bulk history, fixtures): not 正确
    RecordConfirmation.objects.create(record=record, user=world.alice, revoked_at=timezone.now())
    assert _result(record) == CheckResult.NONE


def test_a_degree_confirm_and_a_degree_report_keep_the_degree_result(world):
    degree = factories.degree(world.institution, record=world.alice_record)
    checks.record_confirm(record=degree, by=world.alice)
    degree.refresh_from_db()
    assert degree.check_result == CheckResult.CONFIRMED
    assert _result(world.alice_record) == CheckResult.NONE  # the 学籍 is not confirmed by it
    # confirming the 学籍 is not answered by the degree's confirmation
    confirmation = checks.record_confirm(record=world.alice_record, by=world.alice)
    assert confirmation.record_id == world.alice_record.pk and confirmation.degree_id is None

    checks.revoke_confirmation(degree, "提交了有误申请")
    DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    with pytest.raises(RecordError, match="您已提交有误申请"):
        checks.record_confirm(record=degree, by=world.alice)
    assert not RecordConfirmation.objects.filter(degree=degree, revoked_at__isnull=True).exists()


# --- another student's record -----------------------------------------------------------


def test_she_cannot_confirm_or_report_anothers_record_or_degree(client_for, world):
    bob_degree = factories.degree(world.institution, record=world.bob_record)
    alice = client_for(world.alice)

    assert alice.post(f"/records/{world.bob_record.pk}/confirm/").status_code == 404
    assert alice.get(f"/records/{world.bob_record.pk}/report/").status_code == 404
    assert alice.post(f"/records/degrees/{bob_degree.pk}/confirm/").status_code == 404
    assert not RecordConfirmation.objects.exists()
    with pytest.raises(RecordError):
        checks.record_confirm(record=world.bob_record, by=world.alice)


def test_the_confirm_dialog_names_her_own_account(client_for, world):
    """record_for_student sets record.user = request.user: the record's account is hers."""
    page = client_for(world.alice).get(f"/records/{world.alice_record.pk}/confirm/")
    assert page.status_code == 200
    record = page.context["record"]
    assert record.user_id == world.alice.pk and record.user.pk == world.alice.pk


# --- 学籍信息: why her 正确 is open again -------------------------------------------------


def test_a_registrar_edit_after_her_confirm_is_told_to_her_only(client_for, world):
    checks.record_confirm(record=world.alice_record, by=world.alice)
    checks.record_confirm(record=world.bob_record, by=world.bob)
    edit_record(client_for(world.registrar), world.alice_record, entry_date="2023-09-02")

    page = client_for(world.alice).get(MINE).content.decode()
    assert REVOKED_BANNER in page
    assert "data-change-note" in page

    bob_page = client_for(world.bob).get(MINE).content.decode()
    assert REVOKED_BANNER not in bob_page and "data-change-note" not in bob_page
    assert world.alice_record.name not in bob_page


def test_an_import_revocation_is_told_by_its_reason_not_a_note(client_for, world):
    record = world.alice_record
    checks.record_confirm(record=record, by=world.alice)
    log_action(record, "records.imported", by=world.registrar, changes={"ethnicity": ["01", "03"]})
    checks.revoke_confirmation(record, "学校导入名单时更新了民族", refresh=False)
    progress.refresh([record.pk])

    page = client_for(world.alice).get(MINE).content.decode()
    assert REVOKED_BANNER in page
    assert "学校导入名单时更新了民族" in page
    assert "data-change-note" not in page


def test_a_change_made_before_her_confirm_is_not_told_after_a_withdrawn_report(client_for, world):
    record = world.alice_record
    edit_record(client_for(world.registrar), record, entry_date="2023-09-02")
    checks.record_confirm(record=record, by=world.alice)  # she confirmed the changed record
    report = _report(record)
    checks.revoke_confirmation(record, "提交了有误申请")
    checks.discrepancy_withdraw(report=report, by=world.alice)

    page = client_for(world.alice).get(MINE).content.decode()
    assert REVOKED_BANNER in page and "提交了有误申请" in page
    assert "data-change-note" not in page


def test_an_edit_of_a_record_she_never_confirmed_is_noted_without_a_banner(client_for, world):
    edit_record(client_for(world.registrar), world.alice_record, entry_date="2023-09-02")

    page = client_for(world.alice).get(MINE).content.decode()
    assert "data-change-note" in page
    assert REVOKED_BANNER not in page


def test_nothing_is_told_while_confirmed_or_reported(client_for, world):
    record = world.alice_record
    edit_record(client_for(world.registrar), record, entry_date="2023-09-02")
    checks.record_confirm(record=record, by=world.alice)
    assert "data-change-note" not in client_for(world.alice).get(MINE).content.decode()
    checks.revoke_confirmation(record, "提交了有误申请")
    _report(record)
    page = client_for(world.alice).get(MINE).content.decode()
    assert "data-change-note" not in page and REVOKED_BANNER not in page


def test_the_records_page_costs_the_same_for_one_or_three_changed_records(
    client_for, world, django_assert_max_num_queries
):
    """Each record with a revoked 正确 and a registrar's change: no query per record."""
    records = [world.alice_record]

    def change(record):
        checks.record_confirm(record=record, by=world.alice)
        edit_record(client_for(world.registrar), record, entry_date="2023-09-03")

    change(world.alice_record)
    alice = client_for(world.alice)
    alice.get(MINE)
    with django_assert_max_num_queries(200) as one:
        page = alice.get(MINE).content.decode()
    cost = len(one.captured_queries)
    assert page.count("data-change-note") == 1

    for _ in range(2):
        klass = factories.school_class(factories.college(world.institution))
        record = factories.record(klass, owner=world.alice, id_number=world.alice.id_number)
        records.append(record)
        change(record)
    alice = client_for(world.alice)
    alice.get(MINE)
    with django_assert_max_num_queries(cost):
        page = alice.get(MINE).content.decode()
    assert page.count("data-change-note") == 3
    assert page.count(REVOKED_BANNER) == 3


# --- the notice a 正确 or 有误 is made under ----------------------------------------------


def _two_schools(world):
    """Alice's 学籍 here under an open notice, and a 学籍 at the other school whose newer
    notice's correction deadline has passed."""
    now = timezone.now()
    own = make_notice(
        world, number="23-101", task=NoticeTask.RECORD_CHECK, window_start=now - 9 * DAY
    )
    other_class = factories.school_class(factories.college(world.other_institution))
    factories.record(other_class, owner=world.alice, id_number=world.alice.id_number)
    other = make_notice(
        world,
        institution=world.other_institution,
        number="24-001",
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
        correction_deadline=now - datetime.timedelta(hours=1),
    )
    return own, other


def test_a_record_report_runs_under_its_own_schools_notice(world, pdf_upload):
    own, _other = _two_schools(world)
    report = checks.discrepancy_report(
        record=world.alice_record,
        by=world.alice,
        claims={"ethnicity": "回族"},
        explanation="户口本为回族",
        evidence=[checks.Evidence("hukou", pdf_upload())],
    )
    assert DiscrepancyNotice.objects.get(report=report).notice == own


def test_a_degree_confirmation_is_linked_to_its_own_schools_notice(world):
    """FINDING: notice_for(degree) is the student-wide latest notice (current_notice(by)),
    so her 学历 of this school is confirmed under the other school's notice."""
    own, other = _two_schools(world)
    degree = factories.degree(world.institution, record=world.alice_record)

    confirmation = checks.record_confirm(record=degree, by=world.alice)

    assert ConfirmationNotice.objects.get(confirmation=confirmation).notice == own


def test_a_degree_report_is_not_refused_by_another_schools_deadline(world, jpeg_upload):
    """FINDING: the 有误 of her 学历 of this school (whose notice is open) is refused by
    the other school's passed correction deadline."""
    _two_schools(world)
    degree = factories.degree(world.institution, record=world.alice_record)

    report = checks.discrepancy_report(
        record=degree,
        by=world.alice,
        claims={"name": "李小梅"},
        explanation="户口本上的名字",
        evidence=[
            checks.Evidence("hukou", jpeg_upload()),
            checks.Evidence("police", jpeg_upload()),
        ],
    )
    assert report.state == ReportState.SUBMITTED


def test_the_records_page_shows_the_notice_her_checks_run_under(client_for, world):
    """学籍信息 named one notice, the newest of all her records, while 正确/有误 of this
    school's 学籍 run under this school's own: it names the notice of each record, the
    newest first."""
    own, other = _two_schools(world)
    page = client_for(world.alice).get(MINE).content.decode()
    assert f"/notices/{own.pk}/" in page
    assert page.index(f"/notices/{other.pk}/") < page.index(f"/notices/{own.pk}/")


# --- races (PostgreSQL) -----------------------------------------------------------------

pg_only = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers: no race to probe"
)


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n, call):
        try:
            barrier.wait(timeout=10)
            results[n] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pg_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirms_record_one(world):
    record = world.alice_record
    results = _together(
        *[lambda: checks.record_confirm(record=record, by=world.alice) for _ in range(4)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert RecordConfirmation.objects.filter(record=record).count() == 1
    assert _result(record) == CheckResult.CONFIRMED


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_confirm_racing_a_report_never_leaves_both_standing(world, pdf_upload):
    for _round in range(5):
        record = world.alice_record
        RecordConfirmation.objects.filter(record=record).delete()
        DiscrepancyReport.objects.filter(record=record).delete()
        progress.refresh([record.pk])
        upload = pdf_upload()

        def report(record=record, upload=upload):
            return checks.discrepancy_report(
                record=record,
                by=world.alice,
                claims={"ethnicity": "回族"},
                explanation="户口本为回族",
                evidence=[checks.Evidence("hukou", upload)],
            )

        results = _together(
            lambda record=record: checks.record_confirm(record=record, by=world.alice), report
        )
        assert not isinstance(results[1], Exception), results
        assert DiscrepancyReport.objects.filter(record=record, state="submitted").count() == 1
        assert not _active(record).exists(), results
        assert _result(record) == CheckResult.REPORTED
        assert not progress.stale(), list(progress.stale().values_list("pk", "check_result"))
