"""Phase 1 of the degree import: every row read and checked (DegreeReader), then the rows
checked against the database and linked to their 学籍 (match_degrees). Nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.lib import idnumbers
from records.imports.degrees.columns import DEGREES, DegreeRow
from records.imports.results import RowError
from records.imports.validation import CHUNK, RowReader
from records.models import DegreeRecord, EnrollmentRecord, Institution
from records.rules import between
from records.services.prior_degrees import number_forms, person_key


class DegreeReader(RowReader):
    """A degree file's rows: a 证书编号 on two rows is an error; the rules between fields
    are the degree admin's (the ID number with birth date and sex, the dates, and the
    certificate number against its row: records.rules.between.certificate)."""

    columns = DEGREES
    unique_keys = ("certificate_number",)

    def _check_fields(self, line: int, values: dict[str, Any]) -> list[RowError]:
        found = between.problems(values)
        found += between.certificate(values, values.get("institution_code", ""))
        positions = self.header.positions
        errors = [
            self.error(line, key, why) for key, why in between.by_field(found, positions).items()
        ]
        return errors + self._check_institution(line, values)

    def _row(self, line: int, values: dict[str, Any]) -> DegreeRow:
        return DegreeRow.of(line, values)


def same_number(first: str, second: str) -> bool:
    """Two ID numbers of one person: equal, or the 15-digit form of the other (a record
    of a first-generation card, seed 002)."""
    first, second = first.upper(), second.upper()
    return first == second or idnumbers.legacy_form(first) == idnumbers.legacy_form(second)


_RECORD = ("pk", "student_number", "name", "id_number", "level", "user_id")
_DEGREE = ("pk", "institution_id", "name", "id_number", "certificate_number")


class _Matcher:
    """Finds, a chunk of rows at a time, the degree each row updates and the 学籍 it
    belongs to, and refuses what cannot be: a certificate number of another person or
    school, a 学号 of another person, two degrees for one 学籍."""

    def __init__(self, reader: DegreeReader, institution: Institution):
        self.reader, self.institution = reader, institution
        self.errors: list[RowError] = []
        self.claimed: dict[int, int] = {}  # record pk -> the line linked to it

    def run(self) -> list[RowError]:
        rows = self.reader.rows
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            for offset, row in enumerate(self._chunk(chunk)):
                rows[start + offset] = row
        return self.errors

    def _chunk(self, chunk: list[DegreeRow]) -> list[DegreeRow]:
        # Tuples, not model instances: 50,000 of them would cost more than the queries.
        degrees = {
            d.certificate_number: d
            for d in DegreeRecord.objects.filter(
                certificate_number__in=[row.certificate_number for row in chunk]
            ).values_list(*_DEGREE, named=True)
        }
        by_number, by_person = self._records(chunk)
        record_pks = [r.pk for r in by_number.values()]
        record_pks += [r.pk for found in by_person.values() for r in found]
        held = dict(
            DegreeRecord.objects.filter(enrollment_record__in=record_pks).values_list(
                "enrollment_record_id", "certificate_number"
            )
        )
        out = []
        for row in chunk:
            mine = self._degree(row, degrees.get(row.certificate_number))
            out.append(row if mine is None else self._link(mine, by_number, by_person, held))
        return out

    def _records(self, chunk: list[DegreeRow]):
        """The 学籍 of the rows' 学号; of the others, the 学籍 of their name and ID number."""
        wanted = [row.student_number for row in chunk if row.student_number]
        records = EnrollmentRecord.objects.filter(institution=self.institution)
        by_number = {
            r.student_number: r
            for r in records.filter(student_number__in=wanted).values_list(*_RECORD, named=True)
        }
        rest = [row for row in chunk if row.student_number not in by_number]
        by_person: dict[tuple[str, str], list] = {}
        if not rest:
            return by_number, by_person
        people = records.filter(
            name__in={row.name for row in rest},
            id_number__in=number_forms(row.id_number for row in rest),
        ).values_list(*_RECORD, named=True)
        for record in people:
            by_person.setdefault(person_key(record.name, record.id_number), []).append(record)
        return by_number, by_person

    def _error(self, row: DegreeRow, key: str, reason: str) -> None:
        self.errors.append(self.reader.error(row.line, key, reason))

    def _degree(self, row: DegreeRow, existing) -> DegreeRow | None:
        """The degree this row updates (re-import by 证书编号), if it is this person's."""
        if existing is None:
            return row
        if existing.institution_id != self.institution.pk:
            # Another school's degree: its holder is none of this registrar's business.
            self._error(row, "certificate_number", _("该证书编号已登记在其他院校的学历中"))
            return None
        if existing.name != row.name or not same_number(existing.id_number, row.id_number):
            reason = _(
                "证书编号 %(number)s 已属于“%(name)s”的学历（证书编号 %(number)s），与本行的姓名或证件号码不一致：一个证书编号只属于一人"
            ) % {"number": existing.certificate_number, "name": existing.name}
            self._error(row, "certificate_number", reason)
            return None
        return row._replace(pk=existing.pk)

    def _link(self, row: DegreeRow, by_number, by_person, held) -> DegreeRow:
        """Its 学籍: same school and 学号, else same name, ID number and 层次 (she may have
        two 学籍 there, e.g. 专科 then 专升本 本科)."""
        record = by_number.get(row.student_number) if row.student_number else None
        if record is not None and not (
            record.name == row.name or same_number(record.id_number, row.id_number)
        ):
            reason = _("学号 %(number)s 的学籍属于“%(name)s”，与本行的姓名、证件号码都不一致") % {
                "number": record.student_number,
                "name": record.name,
            }
            self._error(row, "student_number", reason)
            return row
        if record is None:
            found = by_person.get(person_key(row.name, row.id_number), [])
            # Of the same 层次 only: a 专升本 student's 专科 degree is not her 本科 学籍's own
            # (that is EnrollmentRecord.prior_degree, records.services.prior_degrees).
            same_level = [r for r in found if r.level == row.level]
            record = same_level[0] if len(same_level) == 1 else None
        if record is None:
            return row
        holder = held.get(record.pk)
        if holder is not None and holder != row.certificate_number:
            reason = _("对应的学籍（学号 %(number)s）已有证书编号为 %(other)s 的学历") % {
                "number": record.student_number,
                "other": holder,
            }
            self._error(row, "certificate_number", reason)
            return row
        first = self.claimed.setdefault(record.pk, row.line)
        if first != row.line:
            reason = _("与第 %(line)d 行对应同一条学籍（学号 %(number)s）") % {
                "line": first,
                "number": record.student_number,
            }
            self._error(row, "certificate_number", reason)
            return row
        # Bound to the 学籍's account only under the 学籍's ID number (her name may have
        # changed since): a 学号 with her name alone may be a namesake's degree given the
        # wrong 学号 (she binds it herself if it is hers: binding.degree_bind).
        hers = same_number(record.id_number, row.id_number)
        return row._replace(record_pk=record.pk, record_user_id=record.user_id if hers else None)


def match_degrees(reader: DegreeReader, institution: Institution) -> list[RowError]:
    """Phase 1b: each row's existing degree (by 证书编号) and 学籍; the errors found."""
    return _Matcher(reader, institution).run()
