"""The published notices a student sees, matched to their records in Python.

Every student page asks which notices are for this student. Asking the database joins
the audience rules per record and needs a DISTINCT; under a deadline surge that query
is most of a page's cost, and its answer is the same for every student of an
institution. So each process keeps the institution's published notices with their
audience rules, and checks them against the database on every use with one small
query: how many notices the institution has, the highest id and the sum of their
revisions (Notice.revision grows by one in the transaction of every change to a notice
or to its audience rules). Any committed change moves that stamp, whatever the order in
which transactions commit, so the next request in every process sees it, whatever the
cache set-up. A change made behind the models' back (raw SQL, a cascade) is picked up
within MAX_AGE seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Prefetch
from django.utils import timezone

from notices.models import Notice, NoticeAudience, NoticeState
from notices.selectors import notice_is_for

# Enough for a province's institutions in one process; the least used are dropped first.
MAX_INSTITUTIONS = 256
# Seconds a held list is trusted on its stamp alone.
MAX_AGE = 300

_lock = threading.Lock()
_held: OrderedDict[int, tuple[tuple, float, list[Notice]]] = OrderedDict()


def clear() -> None:
    """Forget every institution's notices (the next use reloads them)."""
    with _lock:
        _held.clear()


def _stamp(institution_id: int) -> tuple:
    """How many notices the institution has, the highest id and the sum of their
    revisions: a create, an edit, a publication, a withdrawal or a deletion moves it."""
    table = connections[router.db_for_read(Notice)]
    quote = table.ops.quote_name
    with table.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX({quote('id')}), SUM({quote('revision')}) "
            f"FROM {quote(Notice._meta.db_table)} WHERE {quote('institution_id')} = %s",
            [institution_id],
        )
        return tuple(cursor.fetchone())


def _load(institution_id: int) -> list[Notice]:
    return list(
        Notice.objects.filter(institution_id=institution_id, state=NoticeState.PUBLISHED)
        .defer("body", "contacts", "drafted_by", "signed_by")
        .prefetch_related(Prefetch("audience", queryset=NoticeAudience.objects.order_by("pk")))
    )


def institution_notices(institution_id: int) -> list[Notice]:
    """The institution's published notices, newest first (the notice list's order), each
    with its audience rules prefetched. Shared between requests: read, never change."""
    stamp = _stamp(institution_id)
    now = time.monotonic()
    with _lock:
        held = _held.get(institution_id)
        if held is not None and held[0] == stamp and now - held[1] < MAX_AGE:
            _held.move_to_end(institution_id)
            return held[2]
    notices = _load(institution_id)
    with _lock:
        _held[institution_id] = (stamp, now, notices)
        _held.move_to_end(institution_id)
        while len(_held) > MAX_INSTITUTIONS:
            _held.popitem(last=False)
    return notices


def notices_for_records(records: Iterable) -> list[Notice]:
    """Published notices whose audience includes one of these records (a student's own),
    in the notice list's order (newest issue date first)."""
    records = list(records)
    found: dict[int, Notice] = {}
    for institution_id in sorted({r.institution_id for r in records}):
        for notice in institution_notices(institution_id):
            if notice.pk not in found and any(notice_is_for(notice, r) for r in records):
                found[notice.pk] = notice
    return sorted(found.values(), key=lambda n: (n.issue_date, n.pk), reverse=True)


def current_notice(records: Iterable, tasks: Iterable[str]) -> Notice | None:
    """The latest started notice for these records that asks one of `tasks`: the one a
    confirmation or report is made under."""
    now = timezone.now()
    started = [
        notice
        for notice in notices_for_records(records)
        if notice.task in tasks and (notice.window_start is None or notice.window_start <= now)
    ]
    if not started:
        return None
    return max(started, key=lambda n: (n.window_start is not None, n.window_start or now, n.pk))
