"""Online verification reports: a 学籍在线验证报告 of a record, or a 学历证书电子注册备案表
of a degree, that anyone holding its code may verify."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models.enrollment import DegreeRecord, DegreeRecordQuerySet, EnrollmentRecord
from records.models.scope import ScopedQuerySet, through

User = settings.AUTH_USER_MODEL

# A report is of one 学籍 or of one 学历, never both, never neither.
_ONE_SUBJECT = Q(record__isnull=False, degree__isnull=True) | Q(
    record__isnull=True, degree__isnull=False
)


class OnlineReportQuerySet(ScopedQuerySet):
    """A report is in scope where its record is, or where its degree is (the degree's own
    scope, DegreeRecordQuerySet, through `degree`)."""

    institution_lookup = (
        "record__institution",
        *through("degree", DegreeRecordQuerySet.institution_lookup),
    )
    college_lookup = ("record__college", *through("degree", DegreeRecordQuerySet.college_lookup))
    counselor_lookup = (
        "record__school_class__counselors",
        *through("degree", DegreeRecordQuerySet.counselor_lookup),
    )
    student_lookup = ("record__user", *through("degree", DegreeRecordQuerySet.student_lookup))

    def owned_by(self, user):
        """The reports of the records and degrees bound to `user`: hers to act on."""
        return self.filter(Q(record__user=user) | Q(degree__user=user))


class ReportKind(models.TextChoices):
    ENROLLMENT = "enrollment", _("学籍在线验证报告")
    DEGREE = "degree", _("学历证书电子注册备案表")


class OnlineReport(models.Model):
    """An online verification report: a view of a 学籍 (学籍在线验证报告) or of a 学历
    (学历证书电子注册备案表) that anyone holding the code may verify, until it expires or
    its owner closes it. Its kind is which of the two it is of."""

    # Of a 学籍 or of a 学历: exactly one of the two (the check constraint below).
    record = models.ForeignKey(
        EnrollmentRecord,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="online_reports",
    )
    degree = models.ForeignKey(
        DegreeRecord,
        verbose_name=_("学历"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
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
        verbose_name = _("在线验证报告")
        verbose_name_plural = _("在线验证报告")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_ONE_SUBJECT, name="online_report_of_record_or_degree")
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

    @property
    def subject(self) -> EnrollmentRecord | DegreeRecord:
        """The record or the degree the report shows."""
        return self.degree if self.degree_id is not None else self.record


_KIND_LABELS = dict(ReportKind.choices)
