"""Parsing values as people type them, and never anything but a clear validation error."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_cli.core.errors import Problem, ValidationError
from egov_cli.domain.scale import presets
from egov_cli.values.parse import (
    leika_key_warning,
    parse_date,
    parse_flag,
    parse_int,
    parse_leika_key,
    parse_ozg_id,
    parse_text,
)

SCALE = presets()["ozg-1.1"]
ANY_VALUE = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
)

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    "typed",
    [
        "99050012104000",
        "99 050 012 104 000",
        " 99050012104000 ",
        99050012104000,
        99050012104000.0,
        "9.9050012104E13",
        "9,9050012104E+13",
        "99050012104000.0",
    ],
)
def test_a_key_in_any_common_spelling_is_restored_to_14_digits(typed: object) -> None:
    assert parse_leika_key(typed) == "99050012104000"


@pytest.mark.parametrize("typed", ["nicht im LeiKa", "Nicht im Leika", "", None, "  "])
def test_no_key_is_none(typed: object) -> None:
    assert parse_leika_key(typed) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9905001210400", "LeiKa key '9905001210400' is not 14 digits (it has 13 digits)."),
        (
            "99O50012104000",
            "LeiKa key '99O50012104000' is not 14 digits (it has 13 digits and other characters).",
        ),
        (1.5, "LeiKa key '1.5' is not 14 digits (it has 2 digits and other characters)."),
    ],
)
def test_a_wrong_key_names_the_value(typed: object, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_leika_key(typed)
    assert info.value.message == message


def test_a_bare_leistungsobjekt_is_a_warning() -> None:
    assert "bare Leistungsobjekt" in (leika_key_warning("99050012000000") or "")
    assert leika_key_warning("99050012104000") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.2.2026", date(2026, 2, 1)),
        ("2026-12-31", date(2026, 12, 31)),
        (46387, date(2026, 12, 31)),
        ("46387", date(2026, 12, 31)),
        ("31.12.26", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", date(2026, 12, 31)),
    ],
)
def test_dates_are_read_in_german_iso_and_excel_form(typed: object, expected: date) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["31.02.2026", "2026/12/31", "morgen", 5, True])
def test_a_wrong_date_names_the_value_and_the_accepted_forms(typed: object) -> None:
    with pytest.raises(ValidationError, match="is not a date") as info:
        parse_date(typed, "Zieldatum")
    assert info.value.hint == "Write it as 31.12.2026 or 2026-12-31 (or use an Excel date cell)."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ja", True),
        ("Nein", False),
        ("x", True),
        ("WAHR", True),
        ("falsch", False),
        ("1", True),
        (0, False),
        ("true", True),
        ("", None),
    ],
)
def test_flags_read_german_and_english(typed: object, expected: bool | None) -> None:
    assert parse_flag(typed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", 3),
        (3.0, 3),
        ("3 - Online-Leistung", 3),
        ("Online-Leistung", 3),
        ("online-leistung", 3),
        ("0 Offline", 0),
        ("Online service", 3),  # its English name
    ],
)
def test_levels_are_read_as_number_or_label(typed: object, expected: int) -> None:
    assert SCALE.parse(typed) == expected


def test_a_level_off_the_scale_lists_the_scale() -> None:
    with pytest.raises(ValidationError) as info:
        SCALE.parse("7")
    assert "4 (Online-Transaktion)" in (info.value.hint or "")


ARABIC_INDIC_KEY = "٩٩٠٥٠٠١٢١٠٤٠٠٠"


@pytest.mark.parametrize(
    "typed",
    [ARABIC_INDIC_KEY, "９９０５００１２１０４０００", "۹۹ ۰۵۰ ۰۱۲ ۱۰۴ ۰۰۰", "99050012١٠٤٠٠٠"],
)
def test_a_key_in_the_digits_of_another_script_is_read_as_its_ascii_digits(typed: str) -> None:
    assert parse_leika_key(typed) == "99050012104000"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("٩٩٠٥٠٠١٢١٠٤٠٠", "LeiKa key '٩٩٠٥٠٠١٢١٠٤٠٠' is not 14 digits (it has 13 digits)."),
        (
            "9905001210400²",
            "LeiKa key '9905001210400²' is not 14 digits (it has 13 digits and other characters).",
        ),
    ],
)
def test_a_wrong_key_in_other_digits_is_told_its_true_count(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_leika_key(typed)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("10294", "10294"), ("١٠٢٩٤", "10294"), (10294.0, "10294"), (" 10294 ", "10294"), ("", None)],
)
def test_an_ozg_id_is_read_as_ascii_digits(typed: object, expected: str | None) -> None:
    assert parse_ozg_id(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "1O294", "10294²", "10-294"])
def test_an_ozg_id_that_is_not_a_number_is_refused_naming_it(typed: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_ozg_id(typed)
    assert info.value.message == f"OZG-ID {typed!r} is not a number."


def test_whole_numbers_in_other_digits_are_read_as_keys_and_ozg_ids_are() -> None:
    assert parse_int("١٢٣٤") == 1234
    assert parse_int("１２ ０００") == 12000


@given(ANY_VALUE)
def test_the_ozg_id_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_ozg_id(value)


def test_thousands_separators_are_understood_in_whole_numbers() -> None:
    assert parse_int("1.234") == 1234
    assert parse_int("12 000") == 12000


def test_control_characters_in_text_are_refused() -> None:
    with pytest.raises(ValidationError, match="U\\+0000"):
        parse_text("Ge\x00werbe", "Leistung")


@given(ANY_VALUE)
def test_the_key_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_leika_key(value)


@given(ANY_VALUE)
def test_the_date_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_date(value)


@given(ANY_VALUE)
def test_the_flag_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_flag(value)


@given(ANY_VALUE)
def test_the_level_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        SCALE.parse(value)


@given(ANY_VALUE)
def test_the_number_parser_raises_nothing_but_a_validation_error(value: object) -> None:
    with contextlib.suppress(ValidationError):
        parse_int(value)


def test_c1_control_characters_in_text_are_refused_too() -> None:
    with pytest.raises(ValidationError, match="U\\+0085"):
        parse_text("Ge\x85werbe", "Leistung")


def test_a_whole_number_read_as_a_float_is_named_as_typed_in_a_problem() -> None:
    problem = Problem("Reifegrad 9 is not on the scale.", row=8, column="Reifegrad", value=9.0)

    assert "(value 9)" in str(problem)
    assert "(value 2.5)" in str(Problem("x", value=2.5))


def test_german_names_sort_as_din_5007_umlauts_as_their_vowels_and_case_ignored() -> None:
    from egov_cli.values.fold import german_key

    names = ["Wohnsitz", "Öffentlicher Auftrag", "amtliche Bestätigung", "Straße", "Strasse",
             "Ordnung", "Zulassung", "Ärger", "Abfall"]  # fmt: skip
    assert sorted(names, key=german_key) == [
        "Abfall", "amtliche Bestätigung", "Ärger", "Öffentlicher Auftrag", "Ordnung",
        "Strasse", "Straße", "Wohnsitz", "Zulassung",
    ]  # fmt: skip
