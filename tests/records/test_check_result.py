"""The record's stored check result (records.progress) follows every way a confirmation or
a 有误 report changes, and the progress counts read it."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.utils import timezone

from records import progress
from records.models import (
    CheckResult,
    College,
    EnrollmentRecord,
    RecordConfirmation,
    SchoolClass,
)
from records.selectors import class_progress, college_progress
from records.services.checks import revoke_confirmation
from records.services.corrections import discrepancy_accept, discrepancy_reject
from tests import factories
from tests.notices.conftest import bulk_student, confirm, count_queries, report


def _result(record: EnrollmentRecord) -> int:
    return EnrollmentRecord.objects.values_list("check_result", flat=True).get(pk=record.pk)


def test_confirming_on_the_page_stores_confirmed(client_for, world):
    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")
    assert _result(world.alice_record) == CheckResult.CONFIRMED


def test_a_report_stores_reported(world):
    report(world.alice_record)
    assert _result(world.alice_record) == CheckResult.REPORTED


def test_withdrawing_a_report_stores_none(client_for, world):
    filed = report(world.alice_record)
    assert _result(world.alice_record) == CheckResult.REPORTED
    client_for(world.alice).post(f"/records/reports/{filed.pk}/withdraw/")
    assert _result(world.alice_record) == CheckResult.NONE


def test_deciding_a_report_stores_none(world):
    accepted = report(world.alice_record)
    rejected = report(world.bob_record)
    discrepancy_accept(report=accepted, by=world.registrar, fields=["ethnicity"])
    discrepancy_reject(report=rejected, by=world.registrar, reason="材料不足")
    assert _result(world.alice_record) == CheckResult.NONE
    assert _result(world.bob_record) == CheckResult.NONE


def test_a_correction_that_revokes_stores_none(world):
    confirm(world.alice_record)
    revoke_confirmation(world.alice_record, "学籍信息已修改")
    assert _result(world.alice_record) == CheckResult.NONE


def test_deleting_a_confirmation_stores_none(world):
    confirmation = confirm(world.alice_record)
    confirmation.delete()
    assert _result(world.alice_record) == CheckResult.NONE


def test_stale_finds_a_result_written_around_the_rules(world):
    """What the suite checks after every test (tests/conftest.py) does catch a path that
    changes confirmations without refreshing."""
    confirm(world.alice_record)
    RecordConfirmation.objects.filter(record=world.alice_record).update(revoked_at=timezone.now())
    assert list(progress.stale().values_list("pk", flat=True)) == [world.alice_record.pk]
    progress.refresh([world.alice_record.pk])
    assert not progress.stale().exists()


def test_class_counts(world):
    confirm(world.alice_record)
    report(world.bob_record)
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(first_viewed_at=timezone.now())
    (row,) = class_progress(SchoolClass.objects.filter(pk=world.class_a.pk))
    assert (row.n_students, row.n_bound, row.n_looked, row.n_confirmed, row.n_reported) == (
        2,
        2,
        1,
        1,
        1,
    )


def test_a_class_without_students_counts_zero(world):
    empty = factories.school_class(world.class_a.college)
    (row,) = class_progress(SchoolClass.objects.filter(pk=empty.pk))
    assert (row.n_students, row.n_confirmed) == (0, 0)


def test_college_counts_are_not_multiplied_by_a_counselors_classes(world):
    """A counselor's colleges are found through her classes (a join): two classes of one
    college must not count its students twice."""
    world.class_b.counselors.add(world.counselor)
    (college,) = college_progress(College.objects.visible_to(world.counselor))
    assert college.n_students == 3  # alice, bob (class A) and carol (class B)


def test_class_list_costs_the_same_queries_for_more_students(client_for, world):
    client = client_for(world.registrar)
    client.get("/records/classes/")
    before = count_queries(client, "/records/classes/")
    for _ in range(30):
        bulk_student(world.class_b)
    assert count_queries(client, "/records/classes/") == before


def test_the_migration_rule_and_the_code_agree(world):
    """records/migrations/0005 writes the results with its own copy of the rule."""
    migration = importlib.import_module("records.migrations.0005_check_result")
    confirm(world.alice_record)
    report(world.bob_record)
    EnrollmentRecord.objects.update(check_result=CheckResult.NONE)
    migration.fill(apps, None)
    assert not progress.stale().exists()
