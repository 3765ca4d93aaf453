"""Chinese resident identity card numbers (居民身份证号码, GB 11643-1999).

Students type their number from memory, copy it from a phone photo or paste it from a
spreadsheet, so input arrives with full-width digits, stray spaces and a lower-case ``x``.
:func:`normalize` absorbs all of that, :func:`validate` rejects numbers that cannot exist
with a message telling the student what to fix, and :func:`mask` keeps full numbers off
rendered pages and exports (GB/T 35273).

An 18-digit number is a 6-digit region code, the birth date (YYYYMMDD), a 3-digit sequence
whose last digit is odd for men and even for women, and an ISO 7064 MOD 11-2 check
character. First-generation cards used 15 digits: YYMMDD (century 19) and no check character.
"""

import datetime
import random
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Weight of position i is 2**(17 - i) mod 11; the remainder of the weighted sum indexes the
# check character so that the full 18-character sum is congruent to 1 (mod 11).
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
# Province-level codes (GB/T 2260). 71 Taiwan, 81 Hong Kong, 82 Macao; 83 is used by the
# residence permits issued to Taiwan residents, which share this number format.
_SPANS = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
_PROVINCES = frozenset(str(code) for low, high in _SPANS for code in range(low, high + 1))
# Whitespace of every kind plus the zero-width characters that copy-paste from Word,
# Excel and chat apps leaves behind.
_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]")
_DIGITS = re.compile(r"[0-9]+")
_YEAR = re.compile(
    r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|(?<![0-9])(?:19|20)[0-9]{2}(?=[0-9]{4}(?![0-9]))"
)
_EARLIEST = datetime.date(1900, 1, 1)
# China has a single time zone without daylight saving; using it (not the server's zone)
# means a baby born "today" in China is never rejected as born in the future.
_CHINA_TZ = datetime.timezone(datetime.timedelta(hours=8), "CST")

_MESSAGES = {
    "required": _("请填写身份证号码。"),
    "length": _("身份证号码应为 18 位，您输入了 %(length)d 位，请检查是否多输或漏输。"),
    "length_legacy": _(
        "身份证号码应为 18 位（一代证为 15 位），您输入了 %(length)d 位，请检查是否多输或漏输。"
    ),
    "format": _("身份证号码前 17 位应全部为数字，最后一位为数字或字母 X，请删去其他字母和符号。"),
    "format_legacy": _("15 位一代身份证号码应全部为数字，请删去字母和符号。"),
    "region": _("身份证号码前两位“%(region)s”不是有效的省级行政区划代码，请核对号码开头部分。"),
    "birth_date": _("身份证号码中的出生日期“%(date)s”不是有效日期，请核对出生年月日部分。"),
    "birth_range": _(
        "身份证号码中的出生日期“%(date)s”早于 1900 年或晚于今天，请核对出生年月日部分。"
    ),
    "check_digit": _(
        "身份证号码校验位不正确，可能有数字输错或前后颠倒，请逐位核对；最后一位为 X 时大小写均可。"
    ),
    "resident_format": _(
        "该号码是居民身份证（或港澳台居民居住证）号码，请将证件类型选为“居民身份证”或“港澳台居民居住证”。"
    ),
    "document_short": _("请输入完整的证件号码。"),
    "permit_prefix": _(
        "港澳台居民居住证号码以 81（香港）、82（澳门）或 83（台湾）开头；其他号码请将证件类型选为“居民身份证”。"
    ),
    "resident_is_permit": _(
        "以 81、82 或 83 开头的号码是港澳台居民居住证号码，请将证件类型选为“港澳台居民居住证”。"
    ),
}

# Residence permits of Hong Kong, Macao and Taiwan residents: the resident ID format with
# these region codes (GB/T 2260 has no provinces 81-83 for resident ID cards of the
# mainland). Each number is valid under one type only, so that (type, number) — what
# the one-active-account rule and every claim key on — names one person.
PERMIT_REGIONS = frozenset({"81", "82", "83"})

# The document types whose numbers share the 18-digit resident ID format (GB 11643).
RESIDENT_FORMAT_TYPES = frozenset({"resident_id", "hmt_permit"})


def _error(key: str, *, code: str | None = None, **params: object) -> ValidationError:
    return ValidationError(_MESSAGES[key], code=code or key, params=params or None)


