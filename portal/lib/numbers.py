"""Numbers typed or sent by a browser, bounded before they reach the database or date
arithmetic: PostgreSQL refuses an integer its column cannot hold, Python's timedelta
overflows past 999,999,999 days, and int() refuses more than 4,300 digits."""

from __future__ import annotations

from django import forms

ID_MAX = 2**63 - 1  # BigAutoField, the primary key of every table here


def parse_id(text: str) -> int | None:
    """A primary key written in ASCII digits, or None if it cannot be one."""
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


class IdField(forms.IntegerField):
    """A hidden or filter field that carries a primary key: never beyond the column."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
