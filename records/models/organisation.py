"""An institution's organisation: 院校, 学院, 系, 专业, 班级."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from records.codes import PROVINCES
from records.models.choices import Level
from records.models.scope import ScopedQuerySet

User = settings.AUTH_USER_MODEL


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

    @property
    def full_name(self) -> str:
        """The class named once and in full, as a printed sheet names it: "2023级软件技术1班".
        Schools often put the cohort in the name already; it is added only when missing."""
        cohort = f"{self.cohort}级"
        return self.name if self.name.startswith(cohort) else cohort + self.name
