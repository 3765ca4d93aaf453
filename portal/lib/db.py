"""Database helpers the apps share."""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(using: str = "default") -> None:
    """After a bulk write (a roster import, the demo), let SQLite's query planner know the
    tables' sizes again. Without statistics it guesses, and drove the photo dispute queue
    through every record of the institution instead of the few open disputes
    (imaging.models.Photo's partial index); ANALYZE of 20,000 records takes ~50 ms.
    PostgreSQL's autovacuum analyzes by itself: nothing to do there."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
