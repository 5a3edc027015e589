"""A corpus of messy workbooks, written the way departments, portals and other offices write
them, each with the outcome an officer would expect from ``egov import``.

Each :class:`Case` builds its file under a test's ``tmp_path`` (nothing is kept in the
repository), names the issue point it covers and checks an :class:`Outcome`: the import's exit
code, its ``--json`` result (or error) and the services in the catalogue afterwards. Cases
whose outcome needs a later part of the issue carry ``later``: the reason they are expected to
fail until that part lands.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from tests.helpers import egov

Rows = list[list[Any]]


def write_xlsx(
    path: Path, rows: Rows, *, formulas: dict[tuple[int, int], str] | None = None
) -> Path:
    """One sheet of ``rows`` (None: an empty cell; a date: a date cell); ``formulas`` by
    (row, column) are written without a saved result, as many generators do."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif value is not None:
                sheet.write(r, c, value)
    for (r, c), formula in (formulas or {}).items():
        sheet.write_formula(r, c, formula)
    book.close()
    return path


def write_csv(path: Path, rows: Rows, *, delimiter: str = ";", encoding: str = "utf-8") -> Path:
    """``rows`` as CSV, quoted where a cell holds the delimiter (RFC 4180), as Excel saves it."""
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


@dataclass
class Outcome:
    """What ``egov import FILE --on-error skip --json ARGS`` did."""

    exit_code: int
    result: dict[str, Any]  # the --json result, or the --json error
    stderr: str
    services: list[dict[str, Any]]  # the catalogue afterwards

    def column(self, header: str) -> dict[str, Any]:
        """The column map's entry of ``header``."""
        for entry in self.result.get("column_map", []):
            if entry["header"] == header:
                return dict(entry)
        raise AssertionError(f"no column {header!r} in {self.result.get('column_map')}")

    def service(self, name: str) -> dict[str, Any]:
        for service in self.services:
            if service["name"] == name:
                return service
        raise AssertionError(f"no service {name!r} in {[s['name'] for s in self.services]}")

    @property
    def warnings(self) -> str:
        return "\n".join(self.result.get("warnings", []))


def run_import(path: Path, *args: str) -> Outcome:
    """Import ``path`` into the test's catalogue, skipping bad rows, and read the catalogue."""
    done = egov("import", str(path), "--on-error", "skip", "--json", *args)
    text = done.stdout.strip() or done.stderr.strip().splitlines()[-1]
    try:
        result = json.loads(text)
    except ValueError:
        result = {"error": text}
    listed = egov("services", "list", "--json")
    services = json.loads(listed.stdout)["services"] if listed.exit_code == 0 else []
    return Outcome(done.exit_code, result, done.stderr, services)


@dataclass(frozen=True)
class Case:
    """A messy workbook, the issue point it covers, and what an officer expects of it."""

    name: str
    point: str  # the point of the issue "Real workbooks in" it covers
    build: Callable[[Path], Path]
    expect: Callable[[Outcome], None]
    args: tuple[str, ...] = ()
    later: str | None = None  # why it cannot hold yet: the later part it needs
    prepare: tuple[tuple[str, ...], ...] = field(default=())  # egov commands run first


# --- 1. recognition by meaning ------------------------------------------------------------


def _build_officer_headers(tmp: Path) -> Path:
    return write_xlsx(
        tmp / "amt32_leistungen.xlsx",
        [
            ["Leistungen des Ordnungsamts, Stand 11/2026"],
            [],
            ["Nummer", "Leistungsbezeichnung", "Zuständiges Amt", "Link zum Onlinedienst",
             "Onlinedienst (übergeordnet)"],
            [99050012104000, "Gewerbe anmelden", "32", "https://portal.example/gewerbe",
             "Gewerbe-Service"],
            ["99050012070000", "Gewerbe abmelden", "32", "https://portal.example/gewerbe-ab",
             "Gewerbe-Service"],
        ],
    )  # fmt: skip


