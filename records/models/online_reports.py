"""Online verification reports: a 学籍在线验证报告 of a record, or a 学历证书电子注册备案表
of a degree, that anyone holding its code may verify."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models.subjects import (
    ONE_SUBJECT,
    OfSubject,
    SubjectScopedQuerySet,
    degree_key,
    record_key,
)

User = settings.AUTH_USER_MODEL


class OnlineReportQuerySet(SubjectScopedQuerySet):
    """A report is in scope where its record is, or where its degree is."""

    def owned_by(self, user):
        """The reports of the records and degrees bound to `user`: hers to act on."""
        return self.filter(Q(record__user=user) | Q(degree__user=user))


class ReportKind(models.TextChoices):
    ENROLLMENT = "enrollment", _("学籍在线验证报告")
    DEGREE = "degree", _("学历证书电子注册备案表")


class OnlineReport(OfSubject, models.Model):
    """An online verification report: a view of a 学籍 (学籍在线验证报告) or of a 学历
    (学历证书电子注册备案表) that anyone holding the code may verify, until it expires or
    its owner closes it. Its kind is which of the two it is of."""

    # Of a 学籍 or of a 学历: exactly one of the two (ONE_SUBJECT below).
    record = record_key("online_reports")
    degree = degree_key("online_reports")
    user = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.CASCADE)
    code = models.CharField(_("在线验证码"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    valid_until = models.DateTimeField(_("有效期至"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("查看次数"), default=0)

    objects = OnlineReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("在线验证报告")
        verbose_name_plural = _("在线验证报告")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="online_report_of_record_or_degree")
        ]

    def __str__(self) -> str:
        # Never the code: this label goes into the append-only audit trail.
        return f"{self.subject} {self.kind_label} #{self.pk}"

    @property
    def kind(self) -> str:
        return ReportKind.DEGREE if self.degree_id is not None else ReportKind.ENROLLMENT

    @property
    def kind_label(self) -> str:
        return str(_KIND_LABELS[self.kind])


_KIND_LABELS = dict(ReportKind.choices)
