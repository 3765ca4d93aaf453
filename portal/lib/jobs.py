"""Long work with progress: a `Job` row that a task updates and a page that shows it.

A view starts work with `job_start(owner=…, kind=…, title=…, task=…)` and redirects to
the job page; the task calls `run_job(job_id, work)`, where `work(job, progress)` reports
with `progress.set_total(n)` / `progress.advance()` and returns a result dict.

Neither task backend re-runs a task whose worker was killed mid-way (the database queue
leaves it "running" for ever; RQ moves it to its failed registry as abandoned), so the
portal does: a worker holds the job's lease while it runs it (portal.lib.leases), and
`jobs_recover()` (every worker at start and every half minute, portal.worker.housekeeping;
`manage.py recover_jobs` by hand) re-enqueues every job left RUNNING whose lease is free. A re-run starts from the beginning and replaces the partial result; each `work`
must therefore be safe to repeat: an import is one transaction (a killed one left
nothing), an export writes its file at the end, and so on (docs/deploy.md).

A job that kills its worker (a hostile file, a bug that exhausts memory) would be
re-run for ever and take every worker down with it. So each pick-up is counted, and
committed, before the work starts; a job picked up again after MAX_ATTEMPTS is marked
failed with the reason instead of being run, and `jobs_recover` fails it too rather than
enqueue it once more (docs/quality.md "Background work never kills the worker").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from portal.lib.leases import DEFAULT_WAIT, job_lease
from portal.lib.models import Job, JobState

logger = logging.getLogger(__name__)


MAX_ATTEMPTS = 3
_GAVE_UP = (
    f"任务已尝试 {MAX_ATTEMPTS} 次均未完成（处理进程异常退出），已停止重试，请重新发起；"
    "如仍失败请联系管理员。"
)


class JobError(Exception):
    """An expected failure whose message (Chinese) is shown to the person as is."""


class JobProgress:
    """Progress of one job. Writes at most twice a second, and always at the end."""

    write_interval = 0.5

    def __init__(self, job: Job):
        self.job = job
        self._last_write = 0.0
        self.closing_message = ""

    def finish(self, message: str) -> None:
        """How the work ended ("导入完成"), kept on the job page once it has succeeded;
        without it the page says 已完成, never the last step's "正在…"."""
        self.closing_message = message[:300]

    def set_total(self, total: int, message: str = "") -> None:
        self.job.total = total
        self._write(message=message, force=True)

    def advance(self, n: int = 1, message: str = "") -> None:
        self.job.done += n
        self._write(message=message, force=self.job.done >= self.job.total)

    def attach(self, filename: str, content: bytes) -> None:
        """Keep a result file (private storage), offered for download on the job page."""
        self.job.result_file.save(filename, ContentFile(content), save=False)
        self.job.result_filename = filename

    def _write(self, *, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.write_interval:
            return
        self._last_write = now
        fields: dict[str, object] = {"done": self.job.done, "total": self.job.total}
        if message:
            self.job.message = message[:300]
            fields["message"] = self.job.message
        Job.objects.filter(pk=self.job.pk).update(**fields)


def job_start(*, owner, kind: str, title: str, task, params: dict | None = None) -> Job:
    """Create the job and enqueue its task. The task receives the job id only."""
    job = Job.objects.create(owner=owner, kind=kind, title=title, params=params or {})
    result = task.enqueue(job_id=str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.refresh_from_db()
    return job


def run_job(job_id: str, work: Callable[[Job, JobProgress], dict[str, Any] | None]) -> None:
    """Run `work` for the job, recording start, end, result or error.

    A job already finished is not run again, and a job that another live worker is running
    is left to it, so that a retried or duplicated task never repeats its work (docs/quality.md:
    idempotence). A job whose last worker died mid-way starts again from the beginning."""
    with job_lease(job_id, wait=DEFAULT_WAIT) as held:
        if not held:
            logger.info("job %s is running in another worker; not run twice", job_id)
            return
        _run_leased(job_id, work)


def _run_leased(job_id: str, work) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    if _out_of_attempts(job):
        return
    if job.state == JobState.RUNNING or job.done or job.result_file:
        _reset(job)
    job.state, job.started_at = JobState.RUNNING, timezone.now()
    # One statement, outside any transaction of the work: it stays counted if the work
    # kills this process.
    Job.objects.filter(pk=job.pk).update(
        state=job.state, started_at=job.started_at, attempts=F("attempts") + 1
    )
    job.attempts += 1
    progress = JobProgress(job)
    try:
        result = work(job, progress) or {}
    except JobError as exc:
        _finish(job, JobState.FAILED, error=str(exc))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobState.FAILED, error="任务执行出错，请稍后重试；如仍失败请联系管理员。")
        raise
    _finish(job, JobState.SUCCEEDED, result=result, message=progress.closing_message)


def _out_of_attempts(job: Job) -> bool:
    """Mark the job failed, with the reason, once MAX_ATTEMPTS workers took it up and none
    finished (docs/quality.md: a job that fails repeatedly is not retried for ever)."""
    if job.attempts < MAX_ATTEMPTS:
        return False
    logger.error(
        "job %s (%s): %d attempts did not finish; marked failed", job.pk, job.kind, job.attempts
    )
    _finish(job, JobState.FAILED, error=_GAVE_UP)
    return True


def _reset(job: Job) -> None:
    """Forget what a dead worker did of this job: its progress and any partial file."""
    logger.warning("job %s (%s): its last worker stopped mid-way; starting again", job.pk, job.kind)
    if job.result_file:
        job.result_file.delete(save=False)
    job.result_filename, job.done, job.total, job.result, job.error = "", 0, 0, {}, ""
    job.message = "处理进程中断，正在重新开始…"
    job.save(
        update_fields=[
            "result_file",
            "result_filename",
            "done",
            "total",
            "result",
            "error",
            "message",
        ]
    )


# --- Recovery: jobs whose worker died -----------------------------------------------------

RECOVER_GRACE = timedelta(seconds=60)
_LOST = "任务在处理过程中中断，且无法自动恢复，请重新发起。"


def jobs_recover(*, grace: timedelta = RECOVER_GRACE) -> list[Job]:
    """Re-enqueue every job that no live worker is running and no queued task will run:

    - RUNNING with a free lease: its worker died mid-way;
    - QUEUED, older than `grace`, whose task has ended (or has been running for longer
      than `grace`) without the job being started: its worker died before taking it.

    Safe to run anywhere, any time, by several processes at once: each job is decided
    while its lease is held. Returns the jobs re-enqueued (or failed, when their task
    cannot be found any more)."""
    recovered = []
    waited = timezone.now() - grace
    candidates = Job.objects.filter(
        Q(state=JobState.RUNNING) | Q(state=JobState.QUEUED, created_at__lte=waited)
    )
    for job_id in candidates.values_list("pk", flat=True):
        with job_lease(job_id) as held:
            job = Job.objects.filter(pk=job_id).first() if held else None
            if job is not None and _abandoned(job, grace):
                _requeue(job)
                recovered.append(job)
    return recovered


def _task_result(job: Job):
    if not job.task_result_id:
        return None
    try:
        return default_task_backend.get_result(job.task_result_id)
    except (TaskResultDoesNotExist, NotImplementedError):
        return None


def _abandoned(job: Job, grace: timedelta) -> bool:
    if job.state == JobState.RUNNING:
        return True  # we hold its lease: nobody runs it
    if job.state != JobState.QUEUED or job.created_at > timezone.now() - grace:
        return False
    result = _task_result(job)
    if result is None:
        return True
    if result.status == TaskResultStatus.RUNNING:
        started = result.started_at or job.created_at
        return started < timezone.now() - grace
    return result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def _requeue(job: Job) -> None:
    if _out_of_attempts(job):
        return
    result = _task_result(job)
    if result is None:
        logger.error("job %s (%s): its task is gone; marked failed", job.pk, job.kind)
        _finish(job, JobState.FAILED, error=_LOST)
        return
    logger.warning("job %s (%s): its worker is gone; enqueued again", job.pk, job.kind)
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED, message="处理进程中断，已重新排队…")
    again = result.task.enqueue(*result.args, **result.kwargs)
    Job.objects.filter(pk=job.pk).update(task_result_id=str(again.id))


def _finish(
    job: Job, state: str, *, result: dict | None = None, error: str = "", message: str = ""
) -> None:
    job.state, job.finished_at = state, timezone.now()
    job.result, job.error = result or {}, error
    if state == JobState.SUCCEEDED:
        job.message = message or "已完成"
    job.save()
