"""Tasks for tests/portal/test_job_attempts.py, importable by a real `db_worker`."""

import os

from django_tasks import task

from portal.lib import jobs


@task()
def kill_the_worker(job_id: str) -> None:
    """A job whose work ends its process, as a reader aborting on a hostile file does."""

    def work(job, progress):
        os._exit(134)  # the worker dies at once: no exception, no clean-up

    jobs.run_job(job_id, work)


@task()
def finish(job_id: str) -> None:
    jobs.run_job(job_id, lambda job, progress: {"ok": True})


@task()
def kill_the_worker_once(job_id: str) -> None:
    """Ends its worker on the first attempt only: the next worker finishes it."""

    def work(job, progress):
        if job.attempts == 1:
            os._exit(134)
        return {"ok": True}

    jobs.run_job(job_id, work)
