"""Job leases: proof that a live process is running a job (portal.lib.jobs).

A worker holds its job's lease for as long as it runs the job. The operating system ends
a lease when its holder dies, however it dies (SIGKILL, OOM, a lost machine once the
database notices): on PostgreSQL the lease is a session advisory lock on a connection of
its own, which the server drops with the connection; on SQLite (one machine) it is a
`flock` on a file, which the kernel drops with the process. So a lease that can be taken
means that nobody is running the job, and a job marked RUNNING whose lease is free was
abandoned by a dead worker.

Leases are re-entrant within a thread, so that the in-process task backend (tests) can
run a job from inside the code that holds its lease.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
from django.conf import settings
from django.db import connection

# A duplicate delivery of a task waits this long for the lease before giving up: long
# enough for `recover_jobs`, which enqueues while it holds the lease, to let go.
DEFAULT_WAIT = 10.0
_POLL = 0.2

_held = threading.local()


def _held_here() -> set[str]:
    if not hasattr(_held, "keys"):
        _held.keys = set()
    return _held.keys


@contextlib.contextmanager
def job_lease(job_id, *, wait: float = 0.0) -> Iterator[bool]:
    """Hold the job's lease for the body; yields False when another live process holds it
    (after waiting up to `wait` seconds)."""
    key = str(job_id)
    if key in _held_here():
        yield True
        return
    take = _pg_lease if connection.vendor == "postgresql" else _file_lease
    with take(key) as attempt:
        deadline = time.monotonic() + wait
        held = attempt()
        while not held and time.monotonic() < deadline:
            time.sleep(_POLL)
            held = attempt()
        if not held:
            yield False
            return
        _held_here().add(key)
        try:
            yield True
        finally:
            _held_here().discard(key)


@contextlib.contextmanager
def _pg_lease(key: str):
    # Its own connection, outside Django's: a pooled or persistent connection could be
    # closed or handed to other code while the job runs, taking the lock with it.
    params = connection.get_connection_params()
    params = {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}
    lock_id = int.from_bytes(uuid.UUID(key).bytes[:8], "big", signed=True)
    with psycopg.connect(**params, autocommit=True) as lease_connection:

        def attempt() -> bool:
            row = lease_connection.execute("SELECT pg_try_advisory_lock(%s)", [lock_id]).fetchone()
            return row is not None and bool(row[0])

        yield attempt
    # Closing the connection ends the session and every lock it held.


@contextlib.contextmanager
def _file_lease(key: str):
    directory = settings.JOB_LEASE_DIR
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{uuid.UUID(key)}.lock")
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    locked = False

    def attempt() -> bool:
        nonlocal locked
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        locked = True
        return True

    try:
        yield attempt
    finally:
        if locked:
            # Whoever opens the path after this gets a new file and a free lease: the
            # job is finished or handed back by then.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        os.close(handle)
