"""Attack: the registrar's exports (records/views.py corrections_export, queue export)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "days",
    [
        {"until": "9999-12-31"},  # until + 1 day overflows (SQLite and PostgreSQL)
        {"since": "0001-01-01"},  # midnight in Asia/Shanghai is before year 1 in UTC (SQLite)
    ],
)
def test_attack_corrections_export_with_an_extreme_date_is_not_a_500(client_for, world, days):
    """A date the form accepts (a typed address, or the date picker's extremes) must give
    the export or the queue with a message, never a server error."""
    client = client_for(world.registrar)
    client.raise_request_exception = False

    response = client.get("/records/corrections/export/", days)

    assert response.status_code in (200, 302)
