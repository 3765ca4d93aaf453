"""The national lists a record's fields are chosen from: 层次, 学习形式, 学历类别, 学籍状态,
毕（结）业;
and where a student's self-check of it stands (CheckResult)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class GraduationKind(models.TextChoices):
    """毕（结）业: what a 学历 certificate is (《高等教育学历证书电子注册管理暂行规定》 第五条:
    毕业证书 or 结业证书)."""

    GRADUATED = "graduated", _("毕业")
    COMPLETED = "completed", _("结业")


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


class CheckResult(models.IntegerChoices):
    """Where the student's self-check of a record stands: 正确 (an active confirmation), 有误
    (a report waiting for the registrar) or neither. Kept on the record by records.progress,
    so that a class's progress is counted from the records alone."""

    NONE = 0, _("未确认")
    REPORTED = 1, _("有误待处理")
    CONFIRMED = 2, _("已确认")
