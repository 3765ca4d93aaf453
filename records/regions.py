"""生源省市: GB/T 2260 region codes and names at every level, from published data.

records/data/regions.tsv holds every code and name published since 1980 (generated once by
scripts/regions/generate.py from the packages it names; never edited by hand). Offices write
生源省市 as a province ("云南省", "云南"), province and city ("云南省昆明市", "云南昆明"),
down to the county ("河南省郑州市金水区"), or as a 6-digit code at any of those levels, current
or retired (old ID numbers carry retired ones). We store the code of the finest level given
and show the full name.

The table is loaded once per process: it is immutable published data, not app state.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from records.codes import ETHNIC_GROUPS

DATA = Path(__file__).resolve().parent / "data" / "regions.tsv"

# Published pseudo-levels: 市辖区 / 县 / 市 of the municipalities (1101, 1102, 5003), the
# 市辖区 of every city (XXYY01) and the 省直辖县级行政区划 (XX90). Their codes are valid;
# their names are never part of a full name, and never match a written name.
_PSEUDO = re.compile(r"^(市辖区|县|市)$|直辖")
# Pseudo-levels some offices copy into a name ("北京市市辖区东城区").
_PSEUDO_WRITTEN = re.compile(r"市辖区|(?:省|自治区)直辖县级行政(?:区划|单位)")
# Ways of writing the parts apart: spaces of every kind, dashes, slashes, commas.
_SEPARATORS = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\-‐‑–—/·・,，、]+")
_ETHNIC = "|".join(
    sorted({name for _code, name in ETHNIC_GROUPS if name.endswith("族")} | {"各族"}, key=len)[::-1]
)
# What may be left off a name ("云南" for 云南省, "昆明" for 昆明市, "金水" for 金水区).
_SUFFIXES = {
    1: re.compile(r"(省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$"),
    2: re.compile(rf"(市|地区|盟|(?:{_ETHNIC})*自治州)$"),
    3: re.compile(rf"(新区|县|区|市|旗|特区|林区|(?:{_ETHNIC})*自治[县旗])$"),
}
_EXAMPLE = "云南省昆明市"


class RegionError(ValueError):
    """A written 生源省市 names no region, or more than one; `reason` says so in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    level: int
    last: str  # the last revision that listed this name for the code; "" = current

    @property
    def pseudo(self) -> bool:
        return bool(_PSEUDO.search(self.name))

    @property
    def order(self) -> str:
        """Sorts by when the name was last in force, the current name last."""
        return self.last or "999999"


@dataclass
class _Table:
    rows: dict[str, list[_Row]] = field(default_factory=dict)  # code -> current name first
    # Written names (full and short) of the places directly under a code ("" = the country),
    # of the counties under a province's cities (when the city is left out), and of every
    # city and county (a text that starts below the province).
    under: dict[str, dict[str, list[_Row]]] = field(default_factory=dict)
    skipping: dict[str, dict[str, list[_Row]]] = field(default_factory=dict)
    anywhere: dict[str, list[_Row]] = field(default_factory=dict)
    longest: int = 0


