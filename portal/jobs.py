"""Long work with progress: a `Job` row that a task updates and a page that shows it.

A view starts work with `job_start(owner=…, kind=…, title=…, task=…)` and redirects to
the job page; the task calls `run_job(job_id, work)`, where `work(job, progress)` reports
with `progress.set_total(n)` / `progress.advance()` and returns a result dict.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.models import Job, JobState

logger = logging.getLogger(__name__)


class JobError(Exception):
    """An expected failure whose message (Chinese) is shown to the person as is."""


class JobProgress:
    """Progress of one job. Writes at most twice a second, and always at the end."""

    write_interval = 0.5

    def __init__(self, job: Job):
        self.job = job
        self._last_write = 0.0

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
        fields = {"done": self.job.done, "total": self.job.total}
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

    A job already finished is not run again, so that a retried or duplicated task never
    repeats its work (QUALITY.md: idempotence)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    job.state, job.started_at = JobState.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at"])
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
    _finish(job, JobState.SUCCEEDED, result=result)


def _finish(job: Job, state: str, *, result: dict | None = None, error: str = "") -> None:
    job.state, job.finished_at = state, timezone.now()
    job.result, job.error = result or {}, error
    if state == JobState.SUCCEEDED:
        job.message = job.message or "已完成"
    job.save()
