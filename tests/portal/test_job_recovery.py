"""A job whose worker died is run again, once, from the beginning (portal.lib.jobs, leases).

The dead worker is played by a job row left RUNNING with a partial file and no lease;
a live worker by a lease held in another thread (its own connection or file handle)."""

import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import TaskResultStatus, task

from portal.lib import jobs
from portal.lib.leases import job_lease
from portal.lib.models import Job, JobState
from tests.portal.conftest import run_queued


@task()
def count_to_three(job_id: str) -> None:
    def work(job, progress):
        progress.set_total(3)
        for _ in range(3):
            progress.advance()
        progress.attach("result.txt", b"complete")
        return {"rows": 3}

    jobs.run_job(job_id, work)


def _start(owner) -> Job:
    return jobs.job_start(owner=owner, kind="test.count", title="数到三", task=count_to_three)


def _die_mid_way(job: Job) -> None:
    """What a worker killed at row 2 leaves behind."""
    job.state, job.done, job.total = JobState.RUNNING, 2, 3
    job.result_file.save("partial.txt", ContentFile(b"half"), save=False)
    job.save()


@pytest.fixture
def held_elsewhere():
    """Hold a job's lease in another thread, as a live worker on another machine would."""
    release = threading.Event()
    threads = []

    def hold(job_id):
        taken = threading.Event()

        def run():
            with job_lease(job_id) as held:
                assert held
                taken.set()
                release.wait(10)

        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        assert taken.wait(10)

    yield hold
    release.set()
    for thread in threads:
        thread.join(10)


def test_a_running_job_whose_worker_died_is_enqueued_again(queue, owner):
    job = _start(owner)
    _die_mid_way(job)

    recovered = jobs.jobs_recover()

    assert [j.pk for j in recovered] == [job.pk]
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert len(queue.results) == 2  # the first delivery and the new one


def test_the_rerun_starts_again_and_replaces_the_partial_result(queue, owner):
    job = _start(owner)
    _die_mid_way(job)
    partial = job.result_file.name
    jobs.jobs_recover()

    run_queued(queue, keep=True)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.done == job.total == 3
    assert job.result == {"rows": 3}
    assert job.result_file.read() == b"complete"
    assert not default_storage.exists(partial)


def test_a_job_that_a_live_worker_runs_is_left_alone(queue, owner, held_elsewhere):
    job = _start(owner)
    _die_mid_way(job)
    held_elsewhere(job.pk)

    assert jobs.jobs_recover() == []

    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_a_duplicate_delivery_does_not_run_the_job_twice(queue, owner, held_elsewhere, monkeypatch):
    monkeypatch.setattr(jobs, "DEFAULT_WAIT", 0.2)
    job = _start(owner)
    held_elsewhere(job.pk)

    run_queued(queue, keep=True)

    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert job.done == 0


def test_a_finished_job_is_neither_recovered_nor_run_again(queue, owner):
    job = _start(owner)
    run_queued(queue, keep=True)
    Job.objects.filter(pk=job.pk).update(done=99)

    assert jobs.jobs_recover(grace=timedelta(0)) == []
    run_queued(queue, keep=True)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.done == 99


def test_a_queued_job_waiting_for_a_worker_is_left_alone(queue, owner):
    job = _start(owner)

    assert jobs.jobs_recover(grace=timedelta(0)) == []
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED


def test_a_queued_job_whose_task_ended_without_running_it_is_enqueued_again(queue, owner):
    job = _start(owner)
    run_queued(queue, keep=True)  # the task ran while the job row said QUEUED: a lost start
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED, done=0)
    object.__setattr__(queue.results[0], "status", TaskResultStatus.SUCCESSFUL)

    recovered = jobs.jobs_recover(grace=timedelta(0))

    assert [j.pk for j in recovered] == [job.pk]


def test_a_job_whose_task_is_gone_fails_with_a_message_instead_of_hanging(queue, owner):
    job = Job.objects.create(owner=owner, kind="test.count", title="数到三", task_result_id="gone")
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)

    jobs.jobs_recover()

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "重新发起" in job.error