def _today() -> datetime.date:
    return datetime.datetime.now(_CHINA_TZ).date()


def normalize(value: str | None) -> str:
    """Return *value* in canonical form without validating it.

    NFKC turns full-width digits and ``Ｘ`` from Chinese input methods into ASCII; all
    whitespace (including the ideographic space U+3000) is removed wherever it occurs and a
    trailing ``x`` is upper-cased. The steps repeat until stable so the result is idempotent
    even for odd input where NFKC itself produces spaces (e.g. U+00A8).
    """
    if value is None:
        return ""
    text = str(value)
    while (cleaned := _SPACE.sub("", unicodedata.normalize("NFKC", text))) != text:
        text = cleaned
    return text[:-1] + "X" if text.endswith("x") else text


def check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 ASCII digits."""
    if not isinstance(first17, str) or len(first17) != 17 or not _DIGITS.fullmatch(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _check_region(number: str) -> None:
    if number[:2] not in _PROVINCES:
        raise _error("region", region=number[:2])


def _parse_birth(digits: str) -> datetime.date:
    """Parse YYYYMMDD, rejecting impossible dates and dates outside 1900-01-01..today."""
    shown = f"{digits[:4]}年{digits[4:6]}月{digits[6:8]}日"
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _error("birth_date", date=shown) from None
    if not _EARLIEST <= born <= _today():
        raise _error("birth_range", code="birth_date", date=shown)
    return born


def _check_legacy(number: str) -> datetime.date:
    if len(number) != 15:
        raise _error("length_legacy", code="length", length=len(number))
    if not _DIGITS.fullmatch(number):
        raise _error("format_legacy", code="format")
    _check_region(number)
    return _parse_birth("19" + number[6:12])


def validate(value: str, *, allow_legacy: bool = False) -> str:
    """Return the normalised number or raise ``ValidationError`` with a Chinese message.

    Checks run from coarse to fine (length, characters, region, birth date, check digit) so
    the message names the most specific problem the student can act on. Callers must store
    the returned value, not the raw input. With *allow_legacy* a valid 15-digit number is
    returned unchanged; use :func:`upgrade_legacy` to convert it.
    """
    number = normalize(value)
    if not number:
        raise _error("required")
    if allow_legacy and len(number) == 15:
        _check_legacy(number)
        return number
    if len(number) != 18:
        key = "length_legacy" if allow_legacy else "length"
        raise _error(key, code="length", length=len(number))
    if not _DIGITS.fullmatch(number[:17]) or number[17] not in "0123456789X":
        raise _error("format")
    _check_region(number)
    _parse_birth(number[6:14])
    if check_digit(number[:17]) != number[17]:
        raise _error("check_digit")
    return number


def _resident_format(number: str) -> bool:
    """18 digits with a right MOD 11-2 check character, or 15 digits: a resident ID (or
    residence permit) number, never a passport's or a travel permit's."""
    if len(number) == 15:
        return number.isdigit()
    return (
        len(number) == 18
        and _DIGITS.fullmatch(number[:17]) is not None
        and check_digit(number[:17]) == number[17]
    )


def validate_for_type(id_type: str, value: str) -> str:
    """The normalised number of a document of `id_type`, or ValidationError.

    One account per person rests on (type, number); a resident ID number entered as a
    passport would make a second, unrelated identity for the same person and slip past
    证件号码已被注册 and every claim. So a number in the resident ID format is accepted
    only as a resident ID or a residence permit (a new-style foreign permanent residence
    card, 18 digits beginning with 9, excepted)."""
    number = normalize(value)
    if id_type in RESIDENT_FORMAT_TYPES:
        number = validate(number)
        permit = number[:2] in PERMIT_REGIONS
        if id_type == "hmt_permit" and not permit:
            raise _error("permit_prefix")
        if id_type == "resident_id" and permit:
            raise _error("resident_is_permit")
        return number
    if _resident_format(number) and not (id_type == "foreign_permit" and number[0] == "9"):
        raise _error("resident_format")
    if len(number) < 5:
        raise _error("document_short")
    # Passports and permits are printed in capitals: "e7654321" and "E7654321" are one
    # document, and must be one (type, number) for 证件号码已被注册 and every claim.
    return number.upper()


def upgrade_legacy(number15: str) -> str:
    """Convert a valid 15-digit first-generation number to its 18-digit form.

    The 18-digit form inserts the century "19" before the YYMMDD birth date and appends
    the check character; this is how the issuing authority re-numbered legacy cards.
    """
    number = normalize(number15)
    _check_legacy(number)
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_digit(first17)


def legacy_form(number: str) -> str:
    """The 15-digit first-generation form of an 18-digit number (records of old cards may
    hold it); any other number as it is. The inverse of :func:`upgrade_legacy`."""
    return number[:6] + number[8:17] if len(number) == 18 else number


def birth_date(number: str) -> datetime.date:
    """Birth date encoded in a valid 15- or 18-digit number (raises ValidationError)."""
    valid = validate(number, allow_legacy=True)
    return _parse_birth(valid[6:14] if len(valid) == 18 else "19" + valid[6:12])


def sex(number: str) -> str:
    """GB/T 2261.1 sex code of a valid number: "1" male (odd sequence digit), "2" female."""
    valid = validate(number, allow_legacy=True)
    return "1" if int(valid[16 if len(valid) == 18 else 14]) % 2 else "2"


def mask(value: str) -> str:
    """What a page, export, mail or SMS may show of an ID number to anyone but its holder.

    The one rule (docs/security.md, PIPL art. 51, GB/T 35273 §7.2), applied on the server so the
    full number never reaches the browser; the length is kept so the shape stays
    recognisable. An 18-character number keeps only its last 4 (the sequence and the check
    character): region and birth date stay hidden, so the number cannot be rebuilt as long
    as the same page shows no full birth date and no 生源 place beside it (pages show the
    birth year at most) — about 3,000 counties × 365 days a year / 11 check characters
    leaves more than 10,000 candidates (tests/portal/test_masking.py counts them). A
    15-character legacy number keeps its 3-digit sequence; other documents (passports,
    permits) their last 2 when at least 6 characters stay hidden; anything shorter is
    fully masked.
    """
    text = normalize(value)
    size = len(text)
    if size == 18:
        tail = 4
    elif size == 15:
        tail = 3
    else:
        tail = 2 if size >= 8 else 0
    return "*" * (size - tail) + text[size - tail :]


def birth_year(value: object) -> str:
    """A birth date coarsened to its year ("2003年"), as pages that also show a masked ID
    number may show it; "" when *value* has no year. Accepts a date or the texts students
    type ("2003-01-02", "2003年1月2日")."""
    if isinstance(value, datetime.date):
        return f"{value.year}年"
    found = _YEAR.search(normalize(str(value or "")))
    return f"{found.group(0)}年" if found else ""


def generate(*, rng: random.Random, region: str = "110101", birth: datetime.date, sex: str) -> str:
    """Build an 18-digit number with a correct check digit for demo data and tests.

    Region and birth date are deliberately not validated, so tests can build numbers that
    fail exactly one rule (e.g. a future birth date) while the check digit is still right.
    """
    if not isinstance(region, str) or len(region) != 6 or not _DIGITS.fullmatch(region):
        raise ValueError(f"region must be 6 ASCII digits, got {region!r}")
    if sex not in ("1", "2"):
        raise ValueError(f'sex must be "1" (male) or "2" (female), got {sex!r}')
    sequence = f"{rng.randrange(100):02d}{rng.choice('13579' if sex == '1' else '02468')}"
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence}"
    return first17 + check_digit(first17)


@deconstructible
class IDNumberValidator:
    """Model/form field validator; ``allow_legacy`` also accepts 15-digit numbers."""

    def __init__(self, *, allow_legacy: bool = False) -> None:
        self.allow_legacy = allow_legacy

    def __call__(self, value: str) -> None:
        validate(value, allow_legacy=self.allow_legacy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IDNumberValidator):
            return NotImplemented
        return self.allow_legacy == other.allow_legacy

    def __hash__(self) -> int:
        return hash((IDNumberValidator, self.allow_legacy))


def same_number(a: str, b: str) -> bool:
    """True when *a* and *b* denote the same person after normalisation.

    A 15-digit legacy number matches its 18-digit upgrade; identical non-ID document numbers
    (passports) also match. Empty values never match anything.
    """
    x, y = normalize(a), normalize(b)
    if not x or not y or x == y:
        return bool(x) and x == y
    try:
        x, y = (upgrade_legacy(n) if len(n) == 15 else n for n in (x, y))
    except ValidationError:
        return False
    return x == y
