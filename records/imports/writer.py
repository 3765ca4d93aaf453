"""Phase 2: the organisation the rows name, then the records, in batches.

Runs inside the service's transaction; every query here is per batch, not per row,
except the audit events of updated records (one each, with before and after)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import idnumbers
from portal.audit import log_action
from records.imports.columns import Row
from records.imports.results import ImportResult
from records.imports.validation import CHUNK, chunks
from records.models import College, Department, EnrollmentRecord, Institution, Major, SchoolClass

# The record fields an import sets (attnames); optional ones left blank keep their value.
RECORD_FIELDS = (
    "examinee_number", "name", "student_number", "sex", "birth_date", "id_type", "id_number",
    "ethnicity", "origin_region", "status", "major_id", "duration", "level", "admission_year",
    "study_form", "category", "college_id", "department_id", "school_class_id", "entry_date",
    "expected_graduation",
)  # fmt: skip
_KEEP_WHEN_BLANK = {
    "examinee_number": "examinee_number",
    "department_id": "department_name",
    "school_class_id": "class_code",
}


class Writer:
    """Creates the organisation the rows name, then the records, in batches."""

    def __init__(self, rows: list[Row], institution: Institution, by, progress):
        self.rows, self.institution, self.by, self.progress = rows, institution, by, progress
        self.result = ImportResult(institution=institution)
        self.labels: dict[str, dict[int, str]] = {}

    def run(self) -> ImportResult:
        self._organisation()
        now = timezone.now()
        for chunk in chunks(self.rows):
            existing = EnrollmentRecord.objects.select_related("user").in_bulk(
                [row.pk for row in chunk if row.pk]
            )
            new, changed = [], {}
            for row in chunk:
                values = self._values(row)
                if row.pk is None:
                    new.append(EnrollmentRecord(institution=self.institution, **values))
                elif changes := self._changes(existing[row.pk], values):
                    changed.setdefault(tuple(changes.items()), []).append(row.pk)
            EnrollmentRecord.objects.bulk_create(new, batch_size=CHUNK)
            # Rows that change the same way (a cohort moved to 已毕业) share one UPDATE:
            # Django's bulk_update writes a CASE per row and field, and was ~40 times
            # slower for 500 changed rows.
            for changes, pks in changed.items():
                EnrollmentRecord.objects.filter(pk__in=pks).update(**dict(changes), updated_at=now)
            updated = sum(len(pks) for pks in changed.values())
            self.result.created += len(new)
            self.result.updated += updated
            self.result.unchanged += len(chunk) - len(new) - updated
            self.progress.step(len(chunk), _("正在写入…"))
        return self.result

    def _values(self, row: Row) -> dict[str, Any]:
        values = {name: getattr(row, name) for name in RECORD_FIELDS if not name.endswith("_id")}
        values["major_id"] = self.majors[row.major_name, row.level].pk
        values["college_id"] = self.colleges[row.college_name].pk
        values["department_id"] = (
            self.departments[row.college_name, row.department_name].pk
            if row.department_name
            else None
        )
        values["school_class_id"] = self.classes[row.class_code].pk if row.class_code else None
        if row.pk is not None:
            for name, key in _KEEP_WHEN_BLANK.items():
                if not getattr(row, key):
                    del values[name]
        return values

    def _changes(self, record: EnrollmentRecord, values: dict[str, Any]) -> dict[str, Any]:
        """The values that differ from the record's, audited with before and after."""
        changes = {name: value for name, value in values.items() if getattr(record, name) != value}
        if changes:
            record.institution = self.institution  # str(record) names it: no query
            before_after = {name: [getattr(record, name), value] for name, value in changes.items()}
            log_action(record, "records.imported", by=self.by, changes=self._readable(before_after))
        return changes

    def _readable(self, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Field names without _id, related objects by name, ID numbers masked."""
        readable = {}
        for name, pair in changes.items():
            if name.endswith("_id"):
                labels = self.labels[name]
                pair = [labels.get(value, value) for value in pair]
            elif name == "id_number":
                pair = [idnumbers.mask(value) for value in pair]
            readable[name.removesuffix("_id")] = [_plain(value) for value in pair]
        return readable

    # The organisation: colleges, departments, majors and classes, created when missing.

    def _organisation(self) -> None:
        wanted = _Wanted.of(self.rows)
        self.colleges = self._colleges(wanted.colleges)
        self.departments = self._departments(wanted.departments)
        self.majors = self._majors(wanted.majors)
        self.classes = self._classes(wanted.classes)
        self.labels = {
            "major_id": {m.pk: m.name for m in self.majors.values()},
            "college_id": {c.pk: c.name for c in self.colleges.values()},
            "department_id": {d.pk: d.name for d in self.departments.values()},
            "school_class_id": {c.pk: c.code for c in self.classes.values()},
        }

    def _colleges(self, names: set[str]) -> dict[str, College]:
        colleges = {c.name: c for c in College.objects.filter(institution=self.institution)}
        codes = {c.code for c in colleges.values()}
        numbers = (f"{n:03d}" for n in range(1, 10**6))
        for name in sorted(names - colleges.keys()):
            code = next(code for code in numbers if code not in codes)
            colleges[name] = College.objects.create(
                institution=self.institution, code=code, name=name
            )
        return colleges

    def _departments(self, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Department]:
        existing = Department.objects.filter(college__institution=self.institution).select_related(
            "college"
        )
        departments = {(d.college.name, d.name): d for d in existing}
        for college, name in sorted(wanted - departments.keys()):
            departments[college, name] = Department.objects.create(
                college=self.colleges[college], name=name
            )
        return departments

    def _majors(self, wanted: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Major]:
        majors = {(m.name, m.level): m for m in Major.objects.filter(institution=self.institution)}
        for (name, level), duration in sorted(wanted.items()):
            if (name, level) not in majors:
                majors[name, level] = Major.objects.create(
                    institution=self.institution, name=name, level=level, duration=duration
                )
        return majors

    def _classes(self, wanted: dict[str, Row]) -> dict[str, SchoolClass]:
        existing = SchoolClass.objects.filter(institution=self.institution, code__in=list(wanted))
        classes = {c.code: c for c in existing}
        for code, row in sorted(wanted.items()):
            if code not in classes:
                classes[code] = SchoolClass.objects.create(
                    institution=self.institution,
                    college=self.colleges[row.college_name],
                    major=self.majors[row.major_name, row.level],
                    code=code,
                    name=row.class_name or code,
                    cohort=row.admission_year,
                )
        return classes


@dataclass
class _Wanted:
    colleges: set[str]
    departments: set[tuple[str, str]]
    majors: dict[tuple[str, str], Decimal]
    classes: dict[str, Row]  # 班号 -> the first row naming it

    @classmethod
    def of(cls, rows: list[Row]) -> _Wanted:
        wanted = cls(set(), set(), {}, {})
        for row in rows:
            wanted.colleges.add(row.college_name)
            if row.department_name:
                wanted.departments.add((row.college_name, row.department_name))
            wanted.majors.setdefault((row.major_name, row.level), row.duration)
            if row.class_code:
                wanted.classes.setdefault(row.class_code, row)
        return wanted


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value
