"""Phase 2 of the degree import: the degrees, in batches, inside the service's transaction.

New degrees go in with one executemany a chunk (records.imports.writer.insert_rows);
degrees that change are audited one by one with before and after, as roster updates
are; a degree whose 学籍 has an account gets that account (bound_at now), unless the
degree is bound already. Each degree counts under a college (DegreeRecord.college): its
学籍's, else the one college whose classes teach its major (_MajorColleges), else none."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notify import notify
from portal.lib import idnumbers
from portal.lib.audit import log_action, plain
from records.imports.degrees.columns import DegreeRow
from records.imports.results import FieldChange, ImportResult
from records.imports.validation import chunks
from records.imports.writer import insert_rows
from records.models import (
    College,
    DegreeRecord,
    EnrollmentRecord,
    Institution,
    RecordConfirmation,
    SchoolClass,
)
from records.rules import DEGREE_RULES
from records.rules.fields import degree_label
from records.services.checks import revoke_degree_confirmations

# The degree fields a row sets (attnames); the optional ones left blank keep their value.
DEGREE_FIELDS = (
    "certificate_number", "name", "sex", "birth_date", "id_type", "id_number", "major_name",
    "level", "category", "study_form", "entry_date", "graduation_date", "graduation_kind",
    "student_number", "school_number",
)  # fmt: skip
_KEEP_WHEN_BLANK = ("entry_date", "student_number", "school_number")
_COMPARED = (*DEGREE_FIELDS, "enrollment_record_id", "college_id", "user_id", "bound_at")


class _MajorColleges:
    """The college of a degree without a 学籍 (往届毕业生): the college whose classes teach a
    major of that name at the school, of the degree's 层次 first. A major taught in two
    colleges names none: a guess would count her under the wrong college's progress."""

    def __init__(self, institution: Institution):
        taught: dict[tuple[str, str], set[int]] = {}
        classes = SchoolClass.objects.filter(institution=institution, major__isnull=False)
        for name, level, college in classes.values_list("major__name", "major__level", "college"):
            taught.setdefault((name, level), set()).add(college)
        self.by_level = taught
        self.by_name: dict[str, set[int]] = {}
        for (name, _level), colleges in taught.items():
            self.by_name.setdefault(name, set()).update(colleges)

    def of(self, major_name: str, level: str) -> int | None:
        for colleges in (self.by_level.get((major_name, level)), self.by_name.get(major_name)):
            if colleges:
                return next(iter(colleges)) if len(colleges) == 1 else None
        return None


