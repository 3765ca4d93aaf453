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
from records.models import Level
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


# 学历证书编号 (docs/degrees.md, 教育部《高等教育学历证书电子注册管理暂行规定》, 2001):
# 院校代码 (5) + 办学类型 (1) + 毕业年份 (4) + 培养层次 (2) + the school's serial number
# (5 digits in 2001; 6 from 2002, when numbers grew to 18 digits).
CERTIFICATE_LEVELS = {
    "doctor": "01", "master": "02", "second_bachelor": "04", "bachelor": "05",
    "junior_college": "06",
}  # fmt: skip
CERTIFICATE_LEVEL_NAMES = {code: level for level, code in CERTIFICATE_LEVELS.items()}
FIRST_REGISTERED_YEAR = 2001  # electronic registration began; older numbers are as they are


def _registration_number(number: str, graduated: datetime.date | None) -> bool:
    """A number in the registration form: 17 or 18 digits, of a degree from 2001 on (by
    its graduation date or by its own year digits; before, schools numbered as they saw
    fit, seed 002)."""
    if len(number) not in (17, 18) or not number.isdigit():
        return False
    years = [int(number[6:10])] + ([graduated.year] if graduated else [])
    return max(years) >= FIRST_REGISTERED_YEAR


def certificate(values: Mapping[str, Any], institution_code: str) -> list[Problem]:
    """A registration number (17 or 18 digits, from 2001) must agree with its row's 院校代码,
    graduation year and 层次; each disagreement names the digits and what they say. Older
    forms (the school's own numbers, NO.00298959) are taken as they are."""
    number = values.get("certificate_number") or ""
    graduated = values.get("graduation_date")
    if not _registration_number(number, graduated):
        return []
    found = []
    if institution_code and number[:5] != institution_code:
        found.append(
            Problem(
                ("certificate_number",),
                _("证书编号第 1–5 位（院校代码 %(digits)s）与本行院校代码 %(code)s 不一致")
                % {"digits": number[:5], "code": institution_code},
            )
        )
    if graduated and number[6:10] != f"{graduated.year:04d}":
        found.append(
            Problem(
                ("certificate_number", "graduation_date"),
                _("证书编号第 7–10 位（毕业年份 %(digits)s）与毕业日期 %(date)s 不一致")
                % {
                    "digits": number[6:10],
                    "date": _("%(y)d年%(m)d月") % {"y": graduated.year, "m": graduated.month},
                },
            )
        )
    if problem := _certificate_level(number[10:12], values.get("level") or ""):
        found.append(problem)
    return found


def _certificate_level(digits: str, level: str) -> Problem | None:
    wanted = CERTIFICATE_LEVELS.get(level)
    if wanted is None or digits == wanted:
        return None
    said = CERTIFICATE_LEVEL_NAMES.get(digits)
    if said is None:
        reason = _("证书编号第 11–12 位（%(digits)s）不是培养层次代码，%(level)s应为 %(code)s")
    else:
        reason = _(
            "证书编号第 11–12 位（层次代码 %(digits)s，%(said)s）与层次“%(level)s”（代码 %(code)s）不一致"
        )
    return Problem(
        ("certificate_number", "level"),
        reason
        % {
            "digits": digits,
            "said": Level(said).label if said else "",
            "level": Level(level).label,
            "code": wanted,
        },
    )


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