def _expect_officer_headers(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert (out.column("Nummer")["field"], out.column("Nummer")["reason"]) == (
        "leika_key",
        "content",
    )
    assert out.column("Zuständiges Amt")["field"] == "department"
    assert out.column("Link zum Onlinedienst")["field"] == "online_url"
    assert out.column("Onlinedienst (übergeordnet)")["field"] == "procedure"
    gewerbe = out.service("Gewerbe anmelden")
    assert (gewerbe["leika_key"], gewerbe["department"], gewerbe["procedure"]) == (
        "99050012104000",
        "32",
        "Gewerbe-Service",
    )
    assert gewerbe["online_url"] == "https://portal.example/gewerbe"


def _build_authority_synonyms(tmp: Path) -> Path:
    return write_csv(
        tmp / "stelle.csv",
        [
            ["LeiKa", "Bezeichnung", "Stelle", "Online-Antrag"],
            ["99102013000000", "Hundesteuer", "20", "https://portal.example/hund"],
        ],
    )


def _expect_authority_synonyms(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    hund = out.service("Hundesteuer")
    assert (hund["department"], hund["online_url"]) == ("20", "https://portal.example/hund")
    assert out.column("Stelle")["reason"] == "name"
    assert 0 < out.column("Stelle")["confidence"] < 1


def _build_urls_by_content(tmp: Path) -> Path:
    return write_csv(
        tmp / "links.csv",
        [
            ["Leistung", "Wo?"],
            ["Wohngeld", "https://portal.example/wohngeld"],
            ["Elterngeld", "www.elterngeld.example"],
        ],
    )


def _expect_urls_by_content(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert (out.column("Wo?")["field"], out.column("Wo?")["reason"]) == ("online_url", "content")
    assert out.service("Wohngeld")["online_url"] == "https://portal.example/wohngeld"


def _build_two_authority_columns(tmp: Path) -> Path:
    return write_csv(
        tmp / "zwei_stellen.csv",
        [
            ["Leistung", "Zuständige Stelle", "Behörde"],
            ["Wohngeld", "50", "Landratsamt"],
        ],
    )


def _expect_two_authority_columns(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    for header in ("Zuständige Stelle", "Behörde"):
        entry = out.column(header)
        assert (entry["field"], entry["reason"]) == (None, "ambiguous")
        assert entry["map_hint"] == f'--map "{header}=department"'
    assert "könnten jeweils Amt (department) sein" in out.warnings
    assert out.service("Wohngeld")["department"] is None


def _build_two_key_columns(tmp: Path) -> Path:
    return write_csv(
        tmp / "zwei_schluessel.csv",
        [
            ["Leistung", "Nr. alt", "Nr. neu"],
            ["Gewerbe", "99050012104000", "99050012104001"],
        ],
    )


def _expect_two_key_columns(out: Outcome) -> None:
    assert "enthalten alle Werte von LeiKa-Schlüssel (leika_key)" in out.warnings
    assert out.column("Nr. alt")["field"] is None
    assert out.column("Nr. neu")["field"] is None


def _build_lists_not_topics(tmp: Path) -> Path:
    return write_csv(
        tmp / "themen.csv",
        [
            ["leistung", "themenfelder", "zielgruppe1"],
            ["Familienberatung der Stadt", "['Familie & Kinder', 'Steuern']", "Kinder"],
        ],
        delimiter=",",
    )


def _expect_lists_not_topics(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert out.column("themenfelder")["reason"] == "not recognised: its values are lists"
    assert out.column("zielgruppe1")["reason"] == "not recognised: its values do not fit"
    assert out.service("Familienberatung der Stadt")["topic"] is None
    assert '--map "themenfelder=topic"' in out.warnings


# --- 2. the column map, always ---------------------------------------------------------------


def _build_map_when_stopped(tmp: Path) -> Path:
    return write_csv(
        tmp / "fehler.csv",
        [["Leistung", "Reifegrad", "Spalte X"], ["Wohngeld", "9", "egal"]],
    )


def _expect_map_when_stopped(out: Outcome) -> None:
    assert out.exit_code == 3
    # --json: the error lists the problem (one) and, apart, the whole column map
    assert len(out.result["details"]) == 1
    assert [(c["header"], c["field"], c["map_hint"]) for c in out.result["column_map"]] == [
        ("Leistung", "name", None),
        ("Reifegrad", "level", None),
        ("Spalte X", None, '--map "Spalte X=FIELD"'),
    ]


# --- 3. departments as people write them ------------------------------------------------------


def _build_department_names(tmp: Path) -> Path:
    return write_xlsx(
        tmp / "land.xlsx",
        [
            ["Schlüssel", "Leistung", "Zuständiges Amt"],
            ["99050012104000", "Gewerbe", "Amt für Wirtschaft"],
            ["99102013000000", "Hundesteuer", "Bezirksregierungen (alle) / Bezirksregierungen"],
            ["99107023000000", "Wohngeld", "Straßenverkehrsamt"],
        ],
    )


def _expect_department_names(out: Outcome) -> None:
    assert out.result.get("rejected") == 0, out.result
    assert len(out.services) == 3
    departments = {s["department"] for s in out.services}
    assert None not in departments
    assert "Das neue Amt 'Amt für Wirtschaft' erhält das Kürzel 'AFW'" in out.warnings
    # One word is its own code: its initial alone ('S') would say nothing.
    assert out.service("Wohngeld")["department"] == "Straßenverkehrsamt"


def _build_department_near_duplicates(tmp: Path) -> Path:
    return write_csv(
        tmp / "hwk.csv",
        [
            ["Leistung", "Zuständige Stelle"],
            ["Meisterprüfung", "HWK"],
            ["Gesellenprüfung", "HWK/ 7 HWKn in NRW"],
        ],
    )


def _expect_department_near_duplicates(out: Outcome) -> None:
    assert "'HWK'" in out.warnings
    assert "'HWK/ 7 HWKn in NRW'" in out.warnings


# --- 4. online-service details per service -----------------------------------------------------


def _build_epayment_per_service(tmp: Path) -> Path:
    return write_xlsx(
        tmp / "stadt.xlsx",
        [
            ["LeiKa-Schlüssel", "Leistung", "ePayment", "BayernPortal"],
            ["99102013000000", "Hundesteuer", "ja", "https://www.freistaat.bayern/dokumente/leistung/1"],
            ["99107023000000", "Wohngeld", "nein", None],
        ],
    )  # fmt: skip


def _expect_epayment_per_service(out: Outcome) -> None:
    assert out.result.get("rejected") == 0, out.result
    assert {s["name"] for s in out.services} == {"Hundesteuer", "Wohngeld"}
    # Kept on the services themselves: no online service is made up for them.
    assert out.result.get("new_procedures") == []
    assert out.service("Hundesteuer")["online_details"]["epayment"] is True
    assert out.service("Wohngeld")["online_details"]["epayment"] is False
    assert out.service("Hundesteuer")["bayernportal_url"].endswith("/leistung/1")


# --- 5. values ---------------------------------------------------------------------------------


def _build_live_yes_no(tmp: Path) -> Path:
    return write_csv(
        tmp / "live.csv",
        [["Leistung", "Live"], ["Wohngeld", "Ja"], ["Elterngeld", "Nein"]],
    )


def _expect_live_yes_no(out: Outcome) -> None:
    assert out.service("Wohngeld")["status"] == "live"
    assert out.service("Elterngeld")["status"] != "live"


def _build_list_literals(tmp: Path) -> Path:
    return write_csv(
        tmp / "listen.csv",
        [["Leistung", "Bemerkungen"], ["Kindergeld", "['Familie', 'Steuern']"]],
    )


def _expect_list_literals(out: Outcome) -> None:
    notes = out.service("Kindergeld")["notes"] or ""
    assert not notes.startswith("[")


def _build_relative_urls(tmp: Path) -> Path:
    return write_csv(
        tmp / "relativ.csv",
        [["Leistung", "Online-URL"], ["Wohngeld", "/antrag/wohngeld"]],
    )


def _expect_relative_urls(out: Outcome) -> None:
    assert out.service("Wohngeld")["online_url"] != "/antrag/wohngeld"
    assert "/antrag/wohngeld" in out.warnings


# --- 6. rows -----------------------------------------------------------------------------------


def _build_duplicate_rows(tmp: Path) -> Path:
    return write_csv(
        tmp / "doppelt.csv",
        [
            ["LeiKa-Schlüssel", "Leistung"],
            ["99102013000000", "Hundesteuer"],
            ["99102013000000", "Hundesteuer"],
        ],
    )


def _expect_duplicate_rows(out: Outcome) -> None:
    assert [s["name"] for s in out.services] == ["Hundesteuer"]
    assert out.result.get("rejected") == 0, out.result
    assert "Zeile 3: nur einmal importiert: sie wiederholt Zeile 2 genau." in out.warnings


def _build_total_row(tmp: Path) -> Path:
    return write_xlsx(
        tmp / "summe.xlsx",
        [
            ["Leistung", "Fallzahl"],
            ["Wohngeld", 120],
            ["Elterngeld", 80],
            ["Summe", None],
        ],
        formulas={(3, 1): "=SUM(B2:B3)"},
    )


def _expect_total_row(out: Outcome) -> None:
    assert out.result.get("rejected") == 0, out.result
    assert {s["name"] for s in out.services} == {"Wohngeld", "Elterngeld"}
    assert "'Summe' übersprungen" in out.warnings


def _build_total_row_with_formulas(tmp: Path) -> Path:
    """A named total row whose cells in recognised columns do not parse: a formula without a
    saved result (as many generators write it), a sum off the maturity scale."""
    return write_xlsx(
        tmp / "summe-gesamt.xlsx",
        [
            ["Leistung", "Reifegrad", "Fallzahl pro Jahr"],
            ["Wohngeld", 3, 120],
            ["Elterngeld", 4, 80],
            ["Gesamt:", 7, None],
        ],
        formulas={(3, 2): "=SUM(C2:C3)"},
    )


def _expect_total_row_with_formulas(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert out.result.get("rejected") == 0, out.result
    assert {s["name"] for s in out.services} == {"Wohngeld", "Elterngeld"}
    assert "Zeile 4: 'Gesamt:' übersprungen" in out.warnings


def _build_formula_total_row(tmp: Path) -> Path:
    """A total row at the foot without any name: only the saved results of formulas."""
    path = tmp / "summe-formel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    for r, row in enumerate([["LeiKa-Schlüssel", "Leistung", "Reifegrad", "Fallzahl pro Jahr"],
                             ["99050012104000", "Gewerbe Anmeldung", 3, 120],
                             ["99050012071000", "Gewerbe Ummeldung", 2, 80]]):  # fmt: skip
        sheet.write_row(r, 0, row)
    sheet.write_formula(3, 2, "=AVERAGE(C2:C3)", None, 2.5)
    sheet.write_formula(3, 3, "=SUM(D2:D3)", None, 200)
    book.close()
    return path


def _expect_formula_total_row(out: Outcome) -> None:
    assert out.exit_code == 0, out.stderr
    assert out.result.get("rejected") == 0, out.result
    assert {s["name"] for s in out.services} == {"Gewerbe Anmeldung", "Gewerbe Ummeldung"}
    assert "Zeile 4: übersprungen: eine Zeile am Ende des Blatts nur mit Zahlen" in out.warnings


def _build_title_and_blank_rows(tmp: Path) -> Path:
    return write_xlsx(
        tmp / "titel.xlsx",
        [
            ["Übersicht Onlinedienste"],
            ["erstellt von Amt 10"],
            [],
            ["Leistung", "Zuständiges Amt", "Reifegrad"],
            ["Wohngeld", "50", 2],
            [],
            ["Elterngeld", "51", 3],
        ],
    )


def _expect_title_and_blank_rows(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert out.result["header_row"] == 4
    assert {(s["name"], s["department"], s["level"]) for s in out.services} == {
        ("Wohngeld", "50", 2),
        ("Elterngeld", "51", 3),
    }


# --- 7. profiles, 8. the assistant -------------------------------------------------------------


def _build_monthly_workbook(tmp: Path) -> Path:
    return write_csv(
        tmp / "monat.csv", [["Nr", "Was", "Wer"], ["99102013000000", "Hundesteuer", "20"]]
    )


def _expect_profile_saved(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    listed = egov("import", "profiles", "list", "--json")
    assert "amt20" in listed.stdout


def _expect_unattended_without_terminal(out: Outcome) -> None:
    assert out.exit_code == 0, out.result
    assert out.service("Hundesteuer")["department"] == "20"


# --- 9. names matched to the reference ----------------------------------------------------------


def _build_names_without_keys(tmp: Path) -> Path:
    return write_csv(
        tmp / "namen.csv",
        [["Leistung"], ["hundesteuer"], ["Gewerbe anmelden"]],
    )


def _expect_names_matched(out: Outcome) -> None:
    hundesteuer = out.service("hundesteuer")
    assert hundesteuer["leika_key"] == "99102013000000"
    # The key found fills the reference fields, as a key in the file does.
    assert (hundesteuer["ozg_id"], hundesteuer["topic"]) == ("10160", "Engagement & Hobby")
    assert out.service("Gewerbe anmelden")["leika_key"] is None  # only suggested
    assert "Gewerbe Anmeldung" in out.warnings


# --- 10. lossless rejects, 12. exit codes -------------------------------------------------------


def _build_long_cell(tmp: Path) -> Path:
    return write_csv(
        tmp / "lang.csv",
        [["Leistung", "Reifegrad", "Bemerkungen"], ["Wohngeld", "9", "x" * 40_000]],
    )


def _expect_lossless_rejects(out: Outcome) -> None:
    rejects = Path(out.result["rejects"]) if "rejects" in out.result else None
    assert rejects is not None
    beside = rejects.with_suffix(".csv")
    assert out.result["rejects_csv"] == str(beside)
    assert "x" * 40_000 in beside.read_text(encoding="utf-8")


def _expect_partial_import_exit_code(out: Outcome) -> None:
    assert out.result.get("rejected") == 1, out.result
    assert out.exit_code == 12  # PARTIAL_IMPORT: documented in the README


CASES: tuple[Case, ...] = (
    Case("officer headers", "1", _build_officer_headers, _expect_officer_headers),
    Case("authority synonyms", "1", _build_authority_synonyms, _expect_authority_synonyms),
    Case("urls by content", "1", _build_urls_by_content, _expect_urls_by_content),
    Case("two authority columns", "1", _build_two_authority_columns, _expect_two_authority_columns),
    Case("two key columns", "1", _build_two_key_columns, _expect_two_key_columns),
    Case("lists are not topics", "1", _build_lists_not_topics, _expect_lists_not_topics),
    Case(
        "column map when the dry run stops", "2", _build_map_when_stopped,
        _expect_map_when_stopped, args=("--dry-run", "--on-error", "abort"),
    ),
    Case(
        "department names", "3", _build_department_names, _expect_department_names,
    ),
    Case(
        "department near-duplicates", "3", _build_department_near_duplicates,
        _expect_department_near_duplicates,
    ),
    Case(
        "e-payment per service", "4", _build_epayment_per_service, _expect_epayment_per_service,
    ),
    Case("live yes/no", "5", _build_live_yes_no, _expect_live_yes_no),
    Case("list literals", "5", _build_list_literals, _expect_list_literals),
    Case("relative urls", "5", _build_relative_urls, _expect_relative_urls),
    Case("duplicate rows", "6", _build_duplicate_rows, _expect_duplicate_rows),
    Case("total row", "6", _build_total_row, _expect_total_row),
    Case("formula total row", "6", _build_formula_total_row, _expect_formula_total_row),
    Case(
        "total row with formulas", "6", _build_total_row_with_formulas,
        _expect_total_row_with_formulas,
    ),
    Case("title and blank rows", "6", _build_title_and_blank_rows, _expect_title_and_blank_rows),
    Case(
        "profile saved", "7", _build_monthly_workbook, _expect_profile_saved,
        args=("--map", "Nr=leika_key", "--map", "Was=name", "--map", "Wer=department",
              "--save-profile", "amt20"),
    ),
    Case(
        "assistant never without a terminal", "8", _build_monthly_workbook,
        _expect_unattended_without_terminal,
        args=("--interactive", "--map", "Nr=leika_key", "--map", "Was=name", "--map", "Wer=department"),
    ),
    Case("names matched to the reference", "9", _build_names_without_keys, _expect_names_matched),
    Case(
        "lossless rejects", "10", _build_long_cell, _expect_lossless_rejects,
        args=("--rejects", "{tmp}/abgelehnt.xlsx"),
    ),
    Case("partial import exit code", "12", _build_long_cell, _expect_partial_import_exit_code),
)  # fmt: skip
