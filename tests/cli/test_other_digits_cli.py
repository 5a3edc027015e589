"""Keys and OZG IDs in the digits of other scripts are stored as ASCII digits; an OZG ID that
is not a number is refused with exit 3, on the command line and in an import."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import egov

KEY = "99050012104000"
ARABIC_INDIC_KEY = "٩٩٠٥٠٠١٢١٠٤٠٠٠"


def _service(key: str) -> dict[str, object]:
    result = egov("services", "show", key, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_key_and_an_ozg_id_in_arabic_indic_digits_are_stored_as_ascii_digits(
    db_url: str,
) -> None:
    result = egov("services", "add", "Gewerbe", "--leika", ARABIC_INDIC_KEY, "--ozg-id", "١٠٢٩٤")
    assert result.exit_code == 0, result.stderr
    service = _service(ARABIC_INDIC_KEY)
    assert (service["leika_key"], service["ozg_id"]) == (KEY, "10294")


def test_an_ozg_id_that_is_not_a_number_is_refused_on_the_command_line(db_url: str) -> None:
    result = egov("services", "add", "Gewerbe", "--leika", KEY, "--ozg-id", "abc")
    assert result.exit_code == 3
    assert "OZG-ID 'abc' ist keine Zahl." in result.stderr
    assert egov("services", "show", KEY).exit_code == 4


def test_an_ozg_id_that_is_not_a_number_is_refused_by_the_import_naming_the_cell(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "amt.csv"
    path.write_text(
        f"LeiKa-Schlüssel;Leistung;OZG-ID\n{KEY};Gewerbe;abc\n99115005011000;Hund;١٠٢٩٤\n",
        encoding="utf-8",
    )
    result = egov("import", str(path))
    assert result.exit_code == 3
    assert "amt.csv, Zeile 2, Spalte 'OZG-ID': OZG-ID 'abc' ist keine Zahl." in result.stderr
    assert egov("services", "show", KEY).exit_code == 4

    path.write_text(
        f"LeiKa-Schlüssel;Leistung;OZG-ID\n{ARABIC_INDIC_KEY};Gewerbe;١٠٢٩٤\n", encoding="utf-8"
    )
    result = egov("import", str(path))
    assert result.exit_code == 0, result.stderr
    service = _service(KEY)
    assert (service["leika_key"], service["ozg_id"]) == (KEY, "10294")
