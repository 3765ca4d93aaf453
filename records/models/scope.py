"""Scope by role: every staff query of records goes through `visible_to(user)`."""

from __future__ import annotations

from django.db import models

from accounts.models import Role


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
