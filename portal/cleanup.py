"""What the portal no longer needs, removed once a day (`manage.py cleanup`; the worker
runs it daily, portal.worker.housekeeping): expired sessions, spent verification codes,
settled messages, old export files, finished task results and expired throttle counters.

The audit trail is never touched here: it is the PIPL record of who saw what.
"""

from __future__ import annotations

import time
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MessageState, OutboxMessage, VerificationCode
from portal.lib.models import Job, JobState, ThrottleCounter

# A code is kept a day past its expiry: the per-destination limits count a day's codes.
CODE_KEPT = timedelta(days=2)
EXPIRED_EXPORT_NOTE = _("文件已超过保留期限并已清理，请重新导出")


def kept(name: str, default: int) -> timedelta:
    return timedelta(days=getattr(settings, name, default))


def clear_sessions() -> int:
    """Expired sessions; a database-backed engine says how many."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    removed = 0
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        removed = model.objects.filter(expire_date__lt=timezone.now()).count()
    store.clear_expired()
    return removed


def clear_codes(now) -> int:
    removed, _by_model = VerificationCode.objects.filter(expires_at__lt=now - CODE_KEPT).delete()
    return removed


def clear_messages(now) -> int:
    """Messages sent or given up on more than MESSAGE_KEEP_DAYS ago (a reminder's delivery
    state is read from them while its job page is of use)."""
    removed, _by_model = OutboxMessage.objects.filter(
        state__in=[MessageState.SENT, MessageState.FAILED],
        created_at__lt=now - kept("MESSAGE_KEEP_DAYS", 30),
    ).delete()
    return removed


def clear_exports(now) -> int:
    """Result files of finished jobs older than EXPORT_KEEP_DAYS: the file goes, the job
    stays (its page says the file was cleared and how to get a new one)."""
    old = Job.objects.filter(
        finished_at__lt=now - kept("EXPORT_KEEP_DAYS", 7),
        state__in=[JobState.SUCCEEDED, JobState.FAILED],
    ).exclude(result_file="")
    removed = 0
    for job in old.iterator():
        job.result_file.delete(save=False)
        job.result_file = ""
        job.message = str(EXPIRED_EXPORT_NOTE)
        job.save(update_fields=["result_file", "message"])
        removed += 1
    return removed


def clear_task_results(now) -> int:
    """Finished results of the database task queue (RQ keeps its own with a TTL)."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    removed, _by_model = DBTaskResult.objects.filter(
        Q(status="SUCCESSFUL") | Q(status="FAILED"),
        finished_at__lt=now - kept("TASK_RESULT_KEEP_DAYS", 7),
    ).delete()
    return removed


def clear_throttle_counters() -> int:
    # The workers' own clean-up mark (portal.worker.housekeeping) is kept: it says when.
    expired = ThrottleCounter.objects.filter(expires__lt=time.time())
    removed, _by_model = expired.exclude(key="portal.worker.cleanup").delete()
    return removed


def cleanup(now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "sessions": clear_sessions(),
        "codes": clear_codes(now),
        "messages": clear_messages(now),
        "exports": clear_exports(now),
        "task_results": clear_task_results(now),
        "throttle_counters": clear_throttle_counters(),
    }
