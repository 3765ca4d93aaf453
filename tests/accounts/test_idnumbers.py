"""Tests for portal.lib.idnumbers (GB 11643-1999 identity card numbers).

No database and no project settings are needed: if nothing configured Django settings yet
(e.g. when run with ``-p no:django``), minimal settings are configured so that the lazy
Chinese error messages can be rendered.
"""

import datetime
import random
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

if not settings.configured:
    settings.configure(USE_I18N=False)

from portal.lib import idnumbers  # noqa: E402
from portal.lib.idnumbers import (  # noqa: E402
    IDNumberValidator,
    birth_date,
    birth_year,
    check_digit,
    generate,
    mask,
    normalize,
    same_number,
    sex,
    upgrade_legacy,
    validate,
)

# Written out independently of the module so that a typo there is caught here.
PROVINCES = [
    *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
    *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"),
    *("65", "71", "81", "82", "83"),
]
EXAMPLE = "11010519491231002X"  # the example number printed in GB 11643-1999
EXAMPLE_LEGACY = "110105491231002"
CJK = re.compile(r"[\u4e00-\u9fff]")

regions = st.builds(
    lambda province, rest: province + f"{rest:04d}",
    st.sampled_from(PROVINCES),
    st.integers(0, 9999),
)
# One day of margin: "today" in China may be behind the test machine's local date.
births = st.dates(datetime.date(1900, 1, 1), datetime.date.today() - datetime.timedelta(days=1))
sexes = st.sampled_from(["1", "2"])


@st.composite
def numbers(draw, birth=births):
    return generate(
        rng=draw(st.randoms(use_true_random=False)),
        region=draw(regions),
        birth=draw(birth),
        sex=draw(sexes),
    )


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


def error_code(value, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate(value, **kwargs)
    return excinfo.value.code


def iso_7064_holds(number: str) -> bool:
    """ISO 7064 MOD 11-2 as the standard states it: sum(a_i * 2**(18-i)) = 1 (mod 11)."""
    values = [10 if c == "X" else int(c) for c in number]
    return sum(v * 2 ** (17 - i) for i, v in enumerate(values)) % 11 == 1


# --- check digit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("53010219900101123", "1"),
        ("32031119770706001", "8"),
        ("51010820000229001", "7"),
    ],
)
def test_check_digit_matches_known_examples(first17, expected):
    assert check_digit(first17) == expected
    assert iso_7064_holds(first17 + expected)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_satisfies_the_iso_7064_equation(first17):
    assert iso_7064_holds(first17 + check_digit(first17))


@pytest.mark.parametrize(
    "bad",
    ["", "1101051949123100", "110105194912310021", "1101051949123100X", "１" * 17, "١" * 17, None],
)
def test_check_digit_rejects_anything_but_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


# --- normalize ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５\u3000１９４９１２３１\u3000００２ｘ",
        "110105\t19491231\n002\u200bX\ufeff",
    ],
)
def test_messy_input_normalises_to_the_canonical_number(raw):
    assert normalize(raw) == EXAMPLE
    assert validate(raw) == EXAMPLE


def test_normalize_of_none_is_empty_string():
    assert normalize(None) == ""


def test_normalize_only_upper_cases_a_trailing_x_and_does_not_validate():
    assert normalize("x12x") == "x12X"
    assert normalize("abc") == "abc"


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert not any(c.isspace() for c in once)


@given(numbers(), st.data())
def test_full_width_spaced_and_lower_case_variants_normalise_to_the_same_number(number, data):
    variant = ""
    for char in number.lower():
        if data.draw(st.booleans()):
            char = chr(ord(char) + 0xFEE0)  # the full-width form of an ASCII character
        variant += data.draw(st.sampled_from(["", " ", "\u3000", "\t", "\u00a0"])) + char
    variant += data.draw(st.sampled_from(["", " ", "\u3000\n"]))
    assert normalize(variant) == number
    assert validate(variant) == number


# --- validate -----------------------------------------------------------------------------


