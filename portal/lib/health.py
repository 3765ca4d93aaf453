"""What /healthz checks (portal.views.healthz): the database, the cache, the private
storage and the task queue, each answering ok or why not — with no personal data and
nothing about the infrastructure beyond the name of the error (the reason is logged).

The queue counts as served when a worker's heartbeat (portal.lib.models.WorkerHeartbeat,
written by every worker every half minute) is recent, and the oldest task waiting to run
has waited less than HEALTH_QUEUE_MAX_WAIT seconds. The in-process queue of the tests
and the demo without a worker (ImmediateBackend) needs no worker.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from portal.lib.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

Check = Callable[[], dict]


class Unhealthy(Exception):
    """A check's failure that is not an error of the software (a stale heartbeat)."""


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_cache() -> dict:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise Unhealthy("the cache did not keep a value")
    finally:
        cache.delete(key)
    return {}


def check_storage() -> dict:
    name = default_storage.save(f"health/{secrets.token_hex(8)}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return {}


def check_queue() -> dict:
    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
    if backend in ("ImmediateBackend", "DummyBackend") or not settings.HEALTH_CHECK_QUEUE:
        return {"worker": "not needed"}
    now = timezone.now()
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    heartbeat_age = (now - seen).total_seconds() if seen else None
    waiting_since = _oldest_waiting(backend)
    waited = (now - waiting_since).total_seconds() if waiting_since else 0
    details = {"heartbeat_age": _seconds(heartbeat_age), "oldest_waiting": _seconds(waited)}
    if heartbeat_age is None or heartbeat_age > settings.HEALTH_HEARTBEAT_MAX_AGE:
        raise Unhealthy("no worker heartbeat", details)
    if waited > settings.HEALTH_QUEUE_MAX_WAIT:
        raise Unhealthy("a task has waited too long", details)
    return details


def _seconds(value: float | None) -> int | None:
    return None if value is None else int(value)


def _oldest_waiting(backend: str) -> datetime | None:
    """Since when the longest-waiting task that could run has been waiting (a deferred
    task waits from its run_after)."""
    if backend == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult, get_date_max

        ready = DBTaskResult.objects.ready()
        now_due = ready.filter(run_after=get_date_max()).order_by("enqueued_at")
        deferred = ready.exclude(run_after=get_date_max()).order_by("run_after")
        times = [
            now_due.values_list("enqueued_at", flat=True).first(),
            deferred.values_list("run_after", flat=True).first(),
        ]
        return min((t for t in times if t is not None), default=None)
    if backend == "RQBackend":
        import django_rq

        queue = django_rq.get_queue("default")
        ids = queue.get_job_ids(0, 0)
        job = queue.fetch_job(ids[0]) if ids else None
        if job is None or job.enqueued_at is None:
            return None
        enqueued = job.enqueued_at
        return enqueued if timezone.is_aware(enqueued) else enqueued.replace(tzinfo=UTC)
    return None


CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "queue": check_queue,
}


def health() -> tuple[bool, dict]:
    """(healthy, {"status": "ok" | "error", "checks": {name: {"ok": …, …}}})."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, **check()}
        except Unhealthy as problem:
            details = problem.args[1] if len(problem.args) > 1 else {}
            results[name] = {"ok": False, "error": problem.args[0], **details}
        except Exception as error:
            logger.exception("healthz: the %s check failed", name)
            results[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(r["ok"] for r in results.values())
    return healthy, {"status": "ok" if healthy else "error", "checks": results}
