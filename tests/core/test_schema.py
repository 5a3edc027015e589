"""The column schema: every column means something in both languages."""

from __future__ import annotations

import pytest

from egov_cli.core.schema import BY_FIELD, COLUMNS
from tests.test_i18n import ENGLISH_WORDS, GERMAN_WORDS, foreign_words


def test_every_column_has_a_meaning_in_german_and_in_english() -> None:
    for column in COLUMNS:
        assert column.help_de, column.field
        assert column.help_en, column.field
        assert column.meaning("de") == column.help_de
        assert column.meaning("en") == column.help_en


@pytest.mark.parametrize(("lang", "other"), [("de", ENGLISH_WORDS), ("en", GERMAN_WORDS)])
def test_a_meaning_holds_no_sentence_of_the_other_language(
    lang: str, other: frozenset[str]
) -> None:
    mixed = {c.field: found for c in COLUMNS if (found := foreign_words(c.meaning(lang), other))}
    assert not mixed, mixed


def test_the_meaning_follows_the_run_language(english: None) -> None:
    assert BY_FIELD["name"].meaning() == "Name of the administrative service."