def test_the_standard_example_number_is_valid_and_lower_case_x_is_accepted():
    assert validate(EXAMPLE) == EXAMPLE
    assert validate(EXAMPLE.lower()) == EXAMPLE


@given(numbers())
def test_generated_numbers_always_validate(number):
    assert len(number) == 18
    assert validate(number) == number
    assert iso_7064_holds(number)


@pytest.mark.parametrize("empty", ["", "   ", "\u3000", None])
def test_empty_input_is_reported_as_required(empty):
    assert error_code(empty) == "required"


@pytest.mark.parametrize("value", ["1101051949123100", EXAMPLE + "1", EXAMPLE_LEGACY, "E12345678"])
def test_wrong_length_is_rejected(value):
    assert error_code(value) == "length"


@pytest.mark.parametrize(
    "value",
    ["11010519491231002A", "1101051949123100XX", "11010519491231O02X", "11010519491231-02X"],
)
def test_letters_and_symbols_are_rejected_as_format(value):
    assert error_code(value) == "format"


@pytest.mark.parametrize(
    "province",
    ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66"]
    + ["70", "72", "80", "84", "90", "91", "99"],
)
def test_unknown_province_code_is_rejected_as_region(province):
    number = generate(
        rng=random.Random(1), region=province + "0101", birth=datetime.date(2005, 9, 1), sex="2"
    )
    assert error_code(number) == "region"


@pytest.mark.parametrize("province", ["11", "15", "46", "65", "71", "81", "82", "83"])
def test_edge_province_codes_including_taiwan_hong_kong_macao_are_accepted(province):
    number = generate(
        rng=random.Random(2), region=province + "0000", birth=datetime.date(2005, 9, 1), sex="1"
    )
    assert validate(number) == number


@pytest.mark.parametrize("year", [1900, 1999, 2001, 2023])
def test_february_29_is_rejected_in_non_leap_years(year):
    assert error_code(with_check(f"110101{year}0229123")) == "birth_date"


@pytest.mark.parametrize("year", [1904, 2000, 2004])
def test_february_29_is_accepted_in_leap_years(year):
    assert validate(with_check(f"110101{year}0229123"))


@pytest.mark.parametrize("digits", ["20050230", "20051301", "20050001", "20050100", "20050431"])
def test_impossible_calendar_dates_are_rejected(digits):
    assert error_code(with_check(f"110101{digits}123")) == "birth_date"


@pytest.mark.parametrize("days_ahead", [2, 400, 365 * 80])
def test_future_birth_dates_are_rejected(days_ahead):
    born = datetime.date.today() + datetime.timedelta(days=days_ahead)
    number = generate(rng=random.Random(3), birth=born, sex="1")
    assert error_code(number) == "birth_date"


def test_birth_date_range_runs_from_1900_to_today_in_china(monkeypatch):
    today = datetime.date(2024, 9, 1)
    monkeypatch.setattr(idnumbers, "_today", lambda: today)
    rng = random.Random(4)
    assert validate(generate(rng=rng, birth=today, sex="1"))
    assert validate(generate(rng=rng, birth=datetime.date(1900, 1, 1), sex="2"))
    tomorrow = generate(rng=rng, birth=today + datetime.timedelta(days=1), sex="1")
    assert error_code(tomorrow) == "birth_date"
    assert error_code(generate(rng=rng, birth=datetime.date(1899, 12, 31), sex="2")) == "birth_date"


def test_the_19th_century_textbook_example_is_rejected_for_its_birth_date():
    assert iso_7064_holds("440524188001010014")
    assert error_code("440524188001010014") == "birth_date"


def test_wrong_final_character_is_reported_as_check_digit():
    assert error_code(EXAMPLE[:17] + "0") == "check_digit"
    assert error_code(EXAMPLE[:17] + "1") == "check_digit"


