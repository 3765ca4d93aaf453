"""The rules between fields of one record or degree: the ID number against the birth date
and sex written beside it (seed 002: what the ID card says is the truth), dates against
each other and against the 学制.

`problems(values)` takes the values by field name (those missing are not checked),
normalises the ID number in place, and returns every Problem; each names the fields it
involves, so that a form shows it at the field the person changed and the import at the
first one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import IdType
from portal.lib import idnumbers
from records.codes import Sex
from records.rules.examinee import examinee_number_warnings

# 学制 against the dates: a course may end up to a year early (专升本 counted from the
# 专科, 春季 entry) and be extended to 学制 + 3 years, the longest 学习年限 schools allow.
EARLIEST_BEFORE_DURATION = Decimal(1)
LATEST_AFTER_DURATION = Decimal(3)


@dataclass(frozen=True)
class Problem:
    fields: tuple[str, ...]
    reason: str

    def at(self, preferred: Iterable[str] = ()) -> str:
        """The field to show it at: the first involved one among `preferred`."""
        preferred = set(preferred)
        return next((name for name in self.fields if name in preferred), self.fields[0])

    def involves(self, names: Iterable[str]) -> bool:
        return not set(self.fields).isdisjoint(names)


def born_and_sex(number: str) -> tuple[datetime.date, str]:
    """Birth date and GB/T 2261.1 sex of a valid 18- or 15-digit number, without
    validating it again (the import reads 50,000 of them)."""
    digits, sequence = (
        (number[6:14], number[16]) if len(number) == 18 else ("19" + number[6:12], number[14])
    )
    born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    return born, "1" if int(sequence) % 2 else "2"


def _id_type(values: Mapping[str, Any]) -> str:
    """A roster without 证件类型 holds resident ID numbers, and residence permits (81, 82,
    83: same format) where the number says so."""
    given = values.get("id_type")
    if given:
        return given
    number = values.get("id_number") or ""
    if number[:2] in idnumbers.PERMIT_REGIONS and len(number) == 18:
        return IdType.HKMO_TW_PERMIT.value
    return IdType.RESIDENT_ID.value


def normalise_id(values: MutableMapping[str, Any]) -> Problem | None:
    """Check the number with its 证件类型 and store its normal form (capitals, no spaces);
    a record may keep a first-generation 15-digit number (seed 002)."""
    number = values.get("id_number")
    if not number:
        return None
    id_type = values["id_type"] = _id_type(values)
    try:
        if id_type == IdType.RESIDENT_ID and len(idnumbers.normalize(number)) == 15:
            values["id_number"] = idnumbers.validate(number, allow_legacy=True)
        else:
            values["id_number"] = idnumbers.validate_for_type(id_type, number)
    except ValidationError as exc:
        return Problem(("id_number", "id_type"), str(exc.messages[0]))
    return None


def _identity(values: MutableMapping[str, Any]) -> list[Problem]:
    invalid = normalise_id(values)
    if invalid is not None:
        return [invalid]
    number = values.get("id_number")
    if not number or values["id_type"] not in idnumbers.RESIDENT_FORMAT_TYPES:
        return []
    born, sex = born_and_sex(number)
    found = []
    if values.get("birth_date") and values["birth_date"] != born:
        found.append(
            Problem(
                ("birth_date", "id_number"),
                _("出生日期（%(given)s）与身份证号中的出生日期（%(born)s）不一致")
                % {"given": values["birth_date"].isoformat(), "born": born.isoformat()},
            )
        )
    if values.get("sex") and values["sex"] != sex:
        found.append(
            Problem(
                ("sex", "id_number"),
                _("性别（%(given)s）与身份证号显示的性别（%(sex)s）不一致")
                % {"given": Sex(values["sex"]).label, "sex": Sex(sex).label},
            )
        )
    return found


def _years(start: datetime.date, end: datetime.date) -> Decimal:
    return (Decimal((end - start).days) / Decimal("365.25")).quantize(Decimal("0.1"))


def _dates(values: Mapping[str, Any]) -> list[Problem]:
    found = []
    born, entry = values.get("birth_date"), values.get("entry_date")
    leaving, left = values.get("expected_graduation"), values.get("leaving_date")
    if born and entry and born >= entry:
        found.append(Problem(("birth_date", "entry_date"), _("出生日期应早于入学日期")))
    if entry and leaving and leaving <= entry:
        found.append(
            Problem(("expected_graduation", "entry_date"), _("预计毕业日期应晚于入学日期"))
        )
    elif entry and leaving and (duration := values.get("duration")):
        years = _years(entry, leaving)
        if not duration - EARLIEST_BEFORE_DURATION <= years <= duration + LATEST_AFTER_DURATION:
            found.append(
                Problem(
                    ("expected_graduation", "entry_date", "duration"),
                    _("入学日期至预计毕业日期约 %(years)s 年，与学制（%(duration)s 年）不符")
                    % {"years": f"{years:f}", "duration": f"{duration.normalize():f}"},
                )
            )
    if entry and left and left < entry:
        found.append(Problem(("leaving_date", "entry_date"), _("离校日期应晚于入学日期")))
    graduated = values.get("graduation_date")
    if entry and graduated and graduated <= entry:
        found.append(Problem(("graduation_date", "entry_date"), _("毕业日期应晚于入学日期")))
    return found


# 学历证书编号 (design.md): 院校代码 (5) + 办学类型 (1) + year (4) + 层次 (1) + serial (7).
CERTIFICATE_LEVELS = {
    "doctor": "1", "master": "2", "bachelor": "5", "second_bachelor": "5",
    "junior_college": "6",
}  # fmt: skip


def certificate(values: Mapping[str, Any], institution_code: str) -> list[Problem]:
    """An 18-digit certificate number must agree with its school, graduation year and
    层次; older forms (before 2001, the school's own numbers) are taken as they are."""
    number = values.get("certificate_number") or ""
    if len(number) != 18 or not number.isdigit():
        return []
    found = []
    if institution_code and number[:5] != institution_code:
        found.append(
            Problem(
                ("certificate_number",),
                _("证书编号前 5 位“%(digits)s”应为院校代码 %(code)s")
                % {"digits": number[:5], "code": institution_code},
            )
        )
    graduated = values.get("graduation_date")
    if graduated and number[6:10] != f"{graduated.year:04d}":
        found.append(
            Problem(
                ("certificate_number", "graduation_date"),
                _("证书编号第 7–10 位“%(digits)s”应为毕业年份 %(year)d")
                % {"digits": number[6:10], "year": graduated.year},
            )
        )
    level = CERTIFICATE_LEVELS.get(values.get("level") or "")
    if level and number[10] != level:
        found.append(
            Problem(
                ("certificate_number", "level"),
                _("证书编号第 11 位“%(digit)s”与层次不符（应为 %(level)s）")
                % {"digit": number[10], "level": level},
            )
        )
    return found


def by_field(problems: list[Problem], changed: Iterable[str]) -> dict[str, str]:
    """Where each problem is said: at the first field it involves among `changed` (a
    form's changed fields, an import's columns); problems involving none of them are not
    this change's doing. One reason per field, the first."""
    changed = set(changed)
    found: dict[str, str] = {}
    for problem in problems:
        if problem.involves(changed):
            found.setdefault(problem.at(changed), problem.reason)
    return found


def warnings(values: Mapping[str, Any]) -> list[Problem]:
    """What may be wrong but is not refused (the import lists them; --strict refuses)."""
    found = examinee_number_warnings(
        values.get("examinee_number", ""), values.get("admission_year"), values.get("origin_region")
    )
    return [Problem((name, "admission_year", "origin_region"), reason) for name, reason in found]


def problems(values: MutableMapping[str, Any]) -> list[Problem]:
    """Every rule between the fields present in `values` (the ID number normalised in
    place)."""
    return _identity(values) + _dates(values)
