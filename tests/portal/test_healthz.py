"""/healthz: for load balancers and monitors, no log-in, no session, no personal data;
200 when the database, cache, storage and task queue answer, else 503."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tasks import send_message
from portal.lib.models import WorkerHeartbeat
from portal.worker.housekeeping import heartbeat
from tests.sms_gateway import closed_port

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def test_it_answers_200_with_every_check(db, private_media):
    response = Client().get("/healthz")

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert {name: check["ok"] for name, check in report["checks"].items()} == {
        "database": True,
        "cache": True,
        "storage": True,
        "queue": True,
    }
    assert not response.cookies  # no session
    assert "no-store" in response["Cache-Control"]
    assert not any((private_media / "health").glob("*"))  # its test file is gone


def test_it_needs_no_log_in_nor_https_nor_second_factor(db, settings, private_media):
    settings.OTP_REQUIRED = True
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get("/healthz").status_code == 200


def test_the_queue_needs_a_recent_worker_heartbeat(db, database_queue, private_media, settings):
    client = Client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["error"] == "no worker heartbeat"

    heartbeat("host:1")
    assert client.get("/healthz").status_code == 200

    old = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE + 1)
    WorkerHeartbeat.objects.update(seen_at=old)
    assert client.get("/healthz").status_code == 503


def test_a_task_waiting_too_long_makes_the_queue_unhealthy(
    db, database_queue, private_media, settings
):
    from django_tasks_db.models import DBTaskResult

    heartbeat("host:1")
    send_message.enqueue(0)
    assert Client().get("/healthz").status_code == 200

    waited = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_QUEUE_MAX_WAIT + 5)
    DBTaskResult.objects.update(enqueued_at=waited)
    response = Client().get("/healthz")

    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["error"] == "a task has waited too long"
    assert queue["oldest_waiting"] >= settings.HEALTH_QUEUE_MAX_WAIT


def test_it_answers_503_when_the_database_is_unreachable():
    """The portal pointed at a PostgreSQL port where nothing listens (never the real one)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings_test",
        DATABASE_URL=f"postgres://portal@127.0.0.1:{closed_port()}/portal",
    )
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    status, body = done.stdout.splitlines()[-2:]
    assert status == "503"
    assert '"database": {"ok": false, "error": "OperationalError"}' in body
    assert "127.0.0.1" not in body  # nothing about the infrastructure
