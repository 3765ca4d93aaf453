"""Scope by role: every staff query of records goes through `visible_to(user)`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import Role

# A lookup from the model to what scopes it, or several (a tuple): an object of a model that
# is of one thing or of another (a report of a 学籍 or of a 学历) is in scope through either.
Lookup = str | tuple[str, ...] | None


class ScopedQuerySet(models.QuerySet):
    """Scope by role. Subclasses name the lookups that lead to institution, college,
    class and owner; a lookup of None means that role sees nothing of this model, and a
    tuple of lookups means any of them (a report is of a 学籍 or of a 学历: each leads
    there its own way)."""

    institution_lookup: Lookup = "institution"
    college_lookup: Lookup = "college"
    counselor_lookup: Lookup = None
    student_lookup: Lookup = None

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        lookup, value = self._scope_for(user)
        if lookup is None or value is None:
            return self.none()
        return self.filter(_any_of(lookup, value))

    def in_college(self, college):
        """What counts under `college` by the college lookup(s) of the college role's scope:
        the list filter and the scope cannot disagree."""
        if self.college_lookup is None:
            return self.none()
        return self.filter(_any_of(self.college_lookup, college))

    def _scope_for(self, user) -> tuple[Lookup, object]:
        if user.role == Role.REGISTRAR:
            return self.institution_lookup, user.institution_id
        if user.role == Role.COLLEGE:
            return self.college_lookup, user.college_id
        if user.role == Role.COUNSELOR:
            return self.counselor_lookup, user.pk
        if user.role == Role.STUDENT:
            return self.student_lookup, user.pk
        return None, None


def _any_of(lookup: str | tuple[str, ...], value: object) -> Q:
    names = (lookup,) if isinstance(lookup, str) else lookup
    condition = Q()
    for name in names:
        condition |= Q(**{name: value})
    return condition


def through(prefix: str, lookup: Lookup) -> tuple[str, ...]:
    """Another model's lookup, reached through the relation `prefix`: through("degree",
    "user") is ("degree__user",); None gives ()."""
    if lookup is None:
        return ()
    names = (lookup,) if isinstance(lookup, str) else lookup
    return tuple(f"{prefix}__{name}" for name in names)
