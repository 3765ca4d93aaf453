"""Cross-cutting tables: the audit trail and the progress of background jobs."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除")


class AppendOnlyModel(models.Model):
    """Rows that are written once: saving an existing row or deleting one raises (the
    audit trail is append-only for everyone, docs/quality.md)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除")


class AuditEventQuerySet(AppendOnlyQuerySet):
    def changes_only(self):
        """What was done, without who only looked or exported (log_access)."""
        return self.filter(is_access=False)

    def concerning(self, *, user=None, users=None, records=None):
        """The events about these students: their accounts as subject, or named among
        the subjects by account or by record (an imported record may have had no account
        when it was looked at; a signed sheet names records only). `users` and `records`
        may be querysets."""
        about = models.Q(pk__in=[])
        people = models.Q(pk__in=[])
        if user is not None:
            about |= models.Q(user=user) | models.Q(record__user=user)
            people |= models.Q(subject=user)
        if users is not None:
            about |= models.Q(user__in=users)
            people |= models.Q(subject__in=users)
        if records is not None:
            about |= models.Q(record__in=records)
        named = models.Q(pk__in=AuditSubject.objects.filter(about).values("event_id"))
        return self.filter(named | people)

    def of_institution(self, institution_id):
        """The events of one institution (who may read which: accounts.access)."""
        return self.filter(institution_id=institution_id)


class AuditEvent(AppendOnlyModel):
    """Who did what to which object, when, with the values before and after, and why.

    Written only through `portal.lib.audit.log_action`; append-only for everyone (the model
    refuses updates and deletes, and the admin is read-only)."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_actions",
    )
    actor_label = models.CharField(_("操作人"), max_length=120, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=40)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    subject = models.ForeignKey(
        User,
        verbose_name=_("信息所属人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_about",
        help_text=_("被操作信息所属的学生账号"),
    )
    institution = models.ForeignKey(
        "records.Institution",
        verbose_name=_("院校"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Written by log_access: someone looked at or exported personal data, nothing changed.
    # A history of changes (a notice's, a report's 变更记录) leaves these out.
    is_access = models.BooleanField(_("查阅记录"), default=False, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class AuditSubject(AppendOnlyModel):
    """One student an audit event concerns: an export names every student in it.

    Keyed by the account when there is one and by the enrolment record (imported records
    have no account yet), so that a student can later find every event about her. The
    record link has no database constraint and is kept as it was: the trail outlives a
    record that is removed."""

    event = models.ForeignKey(
        AuditEvent, verbose_name=_("审计记录"), on_delete=models.CASCADE, related_name="subjects"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("学生账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    record = models.ForeignKey(
        "records.EnrollmentRecord",
        verbose_name=_("学籍"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计涉及的学生")
        verbose_name_plural = _("审计涉及的学生")

    def __str__(self) -> str:
        return f"{self.event_id}: user {self.user_id} record {self.record_id}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


def job_result_path(instance, filename: str) -> str:
    return f"jobs/{instance.pk}/{filename}"


class Job(models.Model):
    """A long piece of work (an import, a photo batch, an export) started by a person,
    run by the task queue, with progress the person can watch (portal.lib.jobs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    owner = models.ForeignKey(
        User, verbose_name=_("发起人"), on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to=job_result_path, blank=True)
    result_filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # Workers that took the job up, counted before each starts (portal.lib.jobs.run_job), so
    # that one killed by the job itself still counts: the job stops after MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)


class ThrottleCounter(models.Model):
    """One throttling counter (portal.lib.throttle) when Redis is not configured: a count
    in a window that ends at `expires` (epoch seconds). Written only with the atomic
    statements of portal.lib.throttle.DatabaseCounters."""

    key = models.CharField(primary_key=True, max_length=100)
    count = models.IntegerField(default=0)
    expires = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """A task worker that is alive: it writes `seen_at` every half minute (portal.worker.housekeeping);
    /healthz counts the queue as served while one of them is recent (portal.lib.health)."""

    name = models.CharField(_("处理进程"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("启动时间"))
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("处理进程心跳")
        verbose_name_plural = _("处理进程心跳")

    def __str__(self) -> str:
        return self.name
