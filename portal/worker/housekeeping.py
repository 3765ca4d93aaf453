"""What every task worker does beside its tasks (docs/deploy.md "Workers").

`manage.py db_worker` and `manage.py rqworker` are wrapped (this package's commands, found
before the originals in INSTALLED_APPS): at start, and then every WORKER_HOUSEKEEPING_EVERY
seconds in a thread of the worker process, each worker

- writes its heartbeat (portal.lib.models.WorkerHeartbeat), which /healthz reads;
- re-enqueues the jobs whose worker died (portal.lib.jobs.jobs_recover), so that no
  separate `recover_jobs` timer is needed;
- sends the messages that are due (accounts.outbox.messages_send_due): retries, and any
  message whose task was lost;
- once a day, cleans up (portal.cleanup: `manage.py cleanup`): whichever worker first
  finds the last clean-up a day old takes it, under a conditional update.

Each step is safe with any number of workers at once (leases, conditional updates), and
a step that fails is logged and tried again next round: housekeeping never stops a worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import F
from django.utils import timezone

from accounts.outbox import messages_send_due
from portal.cleanup import cleanup
from portal.lib.jobs import jobs_recover
from portal.lib.models import ThrottleCounter, WorkerHeartbeat

logger = logging.getLogger(__name__)

# A heartbeat older than this belongs to a worker that is gone: its row is removed.
FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat(name: str, *, started_at=None) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": now}, create_defaults={"started_at": now, "seen_at": now}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def housekeeping_round(name: str) -> None:
    """One round: heartbeat, recover abandoned jobs, send due messages."""
    steps = (
        ("heartbeat", lambda: heartbeat(name)),
        ("recover jobs", _recover_jobs),
        ("send messages", messages_send_due),
        ("daily clean-up", _daily_cleanup),
    )
    for label, step in steps:
        try:
            step()
        except Exception:
            logger.exception("worker housekeeping: %s failed; tried again next round", label)
            close_old_connections()


CLEANUP_EVERY = timedelta(days=1)
CLEANUP_KEY = "portal.worker.cleanup"


def _daily_cleanup() -> None:
    """`manage.py cleanup` once a day across all workers: a counter row whose window ends a
    day after the last clean-up, claimed by a conditional update (one worker wins)."""
    now = time.time()
    ThrottleCounter.objects.get_or_create(key=CLEANUP_KEY, defaults={"count": 0, "expires": 0})
    claimed = ThrottleCounter.objects.filter(key=CLEANUP_KEY, expires__lte=now).update(
        count=F("count") + 1, expires=now + CLEANUP_EVERY.total_seconds()
    )
    if claimed:
        logger.info("worker housekeeping: daily clean-up %s", cleanup())


def _recover_jobs() -> None:
    for job in jobs_recover():
        logger.warning("worker housekeeping: recovered job %s (%s)", job.pk, job.kind)


class Housekeeper(threading.Thread):
    def __init__(self, name: str, every: float):
        super().__init__(name="housekeeping", daemon=True)
        self.worker = name
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            housekeeping_round(self.worker)
            connections.close_all()  # this thread's own connections, between rounds

    def stop(self) -> None:
        self.stopped.set()


@contextmanager
def housekeeping(*, periodic: bool) -> Iterator[None]:
    """Run one round now; with `periodic`, more in a thread for as long as the worker runs
    (a --batch / --burst run does one round only)."""
    name = worker_name()
    housekeeping_round(name)
    keeper = Housekeeper(name, settings.WORKER_HOUSEKEEPING_EVERY) if periodic else None
    if keeper is not None:
        keeper.start()
    try:
        yield
    finally:
        if keeper is not None:
            keeper.stop()
        WorkerHeartbeat.objects.filter(name=name).delete()
