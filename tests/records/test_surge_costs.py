"""What the deadline surge's requests cost besides their work (docs/deploy.md, Sizing):
no lock wider than the record, no session write on the first page after log-in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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
