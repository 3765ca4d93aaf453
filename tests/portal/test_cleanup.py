"""`manage.py cleanup` (issue 17 §5): what is past its keeping goes, what is not stays, and
the audit trail is never touched."""

import io
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import CodePurpose, VerificationCode
from portal.lib.models import AuditEvent, Job, JobState, ThrottleCounter


def code(destination: str, expires_at) -> VerificationCode:
    return VerificationCode.objects.create(
        purpose=CodePurpose.REGISTER,
        destination=destination,
        code_hash="x" * 64,
        created_at=expires_at - timedelta(minutes=10),
        expires_at=expires_at,
    )


def job(owner, finished_at, name: str) -> Job:
    job = Job.objects.create(
        kind="export", title=name, owner=owner, state=JobState.SUCCEEDED, finished_at=finished_at
    )
    job.result_file.save(f"{name}.xlsx", ContentFile(b"PK-xlsx"), save=False)
    job.result_filename = f"{name}.xlsx"
    job.save()
    return job


def task_result(status: str, finished_at) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        enqueued_at=finished_at,
        finished_at=finished_at,
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="portal.tasks.example",
        queue_name="default",
        backend_name="default",
    )


def test_it_removes_what_is_past_its_keeping_and_keeps_the_rest(
    world, private_media, client_for, settings
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    now = timezone.now()
    client_for(world.alice).get("/")  # a live session
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(1))
    old_code, new_code = code("13800000001", now - timedelta(days=3)), code("13800000002", now)
    old_job = job(world.registrar, now - timedelta(days=8), "old")
    new_job = job(world.registrar, now - timedelta(days=1), "new")
    old_file = old_job.result_file.name
    old_done, old_failed = (
        task_result("SUCCESSFUL", now - timedelta(8)),
        task_result("FAILED", now - timedelta(8)),
    )
    waiting, recent = task_result("READY", now - timedelta(8)), task_result("SUCCESSFUL", now)
    ThrottleCounter.objects.create(key="old", count=1, expires=time.time() - 60)
    ThrottleCounter.objects.create(key="new", count=1, expires=time.time() + 60)
    events = AuditEvent.objects.count()
    out = io.StringIO()

    call_command("cleanup", stdout=out)

    assert "过期会话 1" in out.getvalue() and "过期导出文件 1" in out.getvalue()
    assert not Session.objects.filter(session_key="e" * 32).exists()
    assert Session.objects.filter(expire_date__gt=now).exists()
    assert list(VerificationCode.objects.all()) == [new_code]
    assert not VerificationCode.objects.filter(pk=old_code.pk).exists()
    old_job.refresh_from_db()
    new_job.refresh_from_db()
    assert not old_job.result_file and not private_media.joinpath(old_file).exists()
    assert "已超过保留期限" in old_job.message
    assert new_job.result_file and private_media.joinpath(new_job.result_file.name).exists()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()
    assert list(ThrottleCounter.objects.values_list("key", flat=True)) == ["new"]
    assert AuditEvent.objects.count() == events


def test_a_cleared_export_page_says_so_and_offers_no_download(world, private_media, client_for):
    old_job = job(world.registrar, timezone.now() - timedelta(days=30), "old")
    call_command("cleanup", stdout=io.StringIO())
    client = client_for(world.registrar)

    page = client.get(old_job.get_absolute_url()).content.decode()

    assert "已超过保留期限" in page and "请重新导出" in page
    assert reverse("portal:job_download", args=[old_job.pk]) not in page
    assert client.get(reverse("portal:job_download", args=[old_job.pk])).status_code == 404


def test_the_worker_cleans_up_once_a_day(db, settings):
    """portal.worker.housekeeping: every round may ask, one clean-up a day happens."""
    from portal.worker.housekeeping import housekeeping_round

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    past = timezone.now() - timedelta(days=1)
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=past)

    housekeeping_round("test-worker")
    assert not Session.objects.filter(session_key="a" * 32).exists()

    Session.objects.create(session_key="b" * 32, session_data="", expire_date=past)
    housekeeping_round("test-worker")
    assert Session.objects.filter(session_key="b" * 32).exists()  # not again the same day

    ThrottleCounter.objects.filter(key="portal.worker.cleanup").update(expires=time.time() - 1)
    housekeeping_round("test-worker")
    assert not Session.objects.filter(session_key="b" * 32).exists()