@given(numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_substitution_of_a_valid_number_fails(number, position, replacement):
    if position < 17 and replacement == "X":
        replacement = "0"
    if replacement == number[position]:
        replacement = "1" if replacement == "0" else "0"
    changed = number[:position] + replacement + number[position + 1 :]
    if position < 17:  # MOD 11-2 detects every single substitution
        assert check_digit(changed[:17]) != changed[17]
    code = error_code(changed)
    if position >= 14:  # sequence or check digit: nothing else can be wrong
        assert code == "check_digit"


@given(numbers(), st.integers(0, 16))
def test_any_adjacent_transposition_of_different_characters_fails(number, position):
    first, second = number[position], number[position + 1]
    if first != second:
        swapped = number[:position] + second + first + number[position + 2 :]
        error_code(swapped)


# --- error messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "detail"),
    [
        ("", "required", ""),
        ("1101051949123100", "length", "16"),
        ("11010519491231002A", "format", "X"),
        ("990105194912310021", "region", "99"),
        (with_check("11010520230229123"), "birth_date", "2023年02月29日"),
        (EXAMPLE[:17] + "0", "check_digit", "X"),
    ],
)
def test_error_messages_are_chinese_and_name_the_problem(value, code, detail):
    with pytest.raises(ValidationError) as excinfo:
        validate(value)
    assert excinfo.value.code == code
    (message,) = excinfo.value.messages
    assert CJK.search(message)
    assert detail in message


def test_legacy_length_message_mentions_both_lengths():
    with pytest.raises(ValidationError) as excinfo:
        validate("1101051949123", allow_legacy=True)
    (message,) = excinfo.value.messages
    assert "18" in message and "15" in message and "13" in message


# --- legacy 15-digit numbers --------------------------------------------------------------


def test_known_legacy_number_upgrades_to_the_standard_example():
    assert upgrade_legacy(EXAMPLE_LEGACY) == EXAMPLE
    assert upgrade_legacy(" １１０１０５４９１２３１００２ ") == EXAMPLE


@given(numbers(birth=st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31))))
def test_upgrade_legacy_output_validates_and_keeps_birth_date_and_sex(number):
    legacy = number[:6] + number[8:17]
    upgraded = upgrade_legacy(legacy)
    assert upgraded == number
    assert validate(upgraded) == upgraded
    assert birth_date(upgraded) == birth_date(legacy)
    assert sex(upgraded) == sex(legacy)
    assert same_number(legacy, upgraded)


@pytest.mark.parametrize(
    ("legacy", "code"),
    [
        ("11010549123100", "length"),
        (EXAMPLE, "length"),
        ("11010549123100X", "format"),
        ("110105490230002", "birth_date"),
        ("110105490229002", "birth_date"),
        ("990105491231002", "region"),
    ],
)
def test_upgrade_legacy_rejects_invalid_input(legacy, code):
    with pytest.raises(ValidationError) as excinfo:
        upgrade_legacy(legacy)
    assert excinfo.value.code == code


def test_allow_legacy_returns_a_valid_15_digit_number_unchanged():
    assert validate(EXAMPLE_LEGACY, allow_legacy=True) == EXAMPLE_LEGACY
    assert validate(EXAMPLE, allow_legacy=True) == EXAMPLE


@pytest.mark.parametrize(
    ("value", "code"),
    [("110105490230002", "birth_date"), ("11010549123100X", "format"), ("1101054912310", "length")],
)
def test_allow_legacy_still_rejects_bad_legacy_numbers(value, code):
    assert error_code(value, allow_legacy=True) == code


# --- birth date and sex -------------------------------------------------------------------


def test_birth_date_and_sex_of_known_numbers():
    assert birth_date(EXAMPLE) == datetime.date(1949, 12, 31)
    assert birth_date(EXAMPLE_LEGACY) == datetime.date(1949, 12, 31)
    assert sex(EXAMPLE) == sex(EXAMPLE_LEGACY) == "2"
    male = with_check("53010219900101123")
    assert sex(male) == "1"
    assert birth_date(male) == datetime.date(1990, 1, 1)


@given(st.randoms(use_true_random=False), births, sexes)
def test_generated_numbers_encode_the_requested_birth_date_and_sex(rng, born, wanted):
    number = generate(rng=rng, birth=born, sex=wanted)
    assert birth_date(number) == born
    assert sex(number) == wanted


