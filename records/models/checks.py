"""What students say of their 学籍: 正确 (RecordConfirmation) and 有误 (DiscrepancyReport,
its items and evidence)."""

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


class RecordConfirmationQuerySet(SubjectScopedQuerySet):
    pass


class RecordConfirmation(OfSubject, models.Model):
    """正确: the student confirmed every field of the record as it stood then. A
    correction of the record revokes it, so that the student confirms again. Which notice
    it was made under is kept above records (records.signals)."""

    # Of a 学籍 or of a 学历: exactly one of the two (ONE_SUBJECT below).
    record = record_key("confirmations")
    degree = degree_key("confirmations")
    user = models.ForeignKey(User, verbose_name=_("确认人"), on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("失效原因"), max_length=200, blank=True)

    objects = RecordConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("学籍确认")
        verbose_name_plural = _("学籍确认")
        ordering = ["-confirmed_at"]
        constraints = [
            # A double-clicked 正确 records one confirmation (docs/quality.md: idempotence).
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_confirmation_per_record",
            ),
            models.UniqueConstraint(
                fields=["degree"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_confirmation_per_degree",
            ),
            models.CheckConstraint(condition=ONE_SUBJECT, name="confirmation_of_record_or_degree"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} 正确 {self.confirmed_at:%Y-%m-%d}"


class SubjectKind(models.TextChoices):
    """What a confirmation or a report is of (the queue's filter 学籍 / 学历)."""

    RECORD = "record", _("学籍")
    DEGREE = "degree", _("学历")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class DiscrepancyReportQuerySet(RecordConfirmationQuerySet):
    def open(self):
        return self.filter(state=ReportState.SUBMITTED)

    def of_kind(self, kind: str):
        """学籍 or 学历 reports (SubjectKind); every report for ""."""
        if kind == SubjectKind.RECORD:
            return self.filter(record__isnull=False)
        if kind == SubjectKind.DEGREE:
            return self.filter(degree__isnull=False)
        return self


class DiscrepancyReport(OfSubject, models.Model):
    """有误: the student says some fields are wrong, gives the right values and evidence.
    Which notice it was filed under is kept above records (records.signals)."""

    # Of a 学籍 or of a 学历: exactly one of the two (ONE_SUBJECT below).
    record = record_key("discrepancy_reports")
    degree = degree_key("discrepancy_reports")
    user = models.ForeignKey(
        User, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="reports_filed"
    )
    explanation = models.TextField(_("情况说明"), blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    reviewer = models.ForeignKey(
        User,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports_reviewed",
    )
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = DiscrepancyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("学籍有误申请")
        verbose_name_plural = _("学籍有误申请")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state="submitted"),
                name="one_open_report_per_record",
            ),
            models.UniqueConstraint(
                fields=["degree"],
                condition=Q(state="submitted"),
                name="one_open_report_per_degree",
            ),
            models.CheckConstraint(condition=ONE_SUBJECT, name="report_of_record_or_degree"),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"{self.subject} 有误（{self.get_state_display()}）"

    @property
    def is_of_degree(self) -> bool:
        return self.degree_id is not None

    @property
    def state_label(self) -> str:
        """get_state_display() without rebuilding the choices on every call (list rows)."""
        return _STATE_LABELS.get(self.state, self.state)


_STATE_LABELS = dict(ReportState.choices)


class DiscrepancyItem(models.Model):
    """One wrong field of a report: the value on record and the value the student claims."""

    report = models.ForeignKey(
        DiscrepancyReport, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="items"
    )
    field = models.CharField(_("字段"), max_length=40)
    current_value = models.CharField(_("现有信息"), max_length=200, blank=True)
    claimed_value = models.CharField(_("正确信息"), max_length=200)
    accepted = models.BooleanField(_("已采纳"), null=True, blank=True)

    class Meta:
        verbose_name = _("有误字段")
        verbose_name_plural = _("有误字段")
        constraints = [
            models.UniqueConstraint(fields=["report", "field"], name="one_item_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.current_value} → {self.claimed_value}"


class EvidenceKind(models.TextChoices):
    POLICE_CERTIFICATE = "police", _("公安部门证明")
    HOUSEHOLD_REGISTER = "hukou", _("户口本")
    ID_CARD = "id_card", _("身份证")
    OTHER = "other", _("其他材料")


def evidence_path(instance, filename: str) -> str:
    # The stored name is ours (docs/security.md: file names never taken from the user).
    return f"evidence/{instance.report_id}/{instance.token}{instance.extension}"


class DiscrepancyEvidence(models.Model):
    """A supporting scan of a report, kept in private storage."""

    report = models.ForeignKey(
        DiscrepancyReport,
        verbose_name=_("申请"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    kind = models.CharField(_("材料类型"), max_length=12, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
