"""Reading one value: the spellings offices and people use for numbers, dates, codes and
names.

Each reader takes the raw value — a spreadsheet cell as python-calamine returns it (str,
float, int, bool, date …) or the text a person typed into a form — and gives the stored
value, or raises RuleError with the reason in Chinese. The roster import, the student's
有误 claim and the registrar's edits all read through these (records.rules.record)."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.lib import idnumbers
from records import regions
from records.codes import Sex, ethnicity_code


class RuleError(Exception):
    """A value is wrong; the reason (Chinese) says why, without naming the field: the
    import puts it after the row and column, a form under the field."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Whitespace of every kind (\s covers the ideographic space U+3000) plus zero-width ones.
SPACES = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
# A gap between two Han characters (or full-width forms) only: "王　五" is 王五, while
# "Zoë Ängel" and "Ａｌｉ　Ｋｈａｎ" keep their space.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_GAP = re.compile(rf"(?<=[{_HAN}])[\s\u200b-\u200d\u2060\ufeff]+(?=[{_HAN}])")
# Control and format characters (NUL, BEL, the bidi overrides …) are never part of a name.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*")
_DATE = re.compile(
    r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?(?:[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_CHINESE_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}


_INVISIBLE = "".join(
    [chr(c) for c in range(0x3001) if chr(c).isspace()]
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
)


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip(_INVISIBLE))


def _compact(value: Any) -> str:
    """Codes and numbers: full-width characters folded (NFKC), no whitespace anywhere; a
    number typed as a number comes back as its digits (2023.0 -> "2023")."""
    if isinstance(value, bool | datetime.date | datetime.time):
        raise RuleError(_("应填写文字或数字"))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def words(value: Any, max_length: int) -> str:
    """Names as typed, trimmed: no NFKC, which would change compatibility ideographs (生僻字
    must survive); the space that pads two-character names ("王　五") goes."""
    text = value if isinstance(value, str) else _compact(value)
    if _CONTROL.search(text):
        raise RuleError(_("不能包含控制字符或不可见的格式字符"))
    text = SPACES.sub(" ", _CJK_GAP.sub("", text)).strip()
    if len(text) > max_length:
        raise RuleError(_("不能超过 %(n)d 个字") % {"n": max_length})
    return text


def identifier(value: Any, max_length: int) -> str:
    """学号, 考生号: digits or letters (and - _), as text or as a number."""
    text = _compact(value)
    if len(text) > max_length or not _CODE.fullmatch(text):
        raise RuleError(
            _("应为不超过 %(n)d 位的数字或字母，而不是“%(value)s”")
            % {"n": max_length, "value": text}
        )
    return text


_CERTIFICATE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")


def parse_certificate_number(value: Any) -> str:
    """证书编号 and the school's own number, as written: digits, and before 2001 forms such
    as NO.00298959 (seed 002), kept with their leading zeros. An 18-digit number typed as
    a number in Excel keeps 15 significant digits: the last ones are lost."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
        raise RuleError(_("证书编号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"))
    text = _compact(value)
    if _SCIENTIFIC.fullmatch(text):
        raise RuleError(_("证书编号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"))
    if len(text) > 30 or not _CERTIFICATE.fullmatch(text):
        raise RuleError(
            _("证书编号应为不超过 30 位的数字（或 NO.00298959 这样的编号），而不是“%(value)s”")
            % {"value": text}
        )
    return text


def parse_date(value: Any) -> datetime.date:
    """Excel date cells, and text as Chinese offices write dates: 2005-01-02, 2005/1/2,
    2005.1.2, 20050102 and 2005年1月2日 (a time part such as 00:00:00 is ignored)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _compact(value)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise RuleError(
            _("无法识别的日期“%(value)s”，请写成 2005-01-02 或设为日期格式") % {"value": text}
        )
    try:
        date = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise RuleError(_("日期“%(value)s”不存在") % {"value": text}) from None
    if not 1900 <= date.year <= 2100:
        raise RuleError(_("日期“%(value)s”超出合理范围") % {"value": text})
    return date


def parse_year(value: Any) -> int:
    text = _compact(value).removesuffix("年").removesuffix("级")
    this_year = timezone.localdate().year
    if not (len(text) == 4 and text.isascii() and text.isdigit()) or not (
        1949 <= int(text) <= this_year + 1
    ):
        raise RuleError(_("应为四位年份，例如 %(year)d") % {"year": this_year})
    return int(text)


def parse_duration(value: Any) -> Decimal:
    """学制: 4, "4", "4年", 2.5, "2.5年", "四年", "二年半"."""
    text = _compact(value).removesuffix("制")
    half = text.endswith("年半")
    text = text.removesuffix("年半").removesuffix("年")
    if text in _CHINESE_DIGITS:
        text = str(_CHINESE_DIGITS[text])
    try:
        years = Decimal(text) + (Decimal("0.5") if half else 0)
    except InvalidOperation:
        years = Decimal("NaN")
    # Out of range first: quantize raises on a coefficient past the precision (1e100).
    in_range = years.is_finite() and Decimal(1) <= years <= Decimal(9)
    tenths = years.quantize(Decimal("0.1")) if in_range else None
    if tenths is None or tenths != years:
        raise RuleError(_("学制应为 1 到 9 年，例如 4 或 2.5"))
    return tenths


_SEXES = {
    "男": Sex.MALE, "1": Sex.MALE, "女": Sex.FEMALE, "2": Sex.FEMALE,
    "未知的性别": Sex.UNKNOWN, "0": Sex.UNKNOWN, "未说明的性别": Sex.UNSTATED, "9": Sex.UNSTATED,
}  # fmt: skip


def parse_sex(value: Any) -> str:
    text = _compact(value)
    sex = _SEXES.get(text) or _SEXES.get(text.removesuffix("性"))
    if sex is None:
        raise RuleError(_("性别应填“男”或“女”（或 1、2）"))
    return sex.value


def parse_id_number(value: Any) -> str:
    """The number as written; it is validated with the 证件类型 (`_check_identity`).

    An 18-digit number typed as a number in Excel keeps 15 significant digits only: the
    last ones are lost, and nothing can bring them back."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e16:
        raise RuleError(_("身份证号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"))
    text = idnumbers.normalize(_compact(value))
    if _SCIENTIFIC.fullmatch(text):
        raise RuleError(_("身份证号被 Excel 存为数字，已丢失末位，请将该列设为文本后重新导出"))
    if len(text) > 30:
        raise RuleError(_("证件号码不能超过 30 位"))
    return text


def parse_ethnicity(value: Any) -> str:
    code = ethnicity_code(_compact(value))
    if code is None:
        raise RuleError(_("“%(value)s”不是 GB 3304 中的民族名称") % {"value": _compact(value)})
    return code


def parse_region(value: Any) -> str:
    """生源省市: a province, city or county as offices write it ("云南省昆明市", "云南昆明",
    "河南省郑州市金水区") or a GB/T 2260 code at any level: the code of the finest level."""
    try:
        return regions.region_code(_compact(value))
    except regions.RegionError as exc:
        raise RuleError(exc.reason) from exc


def parse_class_code(value: Any) -> str:
    """班号: as written, with no space inside ("2023 101" is "2023101")."""
    return words(value, 30).replace(" ", "")


def parse_province(value: Any) -> str:
    return regions.province_code(parse_region(value))


def parse_institution_code(value: Any) -> str:
    text = _compact(value)
    if not (text.isdigit() and len(text) == 5):
        raise RuleError(_("院校代码应为 5 位数字"))
    return text


def _label_key(text: str) -> str:
    return SPACES.sub("", unicodedata.normalize("NFKC", text))


@functools.cache
def _labels(choices_class, aliases: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Label -> value, built from the source labels (msgids), whatever the language."""
    with translation.override(None):
        labels = {_label_key(str(label)): value for value, label in choices_class.choices}
    labels.update((_label_key(alias), value) for alias, value in aliases)
    return labels


def choice(choices_class, what: str, aliases: tuple[tuple[str, str], ...] = ()) -> Callable:
    def parse(value: Any) -> str:
        found = _labels(choices_class, aliases).get(_label_key(_compact(value)))
        if found is None:
            with translation.override(None):
                allowed = "、".join(str(label) for label in choices_class.labels)
            raise RuleError(
                _("“%(value)s”不是有效的%(what)s，可填：%(allowed)s")
                % {"value": _compact(value), "what": what, "allowed": allowed}
            )
        return found

    return parse
