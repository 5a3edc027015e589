"""Real, licensed lists nobody on this project wrote (``../shared/realdata``, see its
SOURCES.md), each with the outcome an officer would expect. Skipped where the folder is absent."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from egov_cli.domain.reference import match_name
from tests.imports.messy import Outcome, run_import

REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata"
IFO = ("ifo_sozialleistungen.xlsx", "ifo_sozialleistungen.csv")
SHA256 = {
    "ifo_sozialleistungen.xlsx": "5f2fe5cf924819a2a3f84169f4f71b18bdc581b765fce1564fe44f5bc90510f2",
    "ifo_sozialleistungen.csv": "4530bd99d26cf77f36708d674940d5b66ebcae1752a48a5c24146e0dafb38108",
}


def real_file(name: str) -> Path:
    path = REALDATA / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/realdata")
    if hashlib.sha256(path.read_bytes()).hexdigest() != SHA256[name]:
        pytest.skip(f"{name} is not the version SOURCES.md describes")
    return path


@pytest.fixture(params=IFO)
def ifo(request: pytest.FixtureRequest, db_url: str) -> Outcome:
    """The ifo list of social benefits, imported into a fresh catalogue."""
    return run_import(real_file(request.param))


def test_the_ifo_list_comes_in_as_502_services_by_name(ifo: Outcome) -> None:
    assert ifo.exit_code == 0, ifo.result
    assert (ifo.result["created"], ifo.result["rejected"]) == (502, 0)
    assert len(ifo.services) == 502
    assert max(len(s["name"]) for s in ifo.services) > 700  # long names kept whole


def test_the_ifo_legal_norms_are_kept_as_notes(ifo: Outcome) -> None:
    assert ifo.column("rechtsnorm")["field"] == "notes"
    assert all(s["notes"] for s in ifo.services if s["name"].startswith("Leistungen zur Eing"))


def test_the_ifo_topics_are_not_taken_as_ozg_topics_and_that_is_said(ifo: Outcome) -> None:
    for header in ("themenfelder", "themenfeld1", "themenfeld2", "zielgruppen", "zielgruppe1"):
        entry = ifo.column(header)
        assert entry["field"] is None, entry
        assert entry["map_hint"].startswith(f'--map "{header}=')
        assert header in ifo.warnings
    assert {s["topic"] for s in ifo.services if s["leika_key"] is None} == {None}
    assert {s["addressee"] for s in ifo.services} == {None}
    # A key found by the name brings the reference's OZG Themenfeld, never ifo's.
    assert ifo.service("Insolvenzgeld.")["topic"] == "Arbeit & Ruhestand"


def test_no_ifo_list_literal_is_stored_as_text(ifo: Outcome) -> None:
    for service in ifo.services:
        for value in service.values():
            assert not (isinstance(value, str) and value.startswith("['")), service


def _ifo_names() -> list[str]:
    path = real_file("ifo_sozialleistungen.csv")
    with path.open(encoding="utf-8", newline="") as stream:
        return [row["leistung"] for row in csv.DictReader(stream)]


def test_ifo_names_that_name_one_reference_entry_match_it_and_close_ones_are_suggested() -> None:
    matches = {name: match_name(name) for name in _ifo_names()}
    exact = {name: m.exact.name for name, m in matches.items() if m.exact is not None}
    assert exact == {"Insolvenzgeld.": "Insolvenzgeld"}
    suggested = {name for name, m in matches.items() if m.exact is None and m.suggestions}
    assert "Leistungen zur Teilhabe am Arbeitsleben, Zuschüsse an Arbeitsgeber." in suggested


def test_the_ifo_import_fills_the_key_of_a_name_the_reference_knows(ifo: Outcome) -> None:
    assert ifo.service("Insolvenzgeld.")["leika_key"] is not None
