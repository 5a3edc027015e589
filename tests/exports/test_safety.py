"""Formula neutralisation in CSV: dangerous text gets one apostrophe, and it comes off again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_cli.values.cellsafety import is_dangerous, neutralise, restore


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+49 89 123", "'+49 89 123"),
        ("-Test", "'-Test"),
        ("@SUMME(A1)", "'@SUMME(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("'=schon markiert", "''=schon markiert"),
        ("Gewerbe-Anmeldung", "Gewerbe-Anmeldung"),
        ("'Zitat'", "'Zitat'"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_text_a_spreadsheet_would_run_gets_one_apostrophe(text: str, written: str) -> None:
    assert neutralise(text) == written
    assert restore(written) == text


def test_a_hand_typed_apostrophe_before_a_formula_character_is_read_as_the_excel_marker() -> None:
    assert restore("'=1+1") == "=1+1"
    assert restore("'Zitat") == "'Zitat"


def test_only_text_beginning_with_a_formula_character_is_dangerous() -> None:
    assert is_dangerous("=1")
    assert is_dangerous("''-1")
    assert not is_dangerous("1-2")
    assert not is_dangerous("'''")


@given(st.text(alphabet=st.sampled_from("=+-@\t\r'ab 1"), max_size=8))
def test_restore_undoes_neutralise_for_every_text(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert neutralise(text)[:1] not in {"=", "+", "-", "@", "\t", "\r"}
