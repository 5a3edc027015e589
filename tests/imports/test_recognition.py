"""Columns recognised by meaning: names, synonyms, similar spellings and content, each with a
reason and a confidence in the column map the reader returns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from egov_cli.domain.scale import Scale, default_preset_name, presets
from egov_cli.imports.reading import ImportFile, ReadOptions, read_file
from egov_cli.imports.reading.header_names import parse_mapping


@pytest.fixture
def scale() -> Scale:
    return presets()[default_preset_name()]


def read(tmp_path: Path, rows: list[list[object]], scale: Scale, *maps: str) -> ImportFile:
    path = tmp_path / "liste.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(rows)
    return read_file(path, scale, ReadOptions(mapping=parse_mapping(list(maps))))


def mapped(data: ImportFile) -> dict[str, tuple[str | None, str, float]]:
    return {m.header: (m.field, m.reason, m.confidence) for m in data.column_map}


def test_a_misspelt_header_is_taken_by_its_similar_name_with_less_confidence(
    tmp_path: Path, scale: Scale
) -> None:
    data = read(tmp_path, [["Leistung", "Umsetzungsstaus"], ["Wohngeld", "live"]], scale)
    field, reason, confidence = mapped(data)["Umsetzungsstaus"]
    assert (field, reason) == ("status", "similar name")
    assert 0.85 <= confidence < 0.9
    assert data.rows[0].values["status"] == "live"


def test_a_header_row_of_misspellings_alone_is_still_found(tmp_path: Path, scale: Scale) -> None:
    data = read(
        tmp_path,
        [["Liste 2026"], ["Leistungsschlüsel", "Leistungg"], ["99102013000000", "Hundesteuer"]],
        scale,
    )
    assert data.header_row == 2
    assert data.rows[0].values == {"leika_key": "99102013000000", "name": "Hundesteuer"}


def test_words_in_brackets_and_filler_words_do_not_hide_the_meaning(
    tmp_path: Path, scale: Scale
) -> None:
    data = read(
        tmp_path,
        [
            ["Leistungsschlüssel (LeiKa)", "Leistung", "Reifegrad (0-4)"],
            ["99102013000000", "H", "2"],
        ],
        scale,
    )
    assert mapped(data)["Leistungsschlüssel (LeiKa)"] == ("leika_key", "similar name", 0.9)
    assert mapped(data)["Reifegrad (0-4)"][0] == "level"


def test_a_mapped_column_says_it_was_mapped_and_an_ignored_one_that_it_was_ignored(
    tmp_path: Path, scale: Scale
) -> None:
    data = read(
        tmp_path,
        [["Nummer", "Was", "Stelle"], ["99102013000000", "Hundesteuer", "20"]],
        scale,
        "Was=name",
        "Stelle=-",
    )
    assert mapped(data) == {
        "Nummer": ("leika_key", "content", 0.8),
        "Was": ("name", "--map", 1.0),
        "Stelle": (None, "ignored by --map", 1.0),
    }


def test_a_column_of_keys_beside_the_named_key_column_is_left_and_listed(
    tmp_path: Path, scale: Scale
) -> None:
    data = read(
        tmp_path,
        [["LeiKa-Schlüssel", "Leistung", "Alt"], ["99102013000000", "H", "99102013001000"]],
        scale,
    )
    assert [c.field for c in data.columns] == ["leika_key", "name"]
    (alt,) = [m for m in data.column_map if m.header == "Alt"]
    assert (alt.field, alt.map_hint) == (None, '--map "Alt=FIELD"')
    assert data.unknown_headers == ["Alt"]