def test_birth_date_and_sex_reject_invalid_numbers():
    with pytest.raises(ValidationError):
        birth_date(EXAMPLE[:17] + "0")
    with pytest.raises(ValidationError):
        sex("not a number")


# --- mask ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("530102199001011234", "**************1234"),
        (EXAMPLE, "**************002X"),
        (EXAMPLE.lower(), "**************002X"),
        (EXAMPLE_LEGACY, "************002"),
        ("E12345678", "*******78"),
        ("H1234567", "******67"),
        ("1234567", "*******"),
        ("12345", "*****"),
        ("ABCD", "****"),
        ("A", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_examples(value, expected):
    assert mask(value) == expected


@given(numbers())
def test_mask_shows_neither_region_nor_birth_date_and_keeps_length(number):
    masked = mask(number)
    assert len(masked) == 18
    assert masked[:14] == "*" * 14
    assert masked[14:] == number[14:]
    legacy = mask(number[:6] + number[8:17])
    assert len(legacy) == 15 and legacy[:12] == "*" * 12


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2003, 1, 2), "2003年"),
        ("2003-01-02", "2003年"),
        ("2003年1月2日", "2003年"),
        ("20030102", "2003年"),
        ("１９９９．５．６", "1999年"),
        ("不详", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_birth_year_keeps_only_the_year(value, expected):
    assert birth_year(value) == expected


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", max_size=40))
def test_mask_keeps_length_and_hides_most_of_any_document_number(value):
    masked = mask(value)
    assert len(masked) == len(value)
    visible = sum(c != "*" for c in masked)
    assert visible <= 8
    if len(value) <= 4:
        assert visible == 0
    if len(value) >= 8:
        assert visible <= len(value) / 2


# --- generate, validator, same_number -----------------------------------------------------


def test_generate_is_reproducible_with_a_seeded_rng():
    born = datetime.date(2006, 3, 15)
    first = generate(rng=random.Random(42), region="440305", birth=born, sex="1")
    assert first == generate(rng=random.Random(42), region="440305", birth=born, sex="1")
    assert first.startswith("44030520060315")


@pytest.mark.parametrize(("region", "wanted"), [("11010", "1"), ("11010a", "2"), ("110101", "M")])
def test_generate_rejects_bad_arguments(region, wanted):
    with pytest.raises(ValueError):
        generate(rng=random.Random(0), region=region, birth=datetime.date(2000, 1, 1), sex=wanted)


def test_validator_calls_validate_and_respects_allow_legacy():
    IDNumberValidator()(EXAMPLE)
    IDNumberValidator(allow_legacy=True)(EXAMPLE_LEGACY)
    with pytest.raises(ValidationError) as excinfo:
        IDNumberValidator()(EXAMPLE_LEGACY)
    assert excinfo.value.code == "length"


def test_validator_compares_by_options_and_deconstructs_for_migrations():
    assert IDNumberValidator() == IDNumberValidator(allow_legacy=False)
    assert IDNumberValidator() != IDNumberValidator(allow_legacy=True)
    assert len({IDNumberValidator(), IDNumberValidator()}) == 1
    path, args, kwargs = IDNumberValidator(allow_legacy=True).deconstruct()
    assert path == "portal.lib.idnumbers.IDNumberValidator"
    assert (args, kwargs) == ((), {"allow_legacy": True})


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (EXAMPLE, EXAMPLE.lower(), True),
        (EXAMPLE, "110105 19491231 002x", True),
        (EXAMPLE_LEGACY, EXAMPLE, True),
        (EXAMPLE, EXAMPLE_LEGACY, True),
        ("E12345678", " E12345678", True),
        (EXAMPLE_LEGACY, EXAMPLE[:17] + "0", False),
        (EXAMPLE_LEGACY, "110105491231004", False),
        ("990105491231002", "99010519491231002" + "X", False),
        ("", "", False),
        (None, EXAMPLE, False),
    ],
)
def test_same_number_compares_normalised_and_legacy_numbers(a, b, expected):
    assert same_number(a, b) is expected
    assert same_number(b, a) is expected
