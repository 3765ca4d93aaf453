"""What a confirmation, a 有误 report or an online report is of: one 学籍 or one 学历,
never both, never neither. The two keys, the constraint, the scope and `subject` are
written here once for the three models that have them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.models.enrollment import DegreeRecord, DegreeRecordQuerySet, EnrollmentRecord
from records.models.scope import ScopedQuerySet, through

# The check constraint of each of them (named by each model).
ONE_SUBJECT = Q(record__isnull=False, degree__isnull=True) | Q(
    record__isnull=True, degree__isnull=False
)


def record_key(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        EnrollmentRecord,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
    )


def degree_key(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        DegreeRecord,
        verbose_name=_("学历"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name=related_name,
    )


class SubjectScopedQuerySet(ScopedQuerySet):
    """Of a 学籍 through the record; of a 学历 where the degree itself is (its own scope,
    DegreeRecordQuerySet, through `degree`): whoever sees a degree sees what is of it,
    and no one else."""

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


class OfSubject:
    """`subject`: the record or the degree (models with record_key and degree_key)."""

    record_id: int | None
    degree_id: int | None

    @property
    def subject(self) -> EnrollmentRecord | DegreeRecord:
        return self.degree if self.degree_id is not None else self.record  # type: ignore[attr-defined]
