"""``egov import`` on the command line: summary, dry run, JSON, errors, rejects file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.helpers import egov

HEADER = "LeiKa-Schlüssel;Leistung;Amt;Reifegrad\n"


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "amt32.csv"
    path.write_text(
        HEADER + "99990012104000;Gewerbeanmeldung;32;3\n99990012105000;Gewerbeabmeldung;32;2\n",
        encoding="utf-8",
    )
    return path


def _sheet(tmp_path: Path, body: str) -> Path:
    """bad.csv: the header and ``body`` (rows)."""
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + body, "utf-8")
    return path


def test_import_prints_the_summary_after_the_change(db_url: str, sheet: Path) -> None:
    result = egov("import", str(sheet))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Import 1: amt32.csv, Kopfzeile 1, Modus upsert",
        "  neu: 2, geändert: 0, unverändert: 0, abgelehnt: 0",
        "  neue Ämter: 32",
    ]


def test_a_dry_run_shows_field_differences_and_writes_nothing(
    db_url: str, sheet: Path, tmp_path: Path
) -> None:
    egov("import", str(sheet))
    changed = tmp_path / "v2.csv"
    changed.write_text(HEADER + "99990012104000;Gewerbeanmeldung;32;4\n", encoding="utf-8")
    result = egov("import", str(changed), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Probelauf (nichts geschrieben): v2.csv, Kopfzeile 1, Modus upsert",
        "  neu: 0, geändert: 1, unverändert: 0, abgelehnt: 0",
        "  Zeile 2: 99990012104000 Gewerbeanmeldung",
        "      Reifegrad: 3 -> 4",
    ]
    shown = egov("services", "show", "99990012104000", "--json")
    assert json.loads(shown.stdout)["level"] == 3


def test_a_dry_run_names_changed_fields_and_details_as_the_columns_are_headed(
    db_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "v1.csv"
    first.write_text(
        "LeiKa-Schlüssel;Leistung;Umsetzungsstatus;Online-Dienst;E-Payment\n"
        "99990012104000;Gewerbeanmeldung;geplant;Gewerbe-Online;nein\n",
        encoding="utf-8",
    )
    assert egov("import", str(first)).exit_code == 0
    second = tmp_path / "v2.csv"
    second.write_text(
        "LeiKa-Schlüssel;Leistung;Umsetzungsstatus;Online-Dienst;E-Payment\n"
        "99990012104000;Gewerbeanmeldung;live;Gewerbe-Online;ja\n",
        encoding="utf-8",
    )
    printed = egov("import", str(second), "--dry-run").stdout.splitlines()
    assert "  Online-Dienst Gewerbe-Online: E-Payment: nein -> ja" in printed
    assert "      Umsetzungsstatus: geplant -> live" in printed


def test_a_dry_run_stopped_by_problems_shows_them_and_then_every_column(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "fehler.csv"
    path.write_text("Leistung;Reifegrad;Spalte X\nWohngeld;9;egal\n", encoding="utf-8")
    result = egov("import", str(path), "--dry-run")
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == "Fehler: 1 Problem gefunden; nichts wurde geschrieben"
    assert lines[1].startswith("  - fehler.csv, Zeile 2, Spalte 'Reifegrad': ")
    assert lines[2:6] == [
        "Spalten:",
        "  Leistung -> Leistung (name) – Spaltenname",
        "  Reifegrad -> Reifegrad (level) – Spaltenname",
        '  Spalte X: nicht importiert (nicht erkannt); --map "Spalte X=FELD"',
    ]
    assert lines[6].startswith("Hinweis: ")


def test_json_prints_the_import_result(db_url: str, sheet: Path) -> None:
    result = egov("import", str(sheet), "--json")
    data = json.loads(result.stdout)
    assert (data["created"], data["import_id"], data["new_departments"]) == (2, 1, ["32"])


def test_a_bad_row_exits_non_zero_naming_the_cell_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, "99990012104000;A;32;3\n99990012105000;B;32;sieben\n")
    result = egov("import", str(path))
    assert result.exit_code == 3
    assert (
        "bad.csv, Zeile 3, Spalte 'Reifegrad': Reifegrad 'sieben' ist kein Reifegrad"
        in result.stderr
    )
    assert json.loads(egov("services", "list", "--json").stdout)["services"] == []


def test_skip_with_rejects_writes_the_rejected_rows_with_an_error_column(
    db_url: str, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, "99990012104000;A;32;3\n123;B;32;2\n")
    rejects = tmp_path / "zurueck.xlsx"
    result = egov("import", str(path), "--on-error", "skip", "--rejects", str(rejects))
    assert result.exit_code == 12, result.stderr  # PARTIAL_IMPORT
    assert "neu: 1, geändert: 0, unverändert: 0, abgelehnt: 1" in result.stdout
    assert "bad.csv, Zeile 3, Spalte 'LeiKa-Schlüssel': LeiKa-Schlüssel '123'" in result.stderr
    rows = CalamineWorkbook.from_path(str(rejects)).get_sheet_by_name("Abgelehnt").to_python()
    assert rows[0] == ["LeiKa-Schlüssel", "Leistung", "Amt", "Reifegrad", "Fehler"]
    assert rows[1][:4] == ["123", "B", "32", "2"]
    assert rows[1][4].startswith("LeiKa-Schlüssel '123' hat nicht 14 Ziffern")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".egov")] == []


def test_describe_format_lists_the_schema(db_url: str) -> None:
    result = egov("import", "--describe-format", "--json")
    columns = json.loads(result.stdout)
    assert columns[1]["field"] == "leika_key"
    assert columns[1]["header_de"] == "LeiKa-Schlüssel"
    plain = egov("import", "--describe-format")
    assert "LeiKa-Schlüssel" in plain.stdout


def test_import_without_a_file_names_the_argument_in_the_runs_language(db_url: str) -> None:
    german = egov("import")
    assert german.exit_code == 2
    assert "Ungültiger Wert für DATEI: DATEI fehlt" in german.stderr
    assert "FILE" not in german.stderr
    english = egov("--lang", "en", "import")
    assert "Invalid value for FILE: Missing FILE" in english.stderr


def test_a_missing_file_is_a_file_error(db_url: str, tmp_path: Path) -> None:
    result = egov("import", str(tmp_path / "fehlt.xlsx"))
    assert result.exit_code == 8
    assert "Keine Datei" in result.stderr


def test_skip_says_in_the_summary_line_how_many_rows_were_rejected_and_where_they_are(
    db_url: str, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, "99990012104000;A;32;3\n123;B;32;2\n1;C;32;2\n")
    rejects = tmp_path / "zurueck.xlsx"
    result = egov("import", str(path), "--on-error", "skip", "--rejects", str(rejects))
    assert result.exit_code == 12, result.stderr  # PARTIAL_IMPORT
    assert result.stdout.splitlines()[1] == (
        "  neu: 1, geändert: 0, unverändert: 0, abgelehnt: 2 "
        f"(2 Zeilen nicht importiert, stehen mit Fehlerspalte in {rejects})"
    )
    without = egov("import", str(path), "--on-error", "skip")
    assert without.exit_code == 12, without.stderr
    assert without.stdout.splitlines()[1] == (
        "  neu: 0, geändert: 0, unverändert: 1, abgelehnt: 2 "
        "(2 Zeilen nicht importiert; --rejects DATEI.xlsx speichert sie)"
    )


def test_one_rejected_row_is_counted_in_the_singular_and_a_dry_run_says_it_would_be(
    db_url: str, tmp_path: Path
) -> None:
    path = _sheet(tmp_path, "99990012104000;A;32;3\n123;B;32;2\n")
    rejects = tmp_path / "zurueck.xlsx"
    dry = egov("import", str(path), "--on-error", "skip", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines()[1].endswith("abgelehnt: 1 (1 Zeile würde nicht importiert)")
    assert "1 Zeile würde nicht importiert:" in dry.stderr
    done = egov("import", str(path), "--on-error", "skip", "--rejects", str(rejects))
    assert done.exit_code == 12, done.stderr
    assert done.stdout.splitlines()[1].endswith(
        f"(1 Zeile nicht importiert, steht mit Fehlerspalte in {rejects})"
    )
    assert "1 Zeile wurde nicht importiert:" in done.stderr


def test_a_hundred_rows_with_keys_missing_from_the_reference_print_one_warning(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "viele.csv"
    path.write_text(
        HEADER + "".join(f"999900121{n:05d};Leistung {n};32;1\n" for n in range(100)), "utf-8"
    )
    result = egov("import", str(path))
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "Referenzkatalog" in line]
    assert len(warnings) == 1
    assert (
        "100 Zeilen haben einen LeiKa-Schlüssel, der nicht im Referenzkatalog steht" in warnings[0]
    )


def test_an_import_run_again_after_a_concurrent_writer_reads_the_file_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the transaction must run again (a concurrent writer got in the way), the file is
    read anew and imported once."""
    from egov_cli.storage import db

    class Collision(Exception):
        pass

    first_attempts: list[int] = []
    real_run_transaction = db.run_transaction

    def collide_once(catalogue, work):  # type: ignore[no-untyped-def]
        with pytest.raises(Collision), db.transaction(catalogue) as session:
            first_attempts.append(work(session)[0].created)
            raise Collision  # rolled back, as after a conflict
        return real_run_transaction(catalogue, work)

    keys = [f"9999001{n:04d}000" for n in range(40)]  # more rows than the header search reads
    sheet = tmp_path / "amt32.csv"
    sheet.write_text(HEADER + "".join(f"{k};Leistung {k};32;3\n" for k in keys), encoding="utf-8")
    monkeypatch.setattr(db, "run_transaction", collide_once)
    result = egov("import", str(sheet), "--json")
    assert result.exit_code == 0, result.stderr
    assert first_attempts == [40]
    assert json.loads(result.stdout)["created"] == 40
    listed = egov("services", "list", "--json")
    assert sorted(s["leika_key"] for s in json.loads(listed.stdout)["services"]) == keys


def test_a_file_egov_cannot_import_is_reported_before_the_catalogue_is_opened(
    tmp_path: Path,
) -> None:
    """The file is checked first: a wrong path is named as such even where the catalogue is
    missing too."""
    missing = tmp_path / "amt32.xlsx"
    result = egov("--db", str(tmp_path / "nowhere.db"), "import", str(missing))
    assert result.exit_code == 8, result.stderr
    assert f"Keine Datei {str(missing)!r}" in " ".join(result.stderr.split())
    assert not (tmp_path / "nowhere.db").exists()


def test_online_details_without_an_online_service_are_shown_with_the_service(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "stadt.csv"
    path.write_text(
        "LeiKa-Schlüssel;Leistung;ePayment;Authentifizierung\n"
        "99990012104000;Gewerbeanmeldung;ja;eID hoch\n",
        encoding="utf-8",
    )
    result = egov("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "neue Online-Dienste" not in result.stdout  # none is made up for the service
    shown = egov("services", "show", "99990012104000")
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "E-Payment\tja" in lines
    assert "Authentifizierung\teID hoch" in lines
    assert not any(line.startswith(("BayernID", "BundID")) for line in lines)  # not stated
