"""A job that kills its worker is tried MAX_ATTEMPTS times, then failed with the reason
(portal.lib.jobs; docs/quality.md "Background work never kills the worker").

In process, a dead worker is played as in test_job_recovery.py (a job left RUNNING with
its lease free); at the end, real `db_worker` processes die on a real job, each in turn."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from portal.lib import jobs
from portal.lib.models import Job, JobState
from tests.portal import dying_tasks
from tests.portal.conftest import run_queued

ROOT = Path(__file__).resolve().parents[2]


def _start(owner, task=dying_tasks.finish) -> Job:
    return jobs.job_start(owner=owner, kind="test.attempts", title="试一试", task=task)


def _worker_died(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)


def test_a_pick_up_is_counted(queue, owner):
    job = _start(owner)

    run_queued(queue)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.attempts == 1


def test_a_job_picked_up_again_after_the_last_attempt_fails_with_the_reason(queue, owner):
    job = _start(owner)
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)

    run_queued(queue)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == (
        "任务已尝试 3 次均未完成（处理进程异常退出），已停止重试，请重新发起；如仍失败请联系管理员。"
    )
    assert job.attempts == jobs.MAX_ATTEMPTS


def test_a_job_that_died_fewer_times_is_run_again(queue, owner):
    job = _start(owner)
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS - 1)
    _worker_died(job)
    jobs.jobs_recover()

    run_queued(queue)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.attempts == jobs.MAX_ATTEMPTS


def test_recovery_fails_a_job_out_of_attempts_instead_of_enqueuing_it(queue, owner):
    job = _start(owner)
    queue.clear()
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)
    _worker_died(job)

    jobs.jobs_recover()

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "已停止重试" in job.error
    assert queue.results == []


def test_the_job_page_shows_why_it_stopped(queue, owner, client):
    job = _start(owner)
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)
    run_queued(queue)
    client.force_login(owner)

    page = client.get(job.get_absolute_url()).content.decode()

    assert "任务已尝试 3 次均未完成" in page


# --- Real workers, really killed ----------------------------------------------------------------


def _env(database: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="portal.settings_test",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        JOB_LEASE_DIR=str(database.parent / "leases"),
    )
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


SET_UP = """
from accounts.models import Role
from portal.lib import jobs
from tests import factories
from tests.portal import dying_tasks
owner = factories.user(Role.REGISTRAR)
jobs.job_start(owner=owner, kind="test.die", title="die", task=dying_tasks.kill_the_worker)
jobs.job_start(owner=owner, kind="test.finish", title="finish", task=dying_tasks.finish)
"""


def test_a_job_that_kills_real_workers_stops_after_max_attempts_and_others_run(tmp_path):
    env = _env(tmp_path / "queue.sqlite3")
    assert _manage(env, "migrate", "-v0").returncode == 0
    assert _manage(env, "shell", "-c", SET_UP).returncode == 0
    worker_exits = []

    for _round in range(jobs.MAX_ATTEMPTS + 2):
        worker = _manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
        worker_exits.append(worker.returncode)
        assert _manage(env, "recover_jobs").returncode == 0

    with sqlite3.connect(tmp_path / "queue.sqlite3") as database:
        states = dict(
            database.execute(
                "SELECT kind, state || ' ' || attempts || ' ' || error FROM portal_job"
            )
        )
    assert states["test.finish"] == "succeeded 1 "
    assert states["test.die"] == (
        "failed 3 任务已尝试 3 次均未完成（处理进程异常退出），"
        "已停止重试，请重新发起；如仍失败请联系管理员。"
    )
    assert worker_exits.count(134) == jobs.MAX_ATTEMPTS  # each attempt really killed a worker
