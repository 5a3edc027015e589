"""``egov import`` speaks the run's language: the summary, the column map and its reasons, and
every warning of a messy workbook are German by default and English with ``--lang en``;
``--json`` keeps its keys, reasons and map hints as codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.helpers import egov

#: Sentences of the English import that a German run must not print.
ENGLISH = (
    "Columns:",
    "not imported",
    "not recognised",
    "its values are lists",
    "similar name",
    "looks like",
    "imported once",
    "repeats row",
    "reads as a total row",
    "filled from the reference by name",
    "gets the code",
    "reads as a name",
    "Dry run",
)
#: Words of the German import that an English run must not print.
GERMAN = (
    "Spalten:",
    "nicht importiert",
    "nicht erkannt",
    "ihre Werte sind Listen",
    "ähnlicher Name",
    "nur einmal importiert",
    "übersprungen",
    "nach dem Namen ergänzt",
    "erhält das Kürzel",
    "Probelauf",
)


def _messy(tmp_path: Path) -> Path:
    """A department's workbook as it comes: a title row, a row twice, a total row, a
    department by its name, a column of list literals, a service without key whose name is
    one reference entry's."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Leistungen"
    rows = [
        ["Leistungen des Amts für Wirtschaft, Stand Mai"],
        ["LeiKa-Schlüssel", "Leistung", "Amt", "themenfelder"],
        ["99050012104000", "Gewerbe anmelden", "Amt für Wirtschaft", "['Wirtschaft', 'Gewerbe']"],
        ["99050012104000", "Gewerbe anmelden", "Amt für Wirtschaft", "['Wirtschaft', 'Gewerbe']"],
        [None, "Insolvenzgeld", "Amt für Wirtschaft", "['Arbeit']"],
        [None, "Summe", None, None],
    ]
    for row in rows:
        sheet.append(row)
    path = tmp_path / "wirtschaft.xlsx"
    book.save(path)
    return path


def _printed(*args: str) -> str:
    done = egov(*args)
    assert done.exit_code == 0, done.stderr
    return done.stdout + done.stderr


def test_a_messy_workbook_is_summarised_in_german(db_url: str, tmp_path: Path) -> None:
    printed = _printed("import", str(_messy(tmp_path)), "--dry-run")
    for german in (
        "Probelauf (nichts geschrieben)",
        "Spalten:",
        "  Amt -> Amt (department) – Spaltenname",
        "  themenfelder: nicht importiert (nicht erkannt: ihre Werte sind Listen); "
        '--map "themenfelder=topic"',
        "Spalte 'themenfelder' sieht nach Themenfeld (topic) aus (ähnlicher Spaltenname), aber ihre Werte sind "
        "Listen; sie wird nicht importiert.",
        "Zeile 4: nur einmal importiert: sie wiederholt Zeile 3 genau.",
        "Zeile 6: 'Summe' übersprungen: sie liest sich als Summenzeile, nicht als Leistung.",
        "1 LeiKa-Schlüssel aus dem Referenzkatalog nach dem Namen ergänzt: Zeile 5: "
        "'Insolvenzgeld' -> ",
        "Das neue Amt 'Amt für Wirtschaft' erhält das Kürzel 'AFW'",
    ):
        assert german in printed, printed
    for english in ENGLISH:
        assert english not in printed, (english, printed)


@pytest.mark.usefixtures("english")
def test_the_same_workbook_is_summarised_in_english_on_request(db_url: str, tmp_path: Path) -> None:
    printed = _printed("import", str(_messy(tmp_path)), "--dry-run")
    for english in (
        "Dry run (nothing written)",
        "Columns:",
        "  Amt -> department – heading",
        "  themenfelder: not imported (not recognised: its values are lists); "
        '--map "themenfelder=topic"',
        "Column 'themenfelder' looks like topic by its similar heading, but its values are lists; "
        "it is not imported.",
        "row 4: imported once: it repeats row 3 exactly.",
        "row 6: skipped 'Summe': it reads as a total row, not a service.",
        "1 LeiKa key filled from the reference by name: row 5: 'Insolvenzgeld' -> ",
        "new department 'Amt für Wirtschaft' gets the code 'AFW'",
    ):
        assert english in printed, printed
    for german in GERMAN:
        assert german not in printed, (german, printed)


def test_json_keeps_its_codes_while_the_warnings_are_german(db_url: str, tmp_path: Path) -> None:
    done = egov("import", str(_messy(tmp_path)), "--dry-run", "--json")
    assert done.exit_code == 0, done.stderr
    result = json.loads(done.stdout)
    column = next(c for c in result["column_map"] if c["header"] == "themenfelder")
    assert column["reason"] == "not recognised: its values are lists"
    assert column["map_hint"] == '--map "themenfelder=topic"'
    amt = next(c for c in result["column_map"] if c["header"] == "Amt")
    assert (amt["field"], amt["reason"]) == ("department", "name")
    warnings = "\n".join(result["warnings"])
    assert "nur einmal importiert" in warnings
    assert "imported once" not in warnings


def test_counts_are_written_as_the_language_writes_numbers(db_url: str, tmp_path: Path) -> None:
    # 1,200 services whose keys the reference does not know: the counts of the summary and of
    # the warning are grouped in thousands as each language does.
    path = tmp_path / "viele.csv"
    path.write_text(
        "LeiKa-Schlüssel;Leistung\n"
        + "".join(f"99{n:012d};Leistung {n}\n" for n in range(1, 1201)),
        encoding="utf-8",
    )
    german = _printed("import", str(path), "--dry-run")
    assert "neu: 1.200" in german
    assert "1.200 Zeilen haben einen LeiKa-Schlüssel" in german
    english = _printed("--lang", "en", "import", str(path), "--dry-run")
    assert "new: 1,200" in english
    assert "1,200 rows have a LeiKa key" in english
