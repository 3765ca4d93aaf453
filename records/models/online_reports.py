"""学籍在线验证报告: a snapshot of a record that anyone holding its code may verify."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from records.models.enrollment import EnrollmentRecord
from records.models.scope import ScopedQuerySet

User = settings.AUTH_USER_MODEL


class OnlineReportQuerySet(ScopedQuerySet):
    institution_lookup = "record__institution"
    college_lookup = "record__college"
    counselor_lookup = "record__school_class__counselors"
    student_lookup = "record__user"


class OnlineReport(models.Model):
    """学籍在线验证报告: a snapshot of a record that anyone holding the code may verify,
    until it expires or its owner closes it."""

    record = models.ForeignKey(
        EnrollmentRecord,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="online_reports",
    )
    user = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.CASCADE)
    code = models.CharField(_("在线验证码"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    valid_until = models.DateTimeField(_("有效期至"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("查看次数"), default=0)

    objects = OnlineReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("学籍在线验证报告")
        verbose_name_plural = _("学籍在线验证报告")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Never the code: this label goes into the append-only audit trail.
        return f"{self.record} 在线验证报告 #{self.pk}"
