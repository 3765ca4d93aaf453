"""Notices (通知) that open a verification campaign, and the per-class feedback sheets."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MessageState, OutboxMessage, Role
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
        if user.is_admin:
            return self.all()
        if user.role == Role.REGISTRAR:
            return self.filter(published | Q(institution_id=user.institution_id))
        return self.filter(published)

    def managed_by(self, user):
        """Notices a person may write, publish and withdraw: the registrar's own
        institution's (admins: all)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        if user.role == Role.REGISTRAR and user.institution_id:
            return self.filter(institution_id=user.institution_id)
        return self.none()

    def followed_by(self, user):
        """Notices with a task whose progress staff follow: their institution's
        published ones; the registrar's drafts and withdrawn ones too."""
        tasks = self.exclude(task=NoticeTask.NONE)
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return tasks
        if user.role == Role.REGISTRAR and user.institution_id:
            return tasks.filter(institution_id=user.institution_id)
        if user.role in (Role.COLLEGE, Role.COUNSELOR) and user.institution_id:
            return tasks.published().filter(institution_id=user.institution_id)
        return self.none()


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
    sheet_deadline = models.DateTimeField(
        _("反馈表截止时间"),
        null=True,
        blank=True,
        help_text=_("反馈表交教务处的截止时间，逾期不再受理；不填则为截止时间"),
    )
    # §2 of issue 15 (seed 004 makes the self-check compulsory, with a deadline): a student
    # with the task open is taken to her to-do first at log-in until the window closes.
    is_required = models.BooleanField(
        _("必须完成"),
        default=False,
        help_text=_("勾选后，未完成任务的学生登录时先进入待办事项，每个页面都提示，直至完成或截止"),
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
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
                violation_error_message=_("截止时间必须晚于开始时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        started = self.window_start is None or self.window_start <= now
        return started and (self.window_end is None or now <= self.window_end)

    @property
    def has_task(self) -> bool:
        return self.task != NoticeTask.NONE

    @property
    def asks_record_check(self) -> bool:
        return self.task in (NoticeTask.RECORD_CHECK, NoticeTask.BOTH)

    @property
    def asks_photo_check(self) -> bool:
        return self.task in (NoticeTask.PHOTO_CHECK, NoticeTask.BOTH)

    @property
    def sheets_due(self):
        """When the classes' feedback sheets are due (seed 004: the day after the window)."""
        return self.sheet_deadline or self.window_end


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
        parts += [
            f"{self.graduation_year}届" if self.graduation_year else "",
            self.get_level_display() if self.level else "",
        ]
        return " ".join(p for p in parts if p) or str(_("全校"))


class ConfirmationNotice(models.Model):
    """Which notice a 正确 was made under: the latest started record-check notice for the
    student then (notices.links). Deleting the notice drops the link, never the 正确."""

    confirmation = models.OneToOneField(
        "records.RecordConfirmation",
        verbose_name=_("学籍确认"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_link",
    )
    notice = models.ForeignKey(
        Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="confirmation_links"
    )

    class Meta:
        verbose_name = _("学籍确认的通知")
        verbose_name_plural = _("学籍确认的通知")

    def __str__(self) -> str:
        return f"{self.confirmation_id} → {self.notice_id}"


class DiscrepancyNotice(models.Model):
    """Which notice a 有误 was filed under (notices.links); its 文号 shows on the
    registrar's page of the report. Deleting the notice drops the link, never the report."""

    report = models.OneToOneField(
        "records.DiscrepancyReport",
        verbose_name=_("学籍有误申请"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_link",
    )
    notice = models.ForeignKey(
        Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="report_links"
    )

    class Meta:
        verbose_name = _("有误申请的通知")
        verbose_name_plural = _("有误申请的通知")

    def __str__(self) -> str:
        return f"{self.report_id} → {self.notice_id}"


class NoticeContact(models.Model):
    """联系方式: who answers questions about the notice (seed 000: 教务处学籍科,
    办公楼一楼学籍管理室; seed 002: a teacher of the adult-education office and the office's
    phone)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="contact_rows")
    office = models.CharField(_("部门或联系人"), max_length=100)
    room = models.CharField(_("地点"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.office, self.room, self.phone, self.email) if p)


def attachment_path(instance, filename: str) -> str:
    return f"notices/{instance.notice_id}/{instance.token}{instance.extension}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100)
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("不公开的附件只有登录的本校师生可以下载")
    )
    size = models.PositiveIntegerField(_("大小"), default=0)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["pk"]

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
    # The names as signed: a signed sheet keeps them even if an account is renamed.
    counselor_name = models.CharField(_("辅导员签名"), max_length=50, blank=True)
    leader_name = models.CharField(_("学院领导签名"), max_length=50, blank=True)
    leader_opinion = models.CharField(_("复核意见"), max_length=200, blank=True)
    # The rows the counselor signed (序号, 学号, 姓名, 校对结果): what was handed in does
    # not change when a student confirms later.
    signed_rows = models.JSONField(_("签名时的反馈表"), null=True, blank=True, editable=False)

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
    def institution_id(self) -> int:
        """For the audit trail (portal.lib.audit files each event under an institution)."""
        return self.notice.institution_id

    @property
    def handed_in_at(self):
        """The sheet counts as handed in when the college leader countersigns."""
        return self.leader_signed_at

    @property
    def is_handed_in(self) -> bool:
        return self.leader_signed_at is not None

    @property
    def is_signed(self) -> bool:
        return self.counselor_signed_at is not None

    @property
    def needs_new_signature(self) -> bool:
        """签名后有变化: signed, not handed in, and a student's row changed since (known
        where notices.feedback.attach_changes set `changes`). The counselor signs again
        before the college may countersign."""
        return self.is_signed and not self.is_handed_in and bool(getattr(self, "changes", None))

    def is_late(self, notice: Notice | None = None) -> bool:
        """Handed in after the notice's deadline (seed 004: 逾期不再受理), or still not
        handed in when the deadline has passed."""
        due = (notice or self.notice).sheets_due
        if due is None:
            return False
        return (self.leader_signed_at or timezone.now()) > due


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


class ReminderTopic(models.TextChoices):
    """What a reminder asks the student to do: a notice's task, or (no notice) to check
    her 学历照片 before diploma registration (seed 003)."""

    NOTICE = "notice", _("通知任务")
    DIPLOMA_PHOTO = "diploma_photo", _("学历照片未确认")


class ReminderQuerySet(models.QuerySet):
    def with_delivery(self):
        """Each reminder with how its messages fared (`delivery`: "sent" when one of them
        reached her, "failed" when every one failed, else "waiting"). A reminder written
        before messages were queued (it has none) was sent at once. Subqueries, not
        aggregates, so that a list can be counted by `delivery`."""
        through = Reminder.messages.through.objects.filter(reminder=models.OuterRef("pk"))
        return self.annotate(
            delivery=models.Case(
                models.When(
                    models.Exists(through.filter(outboxmessage__state=MessageState.SENT))
                    | ~models.Exists(through),
                    then=models.Value("sent"),
                ),
                models.When(
                    ~models.Exists(through.exclude(outboxmessage__state=MessageState.FAILED)),
                    then=models.Value("failed"),
                ),
                default=models.Value("waiting"),
                output_field=models.CharField(),
            )
        )


class Reminder(models.Model):
    """One reminder (提醒) to a student: at most one per student per day, whichever
    notice or topic and whoever sends it. A notice's reminder names the notice; the
    others name none (the constraint keeps the two together). It is sent when one of its
    messages (SMS, e-mail: accounts.outbox) is (ReminderQuerySet.with_delivery)."""

    topic = models.CharField(
        _("提醒事项"), max_length=20, choices=ReminderTopic.choices, default=ReminderTopic.NOTICE
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    record = models.ForeignKey(
        "records.EnrollmentRecord", on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(
        User, verbose_name=_("学生账号"), on_delete=models.CASCADE, related_name="reminders"
    )
    day = models.DateField(_("日期"))
    channels = models.CharField(_("发送方式"), max_length=20)
    sent_by = models.ForeignKey(
        User, verbose_name=_("发送人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    # The job that sent it (its page lists the reminders that failed) and its messages.
    job = models.ForeignKey(
        "portal.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    messages = models.ManyToManyField(OutboxMessage, blank=True, related_name="+")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"], name="one_reminder_per_student_per_day"
            ),
            models.CheckConstraint(
                condition=(Q(topic=ReminderTopic.NOTICE) & Q(notice__isnull=False))
                | (~Q(topic=ReminderTopic.NOTICE) & Q(notice__isnull=True)),
                name="reminder_notice_iff_notice_topic",
            ),
        ]
        indexes = [models.Index(fields=["notice", "day"], name="reminder_notice_day_idx")]

    def __str__(self) -> str:
        about = self.notice.number if self.notice else self.get_topic_display()
        return f"{about} → {self.user} {self.day}"


# 专业满意度和院校满意度评价 (seed 004 step 五) ------------------------------------------


class SatisfactionScale(models.IntegerChoices):
    """1–5, as the national site's stars read."""

    VERY_DISSATISFIED = 1, _("非常不满意")
    DISSATISFIED = 2, _("不满意")
    NEUTRAL = 3, _("一般")
    SATISFIED = 4, _("满意")
    VERY_SATISFIED = 5, _("非常满意")


class RecommendScale(models.IntegerChoices):
    """The two "would you recommend" items: 1–5 too, worded as a willingness."""

    VERY_UNWILLING = 1, _("非常不愿意")
    UNWILLING = 2, _("不太愿意")
    UNSURE = 3, _("说不准")
    WILLING = 4, _("愿意")
    VERY_WILLING = 5, _("非常愿意")


class SatisfactionEvaluationQuerySet(ScopedQuerySet):
    """The registrar sees her institution's answers, a college its own college's; nobody
    else sees any (notices.satisfaction.selectors groups them, a group under 5 shows nothing)."""

    institution_lookup = "notice__institution"
    college_lookup = "college"


# The items of the national site's 专业满意度 and 院校满意度, in the form's order.
MAJOR_ITEMS = ("major_overall", "major_teaching", "major_prospects", "major_recommend")
SCHOOL_ITEMS = (
    "school_overall", "school_teaching", "school_facilities", "school_life", "school_recommend",
)  # fmt: skip
SATISFACTION_ITEMS = MAJOR_ITEMS + SCHOOL_ITEMS


def _scored(label, scale=SatisfactionScale):
    return models.PositiveSmallIntegerField(label, choices=scale.choices)


class SatisfactionEvaluation(models.Model):
    """One student's answers to the 专业 and 院校 evaluation of a notice's task, and the
    专业 / 学院 / 层次 / 年级 they are about, as her record read then.

    Nothing here leads back to her: no account, no record, no time (a time would pair the
    answer with her 正确 or her log-in), a random key (a counter would pair it with the
    order of SatisfactionParticipant rows). That she answered is kept apart, in
    SatisfactionParticipant, which enforces once per task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("通知"),
        on_delete=models.CASCADE,
        related_name="satisfaction_evaluations",
    )
    college = models.ForeignKey(
        "records.College", verbose_name=_("学院"), on_delete=models.PROTECT, related_name="+"
    )
    major = models.ForeignKey(
        "records.Major", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("层次"), max_length=20, choices=Level.choices)
    cohort = models.PositiveSmallIntegerField(_("年级（级）"))
    # 专业满意度
    major_overall = _scored(_("专业综合满意度"))
    major_teaching = _scored(_("专业教学质量"))
    major_prospects = _scored(_("就业前景"))
    major_recommend = _scored(_("向他人推荐本专业"), RecommendScale)
    # 院校满意度
    school_overall = _scored(_("院校综合满意度"))
    school_teaching = _scored(_("院校教学水平"))
    school_facilities = _scored(_("办学条件（教学设施、环境）"))
    school_life = _scored(_("生活服务"))
    school_recommend = _scored(_("向他人推荐本校"), RecommendScale)
    words = models.TextField(_("意见和建议"), max_length=500, blank=True)

    objects = SatisfactionEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{item}__range": (1, 5) for item in SATISFACTION_ITEMS}),
                name="satisfaction_scores_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["notice", "college", "major"], name="satisfaction_group_idx")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.college_id}/{self.major_id}"


class SatisfactionParticipant(models.Model):
    """已评价: that a student answered the evaluation of a notice's task, once per task
    (the constraint). Which answers are hers is kept nowhere (SatisfactionEvaluation), so
    she cannot change them either. No time: it would narrow down whose answers came when."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User, verbose_name=_("学生账号"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("已参加满意度评价")
        verbose_name_plural = _("已参加满意度评价")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user"], name="one_satisfaction_evaluation_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.user_id}"
