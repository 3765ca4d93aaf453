"""Phase 2: the organisation the rows name, then the records, in batches.

Runs inside the service's transaction; every query here is per batch, not per row,
except for updated records: an audit event each (with before and after) and, when the
student had confirmed the record, the revocation of her confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notify import notify
from portal.lib.audit import log_action, plain
from records import progress
from records.imports.changes import for_registrar, notice_text, revoked_reason, shown_changes
from records.imports.columns import Row
from records.imports.results import FieldChange, ImportResult
from records.imports.validation import chunks
from records.models import (
    College,
    Department,
    EnrollmentRecord,
    Institution,
    Major,
    RecordConfirmation,
    SchoolClass,
)
from records.services.checks import revoke_confirmation

# The record fields an import sets (attnames); optional ones left blank keep their value.
RECORD_FIELDS = (
    "examinee_number", "name", "student_number", "sex", "birth_date", "id_type", "id_number",
    "ethnicity", "origin_region", "status", "major_id", "duration", "level", "admission_year",
    "study_form", "category", "college_id", "department_id", "school_class_id", "entry_date",
    "expected_graduation", "leaving_date",
)  # fmt: skip
_KEEP_WHEN_BLANK = {
    "examinee_number": "examinee_number",
    "leaving_date": "leaving_date",
    "department_id": "department_name",
    "school_class_id": "class_code",
}


class Writer:
    """Creates the organisation the rows name, then the records, in batches."""

    def __init__(self, rows: list[Row], institution: Institution, by, progress):
        self.rows, self.institution, self.by, self.progress = rows, institution, by, progress
        self.result = ImportResult(institution=institution)
        self.labels: dict[str, dict[int, str]] = {}  # related fields in the audit
        self.names: dict[str, dict[int, str]] = {}  # … as the student reads them
        self.notices: list[tuple[Any, str]] = []  # (student, text) to send after commit

    def run(self) -> ImportResult:
        self._organisation()
        now = timezone.now()
        for chunk in chunks(self.rows):
            # Locked until the import commits: a student's 正确 in the meantime waits, then
            # stands on the new values (records.services.checks.record_confirm locks too).
            existing = (
                EnrollmentRecord.objects.select_for_update(of=("self",))
                .select_related("user")
                .in_bulk([row.pk for row in chunk if row.pk])
            )
            new, changed, touched, prior = [], {}, [], []
            for row in chunk:
                values = self._values(row)
                if row.pk is None:
                    new.append(values)
                    continue
                if changes := self._changes(existing[row.pk], values):
                    changed.setdefault(tuple(changes.items()), []).append(row.pk)
                    touched.append((existing[row.pk], changes))
                if self._prior_number_changed(existing[row.pk], row):
                    prior.append(row)
            self._record_changes(touched)
            self._prior_numbers(prior, existing, now)
            self._insert(new, now)
            # Rows that change the same way (a cohort moved to 已毕业) share one UPDATE:
            # Django's bulk_update writes a CASE per row and field, and was ~40 times
            # slower for 500 changed rows.
            for changes, pks in changed.items():
                EnrollmentRecord.objects.filter(pk__in=pks).update(**dict(changes), updated_at=now)
            updated = sum(len(pks) for pks in changed.values())
            updated += len(
                {row.pk for row in prior} - {pk for pks in changed.values() for pk in pks}
            )
            self.result.created += len(new)
            self.result.updated += updated
            self.result.unchanged += len(chunk) - len(new) - updated
            self.progress.step(len(chunk), _("正在写入…"))
        return self.result

    def _insert(self, new: list[dict[str, Any]], now) -> None:
        fixed = {"institution_id": self.institution.pk, "created_at": now, "updated_at": now}
        insert_rows(EnrollmentRecord, new, fixed)

    def notify_students(self) -> None:
        """Tell each student whose confirmed record changed, after the commit (accounts.
        notify); the caller never calls it on a dry run."""
        for user, text in self.notices:
            notify(user, text)

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
        values["leaving_date"] = row.leaving_date or None  # most rows have none yet
        if row.pk is None:  # a new record; an existing one's number is _prior_numbers'
            values["prior_certificate_number"] = row.prior_certificate_number
        else:
            for name, key in _KEEP_WHEN_BLANK.items():
                if not getattr(row, key):
                    del values[name]
        return values

    @staticmethod
    def _prior_number_changed(record: EnrollmentRecord, row: Row) -> bool:
        """A 专科毕业证书编号 given that differs from the record's (blank keeps it)."""
        number = row.prior_certificate_number
        return bool(number) and number != record.prior_certificate_number

    def _prior_numbers(self, rows: list[Row], existing: dict[int, EnrollmentRecord], now) -> None:
        """专科毕业证书编号 is not a field of the 学籍 the student confirmed (her 专科 degree
        is checked on its own): a change is written, audited and listed, and revokes no
        confirmation. records.services.prior_degrees links the degree it names."""
        label = str(EnrollmentRecord._meta.get_field("prior_certificate_number").verbose_name)
        for row in rows:
            record = existing[row.pk]
            record.institution = self.institution  # str(record) names it: no query
            old, new = record.prior_certificate_number, row.prior_certificate_number
            EnrollmentRecord.objects.filter(pk=row.pk).update(
                prior_certificate_number=new, updated_at=now
            )
            self.result.add_change(
                FieldChange(record.student_number, record.name, label, old or "—", new)
            )
            log_action(
                record,
                "records.imported",
                by=self.by,
                changes={"prior_certificate_number": [old, new]},
            )

    def _changes(self, record: EnrollmentRecord, values: dict[str, Any]) -> dict[str, Any]:
        """The values that differ from the record's."""
        return {name: value for name, value in values.items() if getattr(record, name) != value}

    def _record_changes(self, touched: list[tuple[EnrollmentRecord, dict[str, Any]]]) -> None:
        """Each changed record: audited with before and after, listed for the registrar;
        when its student had confirmed it (正确), the confirmation is revoked, since she
        confirmed values the record no longer holds, and she is told. One query per chunk
        finds the confirmations; unchanged rows cost nothing here."""
        bound = [record.pk for record, _changes in touched if record.user_id]
        confirmed = set(
            RecordConfirmation.objects.filter(
                record_id__in=bound, revoked_at__isnull=True
            ).values_list("record_id", flat=True)
            if bound
            else ()
        )
        self._name_old_classes(touched)
        for record, changes in touched:
            record.institution = self.institution  # str(record) names it: no query
            before_after = {name: [getattr(record, name), value] for name, value in changes.items()}
            shown = shown_changes(before_after, self.names)
            for label, old, new in for_registrar(shown):
                self.result.add_change(
                    FieldChange(record.student_number, record.name, label, old, new)
                )
            reason = ""
            if record.pk in confirmed:
                revoke_confirmation(record, revoked_reason(shown), refresh=False)
                self.notices.append((record.user, notice_text(shown)))
                self.result.revoked += 1
                reason = _("学生已确认的学籍被导入更新：确认失效，已通知本人重新校对")
            log_action(
                record,
                "records.imported",
                by=self.by,
                changes=self._readable(before_after),
                reason=reason,
            )
        if confirmed:  # the revoked records' check results, in one UPDATE for the chunk
            progress.refresh(confirmed)

    def _name_old_classes(self, touched: list[tuple[EnrollmentRecord, dict[str, Any]]]) -> None:
        """The organisation maps hold the classes the file names; a record leaving a class
        the file does not name needs that class's name too (one query, when it happens)."""
        known = self.names["school_class_id"]
        missing = {
            record.school_class_id
            for record, changes in touched
            if "school_class_id" in changes and record.school_class_id not in known
        } - {None}
        for school_class in SchoolClass.objects.filter(pk__in=missing).only("code", "name"):
            self.labels["school_class_id"][school_class.pk] = school_class.code
            known[school_class.pk] = school_class.name

    def _readable(self, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Field names without _id, related objects by name (log_action masks ID numbers)."""
        readable = {}
        for name, pair in changes.items():
            if name.endswith("_id"):
                labels = self.labels[name]
                pair = [labels.get(value, value) for value in pair]
            readable[name.removesuffix("_id")] = [plain(value) for value in pair]
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
        self.names = {
            **self.labels,
            "school_class_id": {c.pk: c.name for c in self.classes.values()},
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
            self._created("colleges", name)
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
            self._created("departments", f"{name}（{college}）")
        return departments

    def _majors(self, wanted: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], Major]:
        majors = {(m.name, m.level): m for m in Major.objects.filter(institution=self.institution)}
        for (name, level), duration in sorted(wanted.items()):
            if (name, level) not in majors:
                majors[name, level] = major = Major.objects.create(
                    institution=self.institution, name=name, level=level, duration=duration
                )
                self._created("majors", f"{name}（{major.get_level_display()}）")
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
                self._created("classes", code)
        return classes

    def _created(self, kind: str, name: str) -> None:
        self.result.new_names.setdefault(kind, []).append(name)


def insert_rows(model, new: list[dict[str, Any]], fixed: dict[str, Any]) -> None:
    """INSERT the new rows (attname -> value, then `fixed`) with one executemany. bulk_create
    prepares every value of every row through the field (get_db_prep_save) and, on SQLite,
    sends 20 rows a statement: it was most of a first import's time. Here each field's
    value is prepared by the same field method, once per distinct value (a cohort shares
    its college, major, dates …), and the columns are every concrete field of the model,
    with its default where the row has none."""
    if not new:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared: dict[tuple[str, Any], Any] = {}

    def prepare(field, value):
        key = (field.attname, value)
        if key not in prepared:
            prepared[key] = field.get_db_prep_save(value, connection)
        return prepared[key]

    defaults = {f.attname: f.get_default() for f in fields}
    rows = [
        [
            prepare(f, values.get(f.attname, fixed.get(f.attname, defaults[f.attname])))
            for f in fields
        ]
        for values in new
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


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
