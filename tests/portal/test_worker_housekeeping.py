"""Every worker looks after the queue by itself (portal.worker.housekeeping): at start and
every half minute it writes its heartbeat, re-enqueues the jobs whose worker died and
sends the messages that are due — no `recover_jobs` timer beside it. Real `db_worker` and
`rqworker` processes, on a database (and a Redis database) of their own."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("MESSAGES_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")

SET_UP = """
from accounts.models import OutboxMessage, Role
from portal.lib import jobs
from tests import factories
from tests.portal import dying_tasks
owner = factories.user(Role.REGISTRAR)
jobs.job_start(owner=owner, kind="test.once", title="once", task=dying_tasks.kill_the_worker_once)
# A message whose task was lost (the queue was down when its request committed).
OutboxMessage.objects.create(
    channel="email", kind="notice", destination="a@example.com", subject="s", body="b"
)
"""

HEALTH = """
from django.test import Client
print(Client().get("/healthz").status_code)
"""


def _env(database: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="portal.settings_test",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        JOB_LEASE_DIR=str(database.parent / "leases"),
    )
    env.update(extra)
    return env


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _health(env: dict) -> str:
    """The status /healthz answers in a process of its own (the worker's settings)."""
    return _manage(env, "shell", "-c", HEALTH).stdout.split()[-1]


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return list(db.execute(sql))


def _set_up(env: dict) -> None:
    assert _manage(env, "migrate", "-v0").returncode == 0
    done = _manage(env, "shell", "-c", SET_UP)
    assert done.returncode == 0, done.stderr


def test_the_next_db_worker_recovers_the_job_its_predecessor_died_on(tmp_path):
    database = tmp_path / "queue.sqlite3"
    env = _env(database)
    _set_up(env)

    first = _manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert first.returncode == 134  # died on the job, which stays 进行中
    assert _rows(database, "SELECT state FROM portal_job") == [("running",)]
    second = _manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert second.returncode == 0, second.stderr
    assert _rows(database, "SELECT state, attempts FROM portal_job") == [("succeeded", 2)]
    assert _rows(database, "SELECT state FROM accounts_outboxmessage") == [("sent",)]


def test_a_running_worker_keeps_its_heartbeat_and_healthz_follows_it(tmp_path):
    database = tmp_path / "queue.sqlite3"
    env = _env(database, WORKER_HOUSEKEEPING_EVERY="0.5", HEALTH_HEARTBEAT_MAX_AGE="5")
    assert _manage(env, "migrate", "-v0").returncode == 0
    assert _health(env) == "503"  # no worker yet

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seen = []
        deadline = time.monotonic() + 30
        while len(set(seen)) < 2 and time.monotonic() < deadline:  # refreshed, not only written
            seen += [
                row[0] for row in _rows(database, "SELECT seen_at FROM portal_workerheartbeat")
            ]
            time.sleep(0.3)
        assert len(set(seen)) >= 2
        assert _health(env) == "200"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert _health(env) == "503"


def test_the_next_rq_worker_recovers_the_job_its_predecessor_died_on(tmp_path):
    # RQ's Django apps come with the production extra (`make install-scale`; the cluster
    # test and `make bench` install it), not with `make test`.
    pytest.importorskip("django_rq", reason="needs the scale extra (django-rq)")
    pytest.importorskip("django_tasks_rq", reason="needs the scale extra (django-tasks-rq)")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    database = tmp_path / "queue.sqlite3"
    env = _env(database, TASKS_BACKEND="django_tasks_rq.RQBackend", RQ_URL=REDIS_URL)
    try:
        _set_up(env)
        rq = ("rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst")

        assert _manage(env, *rq).returncode == 0  # its work-horse died on the job
        assert _rows(database, "SELECT state FROM portal_job") == [("running",)]
        again = _manage(env, *rq)

        assert again.returncode == 0, again.stderr
        assert _rows(database, "SELECT state, attempts FROM portal_job") == [("succeeded", 2)]
        assert _rows(database, "SELECT state FROM accounts_outboxmessage") == [("sent",)]
    finally:
        client.flushdb()
