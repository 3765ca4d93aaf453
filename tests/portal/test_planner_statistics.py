"""SQLite plans by statistics that only ANALYZE writes: after a bulk write the portal
refreshes them (portal.lib.db), so that the photo dispute queue reads its few open
disputes through its partial index instead of every record of the institution."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from imaging import selectors
from portal.lib.db import refresh_planner_statistics

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL analyzes by itself (autovacuum)"
)


def _plan(queryset) -> str:
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_demo_leaves_statistics_that_find_open_disputes_by_their_index():
    call_command("seed_demo", allow_without_debug=True, students=600, seed=1, stdout=io.StringIO())
    registrar = User.objects.get(username="registrar")

    plan = _plan(selectors.dispute_queue(registrar).order_by())

    assert "photo_open_dispute_idx" in plan, plan


def test_refreshing_writes_the_statistics_of_the_records(world):
    refresh_planner_statistics()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert "records_enrollmentrecord" in tables
