"""notices 0006 and records 0004 move "which notice" of a 正确 or a 有误 from records'
notice columns into notices' link tables (ConfirmationNotice, DiscrepancyNotice), and
back. The suite builds its tables from the models (--no-migrations): this test runs
these migrations for real, on SQLite and on PostgreSQL alike."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from notices.models import ConfirmationNotice, DiscrepancyNotice, Notice
from records.models import DiscrepancyReport, RecordConfirmation

BEFORE = [
    ("notices", "0005_mask_values_in_signed_sheets"),
    ("records", "0003_enrollment_leaving_date"),
]
AFTER = [
    ("notices", "0006_confirmation_and_report_links"),
    ("records", "0004_notice_links_moved_to_notices"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    """Migrate to `targets`; the models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def real_migrations(settings):
    """The project's migrations, the test database recorded as fully migrated (its tables
    were made from the models, as the migrations leave them); after the test, migrated
    forward again and the record as it was."""
    settings.MIGRATION_MODULES = {}
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorded = set(recorder.applied_migrations())
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes(), fake=True)
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for app, name in set(recorder.applied_migrations()) - recorded:
        recorder.record_unapplied(app, name)


def _notice(apps, world, number):
    Notice = apps.get_model("notices", "Notice")
    return Notice.objects.create(
        institution_id=world.institution.pk,
        number=number,
        title="关于开展2023级新生自查学籍信息工作的通知",
        issuing_office="教务处",
        issue_date=datetime.date(2026, 10, 23),
        body="……",
        task="record_check",
        state="published",
        created_by_id=world.registrar.pk,
    )


def test_the_links_move_to_notices_and_back(real_migrations, world):
    old = _migrate(BEFORE)
    notice = _notice(old, world, "23-106")
    OldConfirmation = old.get_model("records", "RecordConfirmation")
    OldReport = old.get_model("records", "DiscrepancyReport")
    linked = OldConfirmation.objects.create(
        record_id=world.alice_record.pk, user_id=world.alice.pk, notice=notice
    )
    unlinked = OldConfirmation.objects.create(
        record_id=world.bob_record.pk, user_id=world.bob.pk, notice=None
    )
    report = OldReport.objects.create(
        record_id=world.carol_record.pk, user_id=world.carol.pk, notice=notice
    )

    _migrate(AFTER)

    assert [
        (link.confirmation_id, link.notice_id) for link in ConfirmationNotice.objects.all()
    ] == [(linked.pk, notice.pk)]
    assert [(link.report_id, link.notice_id) for link in DiscrepancyNotice.objects.all()] == [
        (report.pk, notice.pk)
    ]
    # Read with the columns of this migration state only (later migrations add more).
    confirmations = RecordConfirmation.objects.select_related("notice_link").only(
        "pk", "notice_link__notice"
    )
    link = confirmations.get(pk=linked.pk).notice_link
    assert Notice.objects.only("number").get(pk=link.notice_id).number == "23-106"
    assert not hasattr(confirmations.get(pk=unlinked.pk), "notice_link")
    assert DiscrepancyReport.objects.only("pk").get(pk=report.pk).notice_link.notice_id == notice.pk

    back = _migrate(BEFORE)

    OldConfirmation = back.get_model("records", "RecordConfirmation")
    OldReport = back.get_model("records", "DiscrepancyReport")
    assert OldConfirmation.objects.get(pk=linked.pk).notice_id == notice.pk
    assert OldConfirmation.objects.get(pk=unlinked.pk).notice_id is None
    assert OldReport.objects.get(pk=report.pk).notice_id == notice.pk
