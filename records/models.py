"""The organisation of an institution and its students' records (学籍, 学历).

Every staff query goes through the model's `visible_to(user)`: "what may this user see"
is written once here and tested once (tests/test_scope_matrix.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import IdType, Role
from portal.lib import idnumbers
from records.codes import ETHNIC_GROUPS, PROVINCES, Sex
from records.regions import region_name

User = settings.AUTH_USER_MODEL


class ScopedQuerySet(models.QuerySet):
    """Scope by role. Subclasses name the lookups that lead to institution, college,
    class and owner; a lookup of None means that role sees nothing of this model."""

    institution_lookup: str | None = "institution"
    college_lookup: str | None = "college"
    counselor_lookup: str | None = None
    student_lookup: str | None = None

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        lookup, value = self._scope_for(user)
        if lookup is None or value is None:
            return self.none()
        return self.filter(**{lookup: value})

    def _scope_for(self, user) -> tuple[str | None, object]:
        if user.role == Role.REGISTRAR:
            return self.institution_lookup, user.institution_id
        if user.role == Role.COLLEGE:
            return self.college_lookup, user.college_id
        if user.role == Role.COUNSELOR:
            return self.counselor_lookup, user.pk
        if user.role == Role.STUDENT:
            return self.student_lookup, user.pk
        return None, None


class InstitutionQuerySet(ScopedQuerySet):
    institution_lookup = "pk"
    college_lookup = "colleges"
    counselor_lookup = "classes__counselors"
    student_lookup = "enrollment_records__user"

    def visible_to(self, user):
        return super().visible_to(user).distinct()


class Institution(models.Model):
    """院校: identified by its 5-digit 院校代码."""

    code = models.CharField(
        _("院校代码"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("院校代码为 5 位数字"))],
    )
    name = models.CharField(_("院校名称"), max_length=100)
    province = models.CharField(_("所在省份"), max_length=6, choices=PROVINCES)
    registrar_office = models.CharField(
        _("学籍管理部门"), max_length=200, blank=True, help_text=_("例如：教务处学籍科，办公楼一楼")
    )
    registrar_phone = models.CharField(_("学籍管理部门电话"), max_length=50, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("院校")
        verbose_name_plural = _("院校")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class CollegeQuerySet(ScopedQuerySet):
    college_lookup = "pk"
    counselor_lookup = "classes__counselors"
    student_lookup = "enrollment_records__user"

    def visible_to(self, user):
        return super().visible_to(user).distinct()


class College(models.Model):
    """分院 / 学院."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("院校"), on_delete=models.PROTECT, related_name="colleges"
    )
    code = models.CharField(_("学院代码"), max_length=20)
    name = models.CharField(_("学院名称"), max_length=100)

    objects = CollegeQuerySet.as_manager()

    class Meta:
        verbose_name = _("学院")
        verbose_name_plural = _("学院")
        ordering = ["institution", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unique_college_code"),
            models.UniqueConstraint(fields=["institution", "name"], name="unique_college_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """系(所、函授站): optional level under a college."""

    college = models.ForeignKey(
        College, verbose_name=_("学院"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("系(所、函授站)"), max_length=100)

    class Meta:
        verbose_name = _("系(所、函授站)")
        verbose_name_plural = _("系(所、函授站)")
        ordering = ["college", "name"]
        constraints = [
            models.UniqueConstraint(fields=["college", "name"], name="unique_department_name")
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """层次."""

    JUNIOR_COLLEGE = "junior_college", _("专科")
    BACHELOR = "bachelor", _("本科")
    SECOND_BACHELOR = "second_bachelor", _("第二学士学位")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class StudyForm(models.TextChoices):
    """学习形式."""

    REGULAR_FULL_TIME = "regular_full_time", _("普通全日制")
    FULL_TIME = "full_time", _("全日制")
    PART_TIME = "part_time", _("非全日制")
    SPARE_TIME = "spare_time", _("业余")
    CORRESPONDENCE = "correspondence", _("函授")
    RELEASED = "released", _("脱产")
    ONLINE = "online", _("网络教育")
    OPEN = "open", _("开放教育")


class Category(models.TextChoices):
    """学历类别."""

    REGULAR = "regular", _("普通")
    ADULT = "adult", _("成人")
    ONLINE = "online", _("网络教育")
    OPEN = "open", _("开放教育")
    GRADUATE = "graduate", _("研究生")


class RecordStatus(models.TextChoices):
    """学籍状态. UNREGISTERED is a record delivered but not yet registered (seed 003)."""

    UNREGISTERED = "unregistered", _("未注册")
    REGISTERED = "registered", _("在籍(注册学籍)")
    DEFERRED = "deferred", _("在籍(暂缓注册)")
    SUSPENDED = "suspended", _("休学")
    RESERVED = "reserved", _("保留学籍")
    WITHDRAWN = "withdrawn", _("退学")
    EXPELLED = "expelled", _("开除学籍")
    GRADUATED = "graduated", _("已毕业")
    COMPLETED = "completed", _("结业")
    INCOMPLETE = "incomplete", _("肄业")


class Major(models.Model):
    """专业."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("院校"), on_delete=models.PROTECT, related_name="majors"
    )
    code = models.CharField(_("专业代码"), max_length=12, blank=True)
    name = models.CharField(_("专业名称"), max_length=100)
    level = models.CharField(_("层次"), max_length=20, choices=Level.choices)
    duration = models.DecimalField(
        _("学制"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("9"))],
    )

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["institution", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name", "level"], name="unique_major_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class SchoolClassQuerySet(ScopedQuerySet):
    counselor_lookup = "counselors"
    student_lookup = "monitor"


class SchoolClass(models.Model):
    """班级: a cohort of one major in one college, with counselors and a monitor (班长)."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("院校"), on_delete=models.PROTECT, related_name="classes"
    )
    college = models.ForeignKey(
        College, verbose_name=_("学院"), on_delete=models.PROTECT, related_name="classes"
    )
    major = models.ForeignKey(
        Major,
        verbose_name=_("专业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="classes",
    )
    code = models.CharField(_("班号"), max_length=30)
    name = models.CharField(_("班级名称"), max_length=100)
    cohort = models.PositiveSmallIntegerField(_("年级"), help_text=_("入学年份，例如 2023 级"))
    counselors = models.ManyToManyField(
        User, verbose_name=_("辅导员"), blank=True, related_name="counseled_classes"
    )
    monitor = models.ForeignKey(
        User,
        verbose_name=_("班长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitored_classes",
    )

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["institution", "cohort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unique_class_code")
        ]

    def __str__(self) -> str:
        return self.name


class EnrollmentRecordQuerySet(ScopedQuerySet):
    counselor_lookup = "school_class__counselors"
    student_lookup = "user"

    def with_related(self):
        return self.select_related(
            "institution", "college", "department", "school_class", "major", "user"
        )


def _id_number_field(verbose_name):
    return models.CharField(verbose_name, max_length=30, db_index=True)


class EnrollmentRecord(models.Model):
    """学籍: one student's enrollment record at one institution, as registered nationally.

    Students never edit it; staff corrections go through the records services, audited.
    """

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("院校名称"),
        on_delete=models.PROTECT,
        related_name="enrollment_records",
    )
    examinee_number = models.CharField(_("考生号"), max_length=20, blank=True)
    student_number = models.CharField(_("学号"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = _id_number_field(_("证件号码"))
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNIC_GROUPS)
    origin_region = models.CharField(
        _("生源省市"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("生源省市为 6 位行政区划代码"))],
    )
    status = models.CharField(
        _("学籍状态"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.REGISTERED
    )
    major = models.ForeignKey(
        Major, verbose_name=_("专业名称"), on_delete=models.PROTECT, related_name="records"
    )
    duration = models.DecimalField(_("学制"), max_digits=3, decimal_places=1)
    level = models.CharField(_("层次"), max_length=20, choices=Level.choices)
    admission_year = models.PositiveSmallIntegerField(_("录取年份"))
    study_form = models.CharField(_("学习形式"), max_length=20, choices=StudyForm.choices)
    category = models.CharField(_("学历类别"), max_length=20, choices=Category.choices)
    college = models.ForeignKey(
        College, verbose_name=_("分院"), on_delete=models.PROTECT, related_name="enrollment_records"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("系(所、函授站)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollment_records",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("班级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollment_records",
    )
    entry_date = models.DateField(_("入学日期"))
    expected_graduation = models.DateField(_("预计毕业日期"))
    # Set when the student leaves (graduation, 退学 …); empty while she studies.
    leaving_date = models.DateField(_("离校日期"), null=True, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("绑定账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollment_records",
    )
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("首次查看时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnrollmentRecordQuerySet.as_manager()

    # Seed 000: the main fields, then the non-main ones, in the order students read them;
    # 离校日期 (not in seed 000's list) after 预计毕业日期, the other date of leaving.
    MAIN_FIELDS = (
        "examinee_number", "name", "student_number", "sex", "birth_date", "id_number",
        "ethnicity", "origin_region", "institution", "status", "major", "duration", "level",
        "admission_year", "study_form", "category",
    )  # fmt: skip
    OTHER_FIELDS = (
        "college", "department", "school_class", "entry_date", "expected_graduation",
        "leaving_date",
    )  # fmt: skip

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        ordering = ["institution", "student_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "student_number"], name="one_record_per_student_number"
            ),
            models.UniqueConstraint(
                fields=["examinee_number"],
                condition=~Q(examinee_number=""),
                name="one_record_per_examinee_number",
            ),
        ]
        indexes = [
            models.Index(fields=["name", "id_number"], name="record_name_id_idx"),
            models.Index(fields=["school_class", "student_number"], name="record_class_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.student_number}（{self.institution.name}）"

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)

    @property
    def origin_region_display(self) -> str:
        """生源省市 in full: "云南省昆明市五华区" (records.regions)."""
        return region_name(self.origin_region)

    @property
    def is_graduated(self) -> bool:
        return self.status == RecordStatus.GRADUATED


class DegreeRecordQuerySet(ScopedQuerySet):
    college_lookup = "enrollment_record__college"
    counselor_lookup = "enrollment_record__school_class__counselors"
    student_lookup = "user"


class DegreeRecord(models.Model):
    """学历: a diploma registered nationally. Before 2001 certificates carry the school's
    own number as well as the serial number (seed 002): either one identifies it."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("毕业院校"),
        on_delete=models.PROTECT,
        related_name="degree_records",
    )
    enrollment_record = models.OneToOneField(
        EnrollmentRecord,
        verbose_name=_("对应学籍"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="degree_record",
    )
    certificate_number = models.CharField(_("证书编号"), max_length=30, unique=True)
    school_number = models.CharField(
        _("学校编号"), max_length=30, blank=True, help_text=_("2001 年以前的证书可能另有学校编号")
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = _id_number_field(_("证件号码"))
    major_name = models.CharField(_("专业"), max_length=100)
    level = models.CharField(_("层次"), max_length=20, choices=Level.choices)
    category = models.CharField(_("学历类别"), max_length=20, choices=Category.choices)
    study_form = models.CharField(_("学习形式"), max_length=20, choices=StudyForm.choices)
    entry_date = models.DateField(_("入学日期"), null=True, blank=True)
    graduation_date = models.DateField(_("毕业日期"))
    user = models.ForeignKey(
        User,
        verbose_name=_("绑定账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="degree_records",
    )
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DegreeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("学历")
        verbose_name_plural = _("学历")
        ordering = ["-graduation_date"]
        indexes = [models.Index(fields=["school_number"], name="degree_school_number_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.certificate_number}"

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)


class RecordConfirmationQuerySet(ScopedQuerySet):
    institution_lookup = "record__institution"
    college_lookup = "record__college"
    counselor_lookup = "record__school_class__counselors"
    student_lookup = "record__user"


class RecordConfirmation(models.Model):
    """正确: the student confirmed every field of the record as it stood then. A
    correction of the record revokes it, so that the student confirms again. Which notice
    it was made under is kept above records (records.signals)."""

    record = models.ForeignKey(
        EnrollmentRecord,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} 正确 {self.confirmed_at:%Y-%m-%d}"


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class DiscrepancyReportQuerySet(RecordConfirmationQuerySet):
    def open(self):
        return self.filter(state=ReportState.SUBMITTED)


class DiscrepancyReport(models.Model):
    """有误: the student says some fields are wrong, gives the right values and evidence.
    Which notice it was filed under is kept above records (records.signals)."""

    record = models.ForeignKey(
        EnrollmentRecord,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="discrepancy_reports",
    )
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
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"{self.record} 有误（{self.get_state_display()}）"

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
