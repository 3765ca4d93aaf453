"""查询学籍 by the registrar and college staff: names, 学号 and 考生号 freely, ID numbers
within a budget.

A search by a full ID number confirms or denies a guess, and a record page tells the
birth year, the sex and the last 4 characters: about 10^5 candidates are left, which an
unlimited search would try in an hour or two. A query that looks like an ID number (15 or
18 digits with a final X) or another document number (letters and digits) is therefore
counted per staff account, first and atomically, before the database is asked — unless
it is the 学号 or 考生号 of a record in scope, which is no guess. It matches an ID number
only exactly, never by prefix or part.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.lookup import DOCUMENT_NUMBER_RE, ID_NUMBER_RE
from portal.lib import idnumbers
from portal.lib.throttle import Limit, wait_message
from records.errors import RecordError
from records.models import EnrollmentRecord
from records.selectors import record_search

ID_SEARCHES_PER_HOUR = Limit("record-search-id-hour", max=30, window=60 * 60)
ID_SEARCHES_PER_DAY = Limit("record-search-id-day", max=100, window=24 * 60 * 60)


def looks_like_id_number(query: str) -> bool:
    """An ID number (15 or 18 characters, digits and a final X) or another document's
    number (passports, permits: letters and digits), as accounts.lookup reads them."""
    number = idnumbers.normalize(query)
    return bool(ID_NUMBER_RE.match(number) or DOCUMENT_NUMBER_RE.match(number))


def search_records(
    *, by, records: QuerySet[EnrollmentRecord], query: str
) -> QuerySet[EnrollmentRecord]:
    """The records among `records` that `query` names exactly; RecordError (with the
    wait) when `by` has used up her ID-number searches."""
    if not looks_like_id_number(query):
        return record_search(records, query, id_number=False)
    by_number = record_search(records, query, id_number=False)
    if by_number.exists():  # a 学号 or 考生号 in scope: no guess at an ID number
        return by_number
    key = f"user:{by.pk}"
    wait = ID_SEARCHES_PER_HOUR.attempt(key) or ID_SEARCHES_PER_DAY.attempt(key)
    if wait:
        raise RecordError(wait_message(wait))
    return record_search(records, query)
