"""Who may change each field of a record, on what evidence, and when not at all (seeds
002 and 003). A student reads it before she starts a 有误 claim; the claim, the
registrar's accept and direct edit are refused by the same `refusals`.

Seed 002: a student never edits her record; the office corrects it on a police
certificate, the household register and the ID card; "一代身份证换成二代身份证、出生日期有
变动的不得更改信息"; the ID number is the one of the admission file. Seed 003: "学籍信息
不可更改" by the student; what the admission data say (考生号, 生源, 层次 …) the office
checks against its own files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import IdType
from portal.lib import idnumbers
from records.models import EnrollmentRecord, EvidenceKind
from records.rules.between import Problem


class Route:
    EVIDENCE = "evidence"  # the student claims it, with the evidence named
    OFFICE = "office"  # the office checks its own files: no evidence from the student


@dataclass(frozen=True)
class ChangePolicy:
    route: str
    evidence: tuple[str, ...] = ()  # EvidenceKind values, every one needed
    refused: str = ""  # when the field is not corrected at all

    @property
    def evidence_labels(self) -> list[str]:
        labels = dict(EvidenceKind.choices)
        return [str(labels[kind]) for kind in self.evidence]


_HUKOU, _POLICE, _ID = (
    EvidenceKind.HOUSEHOLD_REGISTER.value,
    EvidenceKind.POLICE_CERTIFICATE.value,
    EvidenceKind.ID_CARD.value,
)
_NOT_AFTER_NEW_CARD = _(
    "一代身份证换成二代身份证、出生日期有变动的，不予更改（学籍以入学时的证件为准）。"
)

POLICIES: dict[str, ChangePolicy] = {
    "name": ChangePolicy(Route.EVIDENCE, (_HUKOU, _POLICE)),
    "sex": ChangePolicy(Route.EVIDENCE, (_ID,)),
    "birth_date": ChangePolicy(
        Route.EVIDENCE,
        (_ID, _HUKOU),
        _("只能更正为与身份证号一致的出生日期；") + _NOT_AFTER_NEW_CARD,
    ),
    "id_type": ChangePolicy(Route.EVIDENCE, (_ID,)),
    "id_number": ChangePolicy(Route.EVIDENCE, (_ID, _HUKOU), _NOT_AFTER_NEW_CARD),
    "ethnicity": ChangePolicy(Route.EVIDENCE, (_HUKOU,)),
}
_OFFICE = ChangePolicy(Route.OFFICE)


def policy(name: str) -> ChangePolicy:
    """The policy of a field: those not listed are checked by the office on its own
    admission and enrollment files (考生号, 生源省市, 学号, 专业, 班级, dates …)."""
    return POLICIES.get(name, _OFFICE)


def _describe(name: str) -> str:
    rule = policy(name)
    if rule.route == Route.OFFICE:
        text = str(_("由学校学籍管理部门按录取和学籍档案核实，无需上传材料。"))
    else:
        text = str(_("需上传：%(kinds)s。")) % {"kinds": "、".join(rule.evidence_labels)}
    return text + str(rule.refused)


describe = lazy(_describe, str)


def missing_evidence(names: list[str], kinds: set[str]) -> list[tuple[str, list[str]]]:
    """(field, the labels of the evidence kinds it needs that are not among `kinds`)."""
    labels = dict(EvidenceKind.choices)
    found = []
    for name in names:
        missing = [kind for kind in policy(name).evidence if kind not in kinds]
        if missing:
            found.append((name, [str(labels[kind]) for kind in missing]))
    return found


def _birth(number: str):
    try:
        return idnumbers.birth_date(number)
    except ValidationError:
        return None


_NEW_CARD = _("一代身份证换成二代身份证的，学籍中的身份证号不予更改（以入学时的号码为准）。")
_NEW_BIRTH = _("新身份证号中的出生日期（%(born)s）与学籍不同：出生日期有变动的，不予更改。")


def _changed_number(record: EnrollmentRecord, number: str | None) -> str | None:
    if number and record.id_type == IdType.RESIDENT_ID and number != record.id_number:
        return number
    return None


def new_card(record: EnrollmentRecord, number: str | None) -> Problem | None:
    """A first-generation number replaced by its own second-generation form (seed 002:
    the record keeps the number of admission). Refused at every door, the import too."""
    number = _changed_number(record, number)
    first_generation = len(idnumbers.normalize(record.id_number)) == 15
    if number and first_generation and idnumbers.same_number(record.id_number, number):
        return Problem(("id_number",), str(_NEW_CARD))
    return None


def refusals(record: EnrollmentRecord, changes: Mapping[str, Any]) -> list[Problem]:
    """The changes the seeds say are never made on request (seed 002), whoever asks:
    a new-generation card's number, and a number whose birth date differs. (A roster
    re-import is the office's own admission data: it is held to `new_card` only.)"""
    if problem := new_card(record, changes.get("id_number")):
        return [problem]
    number = _changed_number(record, changes.get("id_number"))
    if number and (born := _birth(number)) is not None and born != record.birth_date:
        return [Problem(("id_number", "birth_date"), str(_NEW_BIRTH) % {"born": born.isoformat()})]
    return []
