"""What the deadline surge's requests cost besides their work (docs/deploy.md, Sizing):
no lock wider than the record, no session write on the first page after log-in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import CheckResult
from tests import factories


def _logged_in(user) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has no FOR UPDATE: it locks the whole file"
)
def test_confirming_locks_the_record_only_not_its_institution(world):
    client = _logged_in(world.alice)
    client.get("/records/mine/")

    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/records/{world.alice_record.pk}/confirm/")

    assert response.status_code == 302
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locks, "正确 takes the record's lock"
    assert not [sql for sql in locks if "JOIN" in sql], locks


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has no FOR UPDATE: it locks the whole file"
)
def test_binding_on_the_first_look_locks_her_records_only(world):
    world.bob_record.user = None
    world.bob_record.save(update_fields=["user"])
    client = _logged_in(world.bob)

    with CaptureQueriesContext(connection) as queries:
        client.get("/records/mine/")

    world.bob_record.refresh_from_db()
    assert world.bob_record.user_id == world.bob.pk
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locks and not [sql for sql in locks if "JOIN" in sql], locks


def test_the_first_page_after_log_in_writes_no_session_without_a_required_notice(world):
    client = _logged_in(world.alice)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/records/mine/").status_code == 200

    session_writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert session_writes == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite has no FOR UPDATE: it locks the whole file"
)
def test_accepting_a_degree_correction_locks_no_institution_row(world):
    from records.models import DiscrepancyItem, DiscrepancyReport
    from tests.clients import csrf_client, csrf_post

    degree = factories.degree(world.institution, record=world.alice_record)
    report = DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    DiscrepancyItem.objects.create(
        report=report, field="major_name", current_value=degree.major_name, claimed_value="会计学"
    )
    registrar = csrf_client(world.registrar, first_page=f"/records/queue/{report.pk}/")

    with CaptureQueriesContext(connection) as queries:
        response = csrf_post(
            registrar,
            f"/records/queue/{report.pk}/",
            {"decision": "accept", "fields_to_apply": ["major_name"]},
        )

    assert response.status_code == 302
    degree.refresh_from_db()
    assert degree.major_name == "会计学"
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    # A lock over a join names the locked table: never the institution's row.
    assert not [sql for sql in locks if "JOIN" in sql and "FOR UPDATE OF" not in sql], locks


def test_confirming_reads_the_open_report_and_the_standing_confirmation_from_the_record(
    world, django_assert_max_num_queries
):
    """正确 reads whether a report is open or a confirmation stands from the locked record's
    check result (records.progress), and the notice from the record at hand: session,
    user, the record, then in the transaction its lock, the notice, the confirmation, its
    check result (written as 正确, records.progress), the notice link and the audit row
    (savepoint and transaction aside)."""
    client = _logged_in(world.alice)
    client.get("/records/mine/")

    with django_assert_max_num_queries(12) as done:
        response = client.post(f"/records/{world.alice_record.pk}/confirm/")

    assert response.status_code == 302
    sql = [q["sql"] for q in done.captured_queries]
    assert not [q for q in sql if "records_discrepancyreport" in q.split("WHERE")[0]], sql
    # The record is read with what the dialog and the audit name: its school and major.
    reads = [q for q in sql if q.startswith('SELECT "records_enrollmentrecord"."id"')]
    assert reads and not [q for q in reads if "records_schoolclass" in q or "records_college" in q]
    # A new standing confirmation decides the check result by itself (records.progress).
    updates = [q for q in sql if q.startswith("UPDATE") and "check_result" in q]
    assert len(updates) == 1 and "EXISTS" not in updates[0], updates
    world.alice_record.refresh_from_db()
    assert world.alice_record.check_result == CheckResult.CONFIRMED


def test_a_second_confirm_returns_the_standing_one_and_a_report_refuses_it(client_for, world):
    from records.errors import RecordError
    from records.models import DiscrepancyReport, RecordConfirmation
    from records.services import checks

    first = checks.record_confirm(record=world.alice_record, by=world.alice)
    assert checks.record_confirm(record=world.alice_record, by=world.alice) == first
    assert RecordConfirmation.objects.filter(record=world.alice_record).count() == 1

    DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)
    with pytest.raises(RecordError, match="您已提交有误申请"):
        checks.record_confirm(record=world.bob_record, by=world.bob)
    assert not RecordConfirmation.objects.filter(record=world.bob_record).exists()


def test_the_required_task_bar_reads_her_schools_without_sorting_them(world):
    """The bar's query on every page of a student (notices.hold) names her schools in a
    subquery: no join to sort what IN does not need sorted."""
    client = _logged_in(world.alice)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/records/mine/").status_code == 200

    bar = [q["sql"] for q in queries.captured_queries if "is_required" in q["sql"]]
    assert bar and not [sql for sql in bar if "records_institution" in sql], bar


def test_her_records_are_read_without_joining_degrees(world):
    """学籍信息 reads a 专升本 record's prior degree in the degrees' query: joined to the
    records, the degree and its institution made PostgreSQL plan eight tables for every
    student (docs/deploy.md, Sizing)."""
    client = _logged_in(world.alice)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/records/mine/").status_code == 200

    records = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "records_enrollmentrecord"."id"')
    ]
    assert records and not [sql for sql in records if 'JOIN "records_degreerecord"' in sql], records
