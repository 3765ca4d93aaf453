"""New colleges and majors need a yes (phase 1b, before anything is written).

A roster names its 分院 and 专业 in words, so a typo ("信息工程学园") would quietly
found a new college, move its students there and leave the real one short. An import
that would create a college or a major is therefore refused unless the registrar says
so (`allow_new_colleges`: the command's --allow-new-colleges, the page's tick), and the
refusal names, for each new name, the existing one it most resembles.

Departments (系/所/函授站) and classes are created without a yes, and listed in the dry
run and the report: every intake brings dozens of new classes, so a yes for them would
be given by habit and protect nothing; both hang under a college that exists or was
allowed, and a class keeps its college (validation.check_organisation).
"""

from __future__ import annotations

import difflib

from django.utils.translation import gettext as _

from records.imports.validation import Validator
from records.models import College, Institution, Level, Major

# difflib's ratio from which a new name is offered an existing one ("信息工程学园" and
# "信息工程学院" score 0.83; two unrelated four-character names rarely reach 0.5).
SIMILAR = 0.6


def _how_to_allow() -> str:
    return _("如确需新建，请勾选“允许新建学院、专业”（命令行加 --allow-new-colleges）后重新导入。")


def _resembling(name: str, existing: dict[str, str]) -> str | None:
    """The shown form of the existing name closest to `name` (ratio ≥ SIMILAR), if any."""
    found = difflib.get_close_matches(name, list(existing), n=1, cutoff=SIMILAR)
    return existing[found[0]] if found else None


def _reason(kind: str, shown: str, similar: str | None) -> str:
    if similar:
        text = _("%(kind)s“%(name)s”不存在，是否为“%(similar)s”？") % {
            "kind": kind,
            "name": shown,
            "similar": similar,
        }
    else:
        text = _("%(kind)s“%(name)s”在系统中不存在，导入将新建它。") % {"kind": kind, "name": shown}
    return text + _how_to_allow()


def check_new_organisation(
    validator: Validator, institution: Institution | None, *, allow: bool
) -> list:
    """One error per college and per major (name and 层次) the rows would create, at the
    first row naming it; [] when allowed. Two queries, whatever the number of rows."""
    if allow:
        return []
    colleges: dict[str, int] = {}  # new name -> first line
    majors: dict[tuple[str, str], int] = {}
    for row in validator.rows:
        colleges.setdefault(row.college_name, row.line)
        majors.setdefault((row.major_name, row.level), row.line)
    existing_colleges, existing_majors = set(), set()
    if institution is not None:
        existing_colleges = set(
            College.objects.filter(institution=institution).values_list("name", flat=True)
        )
        existing_majors = set(
            Major.objects.filter(institution=institution).values_list("name", "level")
        )
    errors = []
    college_names = {name: name for name in existing_colleges}
    for name, line in colleges.items():
        if name not in existing_colleges:
            reason = _reason(_("分院"), name, _resembling(name, college_names))
            errors.append(validator.error(line, "college_name", reason))
    major_names = {name: f"{name}（{Level(level).label}）" for name, level in existing_majors}
    for (name, level), line in majors.items():
        if (name, level) not in existing_majors:
            shown = f"{name}（{Level(level).label}）"
            reason = _reason(_("专业"), shown, _resembling(name, major_names))
            errors.append(validator.error(line, "major_name", reason))
    return errors
