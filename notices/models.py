"""Notices (通知) that open a verification campaign, and the per-class feedback sheets."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from records.models import Level, ScopedQuerySet

User = settings.AUTH_USER_MODEL


class NoticeTask(models.TextChoices):
    NONE = "none", _("无")
    RECORD_CHECK = "record_check", _("学籍信息自查")
    PHOTO_CHECK = "photo_check", _("图像校对")
    BOTH = "both", _("学籍信息自查和图像校对")


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class NoticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=NoticeState.PUBLISHED)

    def visible_to(self, user):
        """Published notices are public; staff also see their institution's drafts."""
        published = Q(state=NoticeState.PUBLISHED)
        if not user.is_authenticated:
            return self.filter(published)
        if user.is_superuser or user.role == Role.ADMIN:
            return self.all()
        if user.role == Role.REGISTRAR:
            return self.filter(published | Q(institution_id=user.institution_id))
        return self.filter(published)

    def for_student(self, user):
        """Published notices whose audience includes one of the student's records.

        All audience conditions sit in one filter() call, so they apply to the same
        audience row: a rule matches only when every filled field matches."""
        from records.models import EnrollmentRecord

        records = EnrollmentRecord.objects.filter(user=user).values(
            "institution_id", "college_id", "admission_year", "expected_graduation", "level"
        )
        matches = Q(pk__in=[])
        for record in records:
            rule = (
                (Q(audience__college__isnull=True) | Q(audience__college=record["college_id"]))
                & (Q(audience__cohort__isnull=True) | Q(audience__cohort=record["admission_year"]))
                & (
                    Q(audience__graduation_year__isnull=True)
                    | Q(audience__graduation_year=record["expected_graduation"].year)
                )
                & (Q(audience__level="") | Q(audience__level=record["level"]))
            )
            matches |= Q(institution=record["institution_id"]) & (Q(audience__isnull=True) | rule)
        return self.published().filter(matches).distinct()


class Notice(models.Model):
    """A numbered notice of the registrar (e.g. 23-106 or 普院教发（2018）4号)."""

    institution = models.ForeignKey(
        "records.Institution",
        verbose_name=_("院校"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    number = models.CharField(_("文号"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    issuing_office = models.CharField(_("发文单位"), max_length=100)
    drafted_by = models.CharField(_("拟文"), max_length=50, blank=True)
    signed_by = models.CharField(_("签发"), max_length=50, blank=True)
    issue_date = models.DateField(_("发文日期"))
    body = models.TextField(_("正文"), help_text=_("支持标题、列表、链接和表格（Markdown）"))
    contacts = models.TextField(_("联系方式"), blank=True)
    task = models.CharField(
        _("校对任务"), max_length=20, choices=NoticeTask.choices, default=NoticeTask.NONE
    )
    window_start = models.DateTimeField(_("开始时间"), null=True, blank=True)
    window_end = models.DateTimeField(_("截止时间"), null=True, blank=True)
    correction_deadline = models.DateTimeField(
        _("更正申请截止时间"), null=True, blank=True, help_text=_("逾期不再办理信息更改手续")
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "number"], name="unique_notice_number"),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True)
                | Q(window_start__isnull=True)
                | Q(window_end__gt=models.F("window_start")),
                name="notice_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        started = self.window_start is None or self.window_start <= now
        return started and (self.window_end is None or now <= self.window_end)


class NoticeAudience(models.Model):
    """One audience rule: a student matches when every filled field matches one of
    their records. A notice with no rule is for the whole institution."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="audience")
    college = models.ForeignKey(
        "records.College", verbose_name=_("学院"), on_delete=models.CASCADE, null=True, blank=True
    )
    cohort = models.PositiveSmallIntegerField(_("年级（级）"), null=True, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份（届）"), null=True, blank=True)
    level = models.CharField(_("层次"), max_length=20, choices=Level.choices, blank=True)

    class Meta:
        verbose_name = _("通知对象")
        verbose_name_plural = _("通知对象")

    def __str__(self) -> str:
        parts = [str(self.college or ""), f"{self.cohort}级" if self.cohort else ""]
        parts += [f"{self.graduation_year}届" if self.graduation_year else "", self.level]
        return " ".join(p for p in parts if p) or str(_("全校"))


def attachment_path(instance, filename: str) -> str:
    return f"notices/{instance.notice_id}/{instance.token}{instance.extension}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100)
    is_public = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")

    def __str__(self) -> str:
        return self.title


class FeedbackSheetQuerySet(ScopedQuerySet):
    institution_lookup = "school_class__institution"
    college_lookup = "school_class__college"
    counselor_lookup = "school_class__counselors"
    student_lookup = "school_class__monitor"


class FeedbackSheet(models.Model):
    """反馈表 of one class for one notice (seed 004, 附件 2)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="feedback_sheets")
    school_class = models.ForeignKey(
        "records.SchoolClass",
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        related_name="feedback_sheets",
    )
    counselor_signed_by = models.ForeignKey(
        User,
        verbose_name=_("辅导员签名"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counselor_signed_at = models.DateTimeField(_("辅导员签名时间"), null=True, blank=True)
    leader_signed_by = models.ForeignKey(
        User,
        verbose_name=_("学院领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    leader_signed_at = models.DateTimeField(_("学院复核时间"), null=True, blank=True)

    objects = FeedbackSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("反馈表")
        verbose_name_plural = _("反馈表")
        constraints = [
            models.UniqueConstraint(fields=["notice", "school_class"], name="one_sheet_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.notice.number}"

    @property
    def handed_in_at(self):
        """The sheet counts as handed in when the college leader countersigns."""
        return self.leader_signed_at


class FeedbackRemark(models.Model):
    """Words the monitor or counselor adds to a row of the sheet."""

    sheet = models.ForeignKey(FeedbackSheet, on_delete=models.CASCADE, related_name="remarks")
    record = models.ForeignKey("records.EnrollmentRecord", on_delete=models.CASCADE)
    text = models.CharField(_("补充说明"), max_length=200)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("反馈表补充说明")
        verbose_name_plural = _("反馈表补充说明")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "record"], name="one_remark_per_row")
        ]

    def __str__(self) -> str:
        return self.text
