"""Newer reference sources (the FIM portal's LeiKa export, the federal OZG dashboard's data
export) merged with the reference in use, and names matched to the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from egov_cli.core.errors import InputRejected
from egov_cli.core.models import ReferenceUpdate
from egov_cli.domain import reference as ref
from egov_cli.storage.db import Catalogue, transaction

GEWERBE = "99050012104000"  # in the shipped reference, OZG 10294
NEW_KEY = "99999001104000"  # in no shipped reference

FIM_HEADER = "Schluessel;Bezeichnung;Bezeichnung2;Portalverbund Lagen;Portalverbund Lagen Codes\r\n"


def fim_export(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A file in the shape of the FIM portal's ``leika_leistungen_de.csv`` (``;``, cp1252)."""
    lines = [f"{key};{name};{name2};Umzug;1010\r\n" for key, name, name2 in rows]
    path.write_bytes((FIM_HEADER + "".join(lines)).encode("cp1252"))
    return path


def dashboard_records() -> list[dict[str, object]]:
    """Records in the shape of the dashboard's ``DvDataDto``: one per service and region."""
    base = {"ars_name": "Dithmarschen", "url": "https://example.org", "online_status": "ok"}
    return [
        {
            **base,
            "leika_key": GEWERBE,
            "leika_name": "Gewerbe anmelden",
            "leika_bezeichnung": "Gewerbeanmeldung (Dashboard)",
            "ars": "010510000000",
            "ozgid": 10294,
            "ozg_bezeichnung": "Gewerbeanmeldung",
        },
        {
            **base,
            "leika_key": GEWERBE,
            "leika_bezeichnung": "Gewerbeanmeldung (Dashboard)",
            "ars": "010510000001",
            "ozgid": 10294,
            "ozg_bezeichnung": "Gewerbeanmeldung",
        },
        {
            **base,
            "leika_key": NEW_KEY,
            "leika_name": "Neue Leistung",
            "leika_bezeichnung": None,
            "ars": "010510000000",
            "ozgid": 10999,
            "ozg_bezeichnung": "Neue OZG-Leistung",
        },
        {**base, "leika_key": None, "leika_bezeichnung": "ohne Schlüssel", "ozgid": 1},
    ]


def test_the_fim_export_renames_known_keys_adds_new_ones_and_keeps_the_ozg_join(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    export = fim_export(
        tmp_path / "leika_leistungen_de.csv",
        [(GEWERBE, "Gewerbe Anmeldung (FIM 2025)", ""), (NEW_KEY, "Größere Neuerung", "")],
    )
    shipped = ref.load_reference()
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", export)
    assert (result.source_format, result.added_keys, result.renamed_keys) == ("fim", 1, 1)
    assert result.removed_keys == 0
    assert result.warnings == ()  # Windows-1252 is what the FIM portal writes
    loaded = ref.load_reference()
    assert len(loaded.entries) == len(shipped.entries) + 1
    gewerbe = loaded.by_key[GEWERBE]
    assert gewerbe.name == "Gewerbe Anmeldung (FIM 2025)"
    assert (gewerbe.ozg_id, gewerbe.topic) == (
        shipped.by_key[GEWERBE].ozg_id,
        shipped.by_key[GEWERBE].topic,
    )
    assert loaded.by_key[NEW_KEY].name == "Größere Neuerung"
    with transaction(catalogue) as session:
        records = session.exec(select(ReferenceUpdate)).all()
    assert [(r.file_name, r.sha256) for r in records] == [
        ("leika_leistungen_de.csv", result.sha256)
    ]


def test_a_fim_export_with_a_bad_key_changes_nothing_and_names_the_row(
    catalogue: Catalogue, tmp_path: Path, english: None
) -> None:
    export = fim_export(tmp_path / "leika.csv", [(GEWERBE, "Gewerbe", ""), ("9905", "Kurz", "")])
    with transaction(catalogue) as session, pytest.raises(InputRejected) as raised:
        ref.update_reference(session, "tester", export)
    assert raised.value.details == [
        "leika.csv, row 3, column 'Schluessel': the key is not 14 digits (value '9905') - "
        "Load the export as downloaded from the FIM portal."
    ]
    assert ref.load_reference().source == "shipped"


def test_the_dashboard_export_as_json_gives_names_keys_and_the_ozg_join(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    export = tmp_path / "dashboard.json"
    export.write_text(
        json.dumps({"content": dashboard_records(), "totalElements": 4}), encoding="utf-8"
    )
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", export)
    assert (result.source_format, result.added_keys, result.renamed_keys) == ("dashboard", 1, 1)
    loaded = ref.load_reference()
    assert loaded.by_key[GEWERBE].name == "Gewerbeanmeldung (Dashboard)"
    new = loaded.by_key[NEW_KEY]
    assert (new.name, new.ozg_id, new.ozg_name) == ("Neue Leistung", "10999", "Neue OZG-Leistung")


def test_the_dashboard_export_as_csv_is_read_like_the_json(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    fields = [
        "leika_key",
        "leika_name",
        "leika_bezeichnung",
        "ozgid",
        "ozg_bezeichnung",
        "ars",
        "online_status",
    ]
    lines = [";".join(fields)]
    for record in dashboard_records():
        lines.append(";".join("" if record.get(f) is None else str(record[f]) for f in fields))
    export = tmp_path / "dashboard.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", export, dry_run=True)
    assert (result.source_format, result.added_keys, result.dry_run) == ("dashboard", 1, True)
    assert ref.load_reference().source == "shipped"


def test_a_name_matches_its_one_reference_entry_whatever_the_case_and_umlaut_spelling() -> None:
    match = ref.match_name("  HUNDESTEUER ")
    assert (match.key, match.suggestions) == ("99102013000000", ())
    assert ref.match_name("Strassenreinigung").exact == ref.match_name("Straßenreinigung").exact
    assert ref.match_name("Straßenreinigung").exact is not None


def test_a_close_name_is_only_suggested() -> None:
    match = ref.match_name("Gewerbe anmelden")
    assert match.exact is None
    assert match.key is None
    assert "Gewerbe Anmeldung" in [s.entry.name for s in match.suggestions]
    assert all(s.score >= ref.matching.SUGGESTION_SCORE for s in match.suggestions)


def test_a_name_of_nothing_in_the_reference_matches_nothing() -> None:
    match = ref.match_name("Drachenflugplatzgenehmigung für Einhörner")
    assert (match.exact, match.suggestions) == (None, ())
    assert ref.match_name("   ").exact is None
    assert ref.match_name("Hundesteuer.").key == "99102013000000"