class DegreeImportResult(ImportResult):
    """The roster's result, with how many degrees belong to a 学籍 and got its account."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linked = self.not_linked = self.bound = 0
        self.key_title = _("证书编号")

    def counts(self) -> list[list[Any]]:
        return super().counts() + [
            [_("对应到学籍"), self.linked],
            [_("未找到学籍"), self.not_linked],
            [_("绑定到学生账号"), self.bound],
        ]


class DegreeWriter:
    def __init__(self, rows: list[DegreeRow], institution: Institution, by, progress):
        self.rows, self.institution, self.by, self.progress = rows, institution, by, progress
        self.result = DegreeImportResult(institution=institution)
        self.notices: list[tuple[Any, str]] = []  # (graduate, text) to send after commit
        self.major_colleges = _MajorColleges(institution)
        self.college_names = dict(
            College.objects.filter(institution=institution).values_list("pk", "name")
        )

    def run(self) -> DegreeImportResult:
        now = timezone.now()
        for chunk in chunks(self.rows):
            # Locked until the import commits; read as dicts, not instances (as the matcher).
            existing = {
                values["pk"]: values
                for values in DegreeRecord.objects.select_for_update()
                .filter(pk__in=[row.pk for row in chunk if row.pk])
                .values("pk", *_COMPARED)
            }
            record_colleges = self._record_colleges(chunk, existing)
            new, changed = [], {}
            for row in chunk:
                values = self._values(row, existing.get(row.pk), now)
                values["college_id"] = self._college(row, values, existing, record_colleges)
                if row.pk is None:
                    new.append(values)
                elif changes := self._changes(existing[row.pk], values):
                    changed.setdefault(tuple(changes.items()), []).append(row.pk)
                    self._audit(existing[row.pk], changes)
                linked = values.get("enrollment_record_id") or (
                    row.pk and existing[row.pk]["enrollment_record_id"]
                )
                self.result.linked += bool(linked)
                self.result.bound += "user_id" in values
            fixed = {"institution_id": self.institution.pk, "created_at": now, "updated_at": now}
            insert_rows(DegreeRecord, new, fixed)
            # Rows that change the same way share one UPDATE (as the roster's writer).
            for changes, pks in changed.items():
                DegreeRecord.objects.filter(pk__in=pks).update(**dict(changes), updated_at=now)
            self._revoke(changed)
            updated = sum(len(pks) for pks in changed.values())
            self.result.created += len(new)
            self.result.updated += updated
            self.result.unchanged += len(chunk) - len(new) - updated
            self.progress.step(len(chunk), _("正在写入…"))
        self.result.not_linked = len(self.rows) - self.result.linked
        return self.result

    def _revoke(self, changed: dict[tuple, list[int]]) -> None:
        """A confirmed (正确) degree whose fields the file changed is to be checked again:
        counted in the result (将失效 on a dry run) and its graduate told after commit,
        as the roster's writer does for a 学籍."""
        degrees = [
            pk
            for changes, pks in changed.items()
            if set(dict(changes)) & set(DEGREE_FIELDS)
            for pk in pks
        ]
        if not degrees:
            return
        standing = RecordConfirmation.objects.filter(degree__in=degrees, revoked_at__isnull=True)
        holders = [confirmation.user for confirmation in standing.select_related("user")]
        self.result.revoked += revoke_degree_confirmations(
            degrees, _("学历信息已由学校导入更新，请重新确认")
        )
        self.notices += [
            (user, _("您的学历信息已由学校更新，请登录重新校对。")) for user in holders
        ]

    def notify_students(self) -> None:
        """Tell each graduate whose 正确 the import revoked (accounts.notify: after commit);
        the caller never calls it on a dry run."""
        for user, text in self.notices:
            notify(user, text)

    def _values(self, row: DegreeRow, degree: dict[str, Any] | None, now) -> dict[str, Any]:
        values = {name: getattr(row, name) for name in DEGREE_FIELDS}
        if degree is not None:
            for name in _KEEP_WHEN_BLANK:
                if not getattr(row, name):
                    del values[name]
        # A link found is set; none found keeps the link the degree has (made by hand).
        if row.record_pk is not None:
            values["enrollment_record_id"] = row.record_pk
        if row.record_user_id is not None and (degree is None or degree["user_id"] is None):
            values["user_id"], values["bound_at"] = row.record_user_id, now
        return values

    def _record_colleges(self, chunk: list[DegreeRow], existing) -> dict[int, int]:
        """The college of each 学籍 the chunk's degrees belong to (found now or kept)."""
        pks = {row.record_pk for row in chunk if row.record_pk}
        pks |= {d["enrollment_record_id"] for d in existing.values() if d["enrollment_record_id"]}
        if not pks:
            return {}
        return dict(EnrollmentRecord.objects.filter(pk__in=pks).values_list("pk", "college_id"))

    def _college(self, row: DegreeRow, values, existing, record_colleges) -> int | None:
        record = values.get("enrollment_record_id") or (
            row.pk and existing[row.pk]["enrollment_record_id"]
        )
        if record:
            return record_colleges.get(record)
        return self.major_colleges.of(row.major_name, row.level)

    def _changes(self, degree: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in values.items() if degree[name] != value}

    def _audit(self, stored: dict[str, Any], changes: dict[str, Any]) -> None:
        """One event per changed degree, with before and after (ID numbers masked by
        log_action); the registrar's list shows the same, as people read it."""
        degree = DegreeRecord(**stored, institution=self.institution)
        shown = {
            name: [stored[name], value]
            for name, value in changes.items()
            if name not in ("user_id", "bound_at")
        }
        numbers = self._student_numbers(shown.get("enrollment_record_id", []))
        readable = {}
        for name, (old, new) in shown.items():
            label, old_text, new_text = self._texts(name, old, new, numbers)
            readable[name.removesuffix("_id")] = [plain(old_text), plain(new_text)]
            self.result.add_change(
                FieldChange(degree.certificate_number, degree.name, label, old_text, new_text)
            )
        if readable:
            log_action(degree, "records.degree_imported", by=self.by, changes=readable)

    def _student_numbers(self, pks: list) -> dict[int, str]:
        wanted = [pk for pk in pks if pk]
        if not wanted:
            return {}
        found = EnrollmentRecord.objects.filter(pk__in=wanted).values_list("pk", "student_number")
        return dict(found)

    def _texts(self, name: str, old, new, numbers: dict[int, str]) -> tuple[str, str, str]:
        if name == "enrollment_record_id":
            label = str(DegreeRecord._meta.get_field("enrollment_record").verbose_name)
            return label, numbers.get(old, "—"), numbers.get(new, "—")
        if name == "college_id":
            label = str(DegreeRecord._meta.get_field("college").verbose_name)
            return label, self.college_names.get(old, "—"), self.college_names.get(new, "—")
        rule = DEGREE_RULES[name]

        def text(value) -> str:
            if value is None or value == "":
                return "—"
            if name == "id_number":
                return idnumbers.mask(value)
            return rule.show(value)

        return degree_label(name), text(old), text(new)
