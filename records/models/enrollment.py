"""The records themselves: 学籍 (EnrollmentRecord) and 学历 (DegreeRecord)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import IdType
from portal.lib import idnumbers
from records.codes import ETHNIC_GROUPS, Sex
from records.models.choices import (
    Category,
    CheckResult,
    GraduationKind,
    Level,
    RecordStatus,
    StudyForm,
)
from records.models.organisation import College, Department, Institution, Major, SchoolClass
from records.models.scope import ScopedQuerySet
from records.regions import region_name

User = settings.AUTH_USER_MODEL


class EnrollmentRecordQuerySet(ScopedQuerySet):
    counselor_lookup = "school_class__counselors"
    student_lookup = "user"

    def with_related(self, *, user: bool = True):
        """With the institution, college, department, class and major; and the account,
        unless the caller has it (`user=False`: a student's own records)."""
        parts = ("institution", "college", "department", "school_class", "major")
        return self.select_related(*parts, *(("user",) if user else ()))


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
    # 正确 / 有误 / neither, as its confirmations and reports say: written by records.progress
    # only, whenever either changes. Progress pages count it with the binding and the first
    # look from the index below alone, whatever the size of the institution.
    check_result = models.PositiveSmallIntegerField(
        _("校对结果"), choices=CheckResult.choices, default=CheckResult.NONE, editable=False
    )
    # 专升本 (seeds 002, 003): the 专科 diploma a 本科 student held before. The roster's
    # 专科毕业证书编号 as given, and the degree it names once found (or the student binds it).
    prior_certificate_number = models.CharField(_("专科毕业证书编号"), max_length=30, blank=True)
    prior_degree = models.ForeignKey(
        "DegreeRecord",
        verbose_name=_("专科学历"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continuing_records",
    )
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
            # Covering indexes of the progress counts (records.selectors._progress_counts).
            models.Index(
                fields=["school_class", "check_result", "user", "first_viewed_at", "status"],
                name="record_class_progress_idx",
            ),
            models.Index(
                fields=["college", "check_result", "user", "first_viewed_at"],
                name="record_college_progress_idx",
            ),
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
    # The college it counts under (a 往届毕业生's too), or its 学籍's while that is unset.
    college_lookup = ("college", "enrollment_record__college")
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
    graduation_kind = models.CharField(
        _("毕（结）业"),
        max_length=10,
        choices=GraduationKind.choices,
        default=GraduationKind.GRADUATED,
    )
    # As the school's degree file gives it: links the degree to its 学籍 (records.imports.
    # degrees); blank for degrees entered without one.
    student_number = models.CharField(_("学号"), max_length=20, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("绑定账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="degree_records",
    )
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    # The college a degree counts under in progress pages: its 学籍's college, or for a
    # degree without one, the college of its major (往届毕业生).
    college = models.ForeignKey(
        College,
        verbose_name=_("分院"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="degree_records",
    )
    first_viewed_at = models.DateTimeField(_("首次查看时间"), null=True, blank=True)
    # 正确 / 有误 / neither, as for EnrollmentRecord.check_result (records.progress).
    check_result = models.PositiveSmallIntegerField(
        _("校对结果"), choices=CheckResult.choices, default=CheckResult.NONE, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DegreeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("学历")
        verbose_name_plural = _("学历")
        ordering = ["-graduation_date"]
        indexes = [models.Index(fields=["school_number"], name="degree_school_number_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.certificate_number}"

    @property
    def check_confirmed(self) -> bool:
        """正确 stands, from the stored check result (no annotation needed)."""
        return self.check_result == CheckResult.CONFIRMED

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)