def _normal(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def _written_names(row: _Row) -> set[str]:
    full = _normal(row.name)
    names = {full}
    short = _SUFFIXES[row.level].sub("", full)
    if len(short) >= 2:
        names.add(short)
        if row.level == 1 and row.name.endswith("自治区"):
            names.add(short + "自治区")  # 广西自治区, 宁夏自治区
    return names


def _parent(row: _Row, rows: dict[str, list[_Row]]) -> str:
    if row.level == 1:
        return ""
    province = f"{row.code[:2]}0000"
    city = f"{row.code[:4]}00"
    if row.level == 3 and any(not r.pseudo for r in rows.get(city, [])):
        return city
    return province


def _add(index: dict[str, list[_Row]], row: _Row) -> None:
    for name in _written_names(row):
        index.setdefault(name, []).append(row)


@functools.cache
def _table() -> _Table:
    table = _Table()
    with DATA.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or line.startswith("code\t"):
                continue
            code, name, level, last = line.rstrip("\n").split("\t")
            table.rows.setdefault(code, []).append(_Row(code, name, int(level), last))
    for rows in table.rows.values():
        rows.sort(key=lambda row: row.order, reverse=True)
    for rows in table.rows.values():
        for row in rows:
            if row.pseudo:
                continue
            parent = _parent(row, table.rows)
            _add(table.under.setdefault(parent, {}), row)
            if row.level > 1:
                _add(table.anywhere, row)
            if parent and parent != f"{row.code[:2]}0000":
                _add(table.skipping.setdefault(f"{row.code[:2]}0000", {}), row)
    table.longest = max(len(name) for name in table.anywhere)
    return table


@dataclass(frozen=True)
class _Reading:
    """One way to read a text: the code it ends on, and how far it strays from the plain
    reading (starts below the province, uses retired names, leaves a level out, uses short
    names, and last, ends below a city: a bare "南昌" is 南昌市 rather than 南昌县)."""

    code: str
    strays: tuple[int, int, int, int, int]
    when: str  # when the name read last was in force (_Row.order)


def _readings(text: str, index: dict[str, list[_Row]], start: int, strays) -> list[_Reading]:
    table = _table()
    found = []
    for end in range(start + 1, min(len(text), start + table.longest) + 1):
        for row in index.get(text[start:end], []):
            step = (
                strays[0],
                strays[1] + bool(row.last),
                strays[2],
                strays[3] + (_normal(row.name) != text[start:end]),
            )
            if end == len(text):
                found.append(_Reading(row.code, (*step, row.level), row.order))
            else:
                found += _below(text, row, end, step)
    return found


def _below(text: str, row: _Row, start: int, strays) -> list[_Reading]:
    table = _table()
    found = _readings(text, table.under.get(row.code, {}), start, strays)
    if row.level == 1:
        skipped = (strays[0], strays[1], strays[2] + 1, strays[3])
        found += _readings(text, table.skipping.get(row.code, {}), start, skipped)
    return found


def _closest(readings: list[_Reading]) -> list[str]:
    """The codes of the plainest readings. Within one province, the same name at different
    times is one place renumbered (辛集市 139002 then 139004; 芳村区 440106 then 440107):
    the code that carried it last."""
    best = min((reading.strays for reading in readings), default=None)
    readings = [reading for reading in readings if reading.strays == best]
    if len({reading.code[:2] for reading in readings}) == 1:
        latest = max(reading.when for reading in readings)
        readings = [reading for reading in readings if reading.when == latest]
    return sorted({reading.code for reading in readings})


def _places(codes: list[str]) -> str:
    names = [region_name(code) for code in codes[:3]]
    return "、".join(names) + (_("等") if len(codes) > 3 else "")


def _shown(text) -> str:
    """The text as written, cut short for a message."""
    text = str(text or "").strip()
    return text if len(text) <= 30 else text[:30] + "…"


def region_code(text: str) -> str:
    """The GB/T 2260 code of the finest level `text` names, or RegionError."""
    written = _normal(str(text or ""))
    if len(written) == 6 and written.isascii() and written.isdigit():
        if written in _table().rows:
            return written
        raise RegionError(
            _(
                "“%(text)s”不是 GB/T 2260 中的行政区划代码：请填写省、市、县（区）名称，如“%(example)s”，或 6 位行政区划代码"
            )
            % {"text": written, "example": _EXAMPLE}
        )
    table = _table()
    written = _PSEUDO_WRITTEN.sub("", written)
    readings = _readings(written, table.under.get("", {}), 0, (0, 0, 0, 0))
    if not readings:
        readings = _readings(written, table.anywhere, 0, (1, 0, 0, 0))
    codes = _closest(readings)
    if len(codes) == 1:
        return codes[0]
    if codes:
        raise RegionError(
            _(
                "“%(text)s”可指多个地方（%(places)s）：请写明省、市、县（区），如“%(example)s”，或填写 6 位行政区划代码"
            )
            % {"text": _shown(text), "places": _places(codes), "example": region_name(codes[0])}
        )
    raise RegionError(
        _(
            "“%(text)s”不是有效的生源省市：请填写省、市、县（区）名称，如“%(example)s”，或 6 位行政区划代码"
        )
        % {"text": _shown(text), "example": _EXAMPLE}
    )


def _name_when(code: str, last: str) -> _Row | None:
    """The code's row in force when a place last listed in `last` ("" = now) was."""
    rows = _table().rows.get(code, [])
    when = last or "999999"
    in_force = [row for row in rows if row.order >= when]
    return min(in_force, key=lambda row: row.order) if in_force else (rows[0] if rows else None)


def region_name(code: str) -> str:
    """The full name: "云南省昆明市五华区", "北京市朝阳区" (no 市辖区), "河南省济源市"
    (省直辖); an unknown code gives its province's name, or the code itself."""
    code = code or ""
    rows = _table().rows.get(code)
    province = _name_when(f"{code[:2]}0000", rows[0].last if rows else "")
    if not rows:
        return province.name if province else code
    own = rows[0]
    parts = [province.name if province else ""]
    if own.level == 3:
        city = _name_when(f"{code[:4]}00", own.last)
        if city and not city.pseudo:
            parts.append(city.name)
    if own.level > 1 and not own.pseudo:
        parts.append(own.name)
    return "".join(parts)


def province_code(code: str) -> str:
    """The province of a code: "530102" -> "530000" ("" for none)."""
    return f"{code[:2]}0000" if code else ""
