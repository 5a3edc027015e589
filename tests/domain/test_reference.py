"""The OZG/LeiKa reference: loading, filling services from a key, search, enrich, update."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from egov_cli.core.errors import InputRejected, NotFound
from egov_cli.core.history import ChangeContext, history_of
from egov_cli.core.models import ReferenceUpdate, Service
from egov_cli.domain import reference as ref
from egov_cli.domain.catalogue import add_service, edit_service, find_service
from egov_cli.storage.db import Catalogue, transaction

HEADER = (
    "leika_schluessel,leika_bezeichnung,leika_typ,ozg_id,ozg_leistung,lebenslage,themenfeld,"
    "sdg1,sdg2,gesetzeskuerzel\n"
)
GEWERBE = "99050012104000"

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


def write_reference(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_shipped_reference_keeps_every_row_including_keyless_ones() -> None:
    loaded = ref.load_reference()
    assert loaded.source == "shipped"
    assert len(loaded.entries) == 5249
    assert len(loaded.by_key) == 4813
    assert sum(1 for e in loaded.entries if e.key is None) == 436
    combined = [e for e in loaded.entries if e.leika_type == "1, 2/3"]
    assert len(combined) == 20


def test_the_reference_is_read_once_per_process() -> None:
    assert ref.load_reference() is ref.load_reference()


def test_a_key_fills_the_reference_fields_the_caller_left_empty() -> None:
    filled, warnings = ref.fill_from_reference({"leika_key": GEWERBE, "name": "Gewerbeanzeige"})
    assert warnings == []
    assert filled == {
        "leika_key": GEWERBE,
        "name": "Gewerbeanzeige",
        "leika_type": "2/3",
        "ozg_id": "10294",
        "ozg_name": "Unternehmensanmeldung und -genehmigung",
        "topic": "Unternehmensführung & -entwicklung",
        "life_event": "Unternehmensstart & Gewerbezulassung",
        "sdg_annex2": True,
    }


def test_what_the_caller_gives_wins_over_the_reference() -> None:
    filled, _ = ref.fill_from_reference(
        {"leika_key": GEWERBE, "topic": "Wirtschaft", "sdg_annex2": False, "ozg_id": ""}
    )
    assert filled["topic"] == "Wirtschaft"
    assert filled["sdg_annex2"] is False
    assert filled["ozg_id"] == "10294"  # blank counts as empty
    assert filled["name"] == "Gewerbe Anmeldung"


def test_a_well_formed_key_not_in_the_reference_is_kept_with_a_warning() -> None:
    filled, warnings = ref.fill_from_reference({"leika_key": "99050012104999", "name": "Neu"})
    assert filled == {"leika_key": "99050012104999", "name": "Neu"}
    assert warnings == [
        "LeiKa key 99050012104999 is not in the reference catalogue; the service is kept as "
        "given (local services and newer keys exist). Check the key with 'egov reference search'."
    ]


def test_values_without_a_key_come_back_unchanged() -> None:
    assert ref.fill_from_reference({"name": "Lokal"}) == ({"name": "Lokal"}, [])


def test_adding_a_service_with_only_a_key_takes_the_rest_from_the_reference(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        change = add_service(session, ctx, {"leika_key": "99102013002000", "name": "Hundesteuer"})
    assert change.service.ozg_name == "Hundehaltung"
    assert change.service.topic == "Engagement & Hobby"


def test_search_ignores_case_and_umlaut_spelling_and_ranks_exact_and_prefix_first() -> None:
    names = [e.name for e in ref.search_reference("STRASSENSCHADEN", limit=3)]
    assert names[0] == "Straßenschaden"
    assert names[1] == "Straßenschaden Beseitigung"
    gewerbe = [e.name for e in ref.search_reference("gewerbe", limit=3)]
    assert gewerbe[0] == "Gewerbe"
    assert all(n.lower().startswith("gewerbe") for n in gewerbe)


def test_search_by_key_prefix_finds_the_services_of_an_object() -> None:
    keys = [e.key for e in ref.search_reference("99050012", limit=None)]
    assert keys[0] == "99050012000000" or keys[0].startswith("99050012")
    assert GEWERBE in keys
    assert all(k.startswith("99050012") for k in keys)


def test_show_explains_the_parts_of_a_key_and_the_type_in_words() -> None:
    detail = ref.reference_detail("99 050 012 104 000")
    parts = {p.label: (p.value, p.meaning) for p in detail.parts}
    assert parts["Leistungsgruppierung"] == ("050", None)
    assert parts["Leistungsobjekt-ID"] == ("99050012", "Gewerbe")
    assert parts["Verrichtung"] == ("104", "Anmeldung")
    assert parts["Verrichtungsdetail"] == ("000", "keines")
    assert detail.type_text == (
        "2/3: Regelung beim Bund, Vollzug durch Land oder Kommune (Typ 2 oder 3)"
    )
    assert detail.scope == ref.POSSIBLY_MUNICIPAL


def test_show_of_an_unknown_key_says_how_to_search() -> None:
    with pytest.raises(NotFound) as raised:
        ref.reference_detail("99050012104999")
    assert raised.value.message == "LeiKa key 99050012104999 is not in the reference catalogue."


@pytest.mark.parametrize(
    ("text", "scope"),
    [("2b", "municipal"), ("5", "municipal"), ("2/3", "possible"), ("1, 2/3", "possible"),
     ("1", None), ("44", None), ("", None)],
)  # fmt: skip
def test_the_execution_scope_follows_the_types_a_municipality_executes(
    text: str, scope: str | None
) -> None:
    assert ref.type_scope(text) == scope


def test_an_unknown_type_is_described_as_taken_from_the_source() -> None:
    assert ref.describe_type("44") == (
        "44: nicht in der LeiKa-Typisierung (Wert aus der Quelle übernommen)"
    )


def test_enrich_fills_gaps_through_the_history_and_leaves_given_values(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        add_service(session, ctx, {"leika_key": GEWERBE, "name": "Gewerbe", "topic": "Wirtschaft"})
        # an old service, recorded before the reference filled anything
        session.execute(
            Service.__table__.update().values(ozg_id=None, ozg_name=None, sdg_annex2=False)  # type: ignore[attr-defined]
        )
    enrich_ctx = ChangeContext("tester", "services enrich", at=ctx.at)
    with transaction(catalogue) as session:
        dry = ref.enrich_services(session, enrich_ctx, dry_run=True)
    assert [s.changes for s in dry.services] == [
        {
            "ozg_id": (None, "10294"),
            "ozg_name": (None, "Unternehmensanmeldung und -genehmigung"),
            "sdg_annex2": (False, True),
        }
    ]
    with transaction(catalogue) as session:
        assert find_service(session, GEWERBE).ozg_id is None  # the dry run changed nothing
        done = ref.enrich_services(session, enrich_ctx)
    assert done.fields_changed == 3
    with transaction(catalogue) as session:
        service = find_service(session, GEWERBE)
        assert (service.ozg_id, service.topic, service.sdg_annex2) == ("10294", "Wirtschaft", True)
        assert "unternehmensanmeldung" in service.search_text
        assert service.id is not None
        records = [r for r in history_of(session, "service", service.id) if r.action == "update"]
    assert {(r.field, r.old_value, r.new_value, r.source) for r in records} == {
        ("ozg_id", None, "10294", "services enrich"),
        ("ozg_name", None, "Unternehmensanmeldung und -genehmigung", "services enrich"),
        ("sdg_annex2", "false", "true", "services enrich"),
    }
    with transaction(catalogue) as session:
        assert ref.enrich_services(session, enrich_ctx).services == []


def test_enrich_keeps_an_sdg_flag_someone_set_by_hand(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        add_service(session, ctx, {"leika_key": GEWERBE, "name": "Gewerbe"})
        edit_service(session, ctx, GEWERBE, {"sdg_annex2": False})
        result = ref.enrich_services(session, ctx)
    assert result.services == []


def test_enrich_lists_keys_the_reference_does_not_know(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with transaction(catalogue) as session:
        add_service(session, ctx, {"leika_key": "99999999104000", "name": "Lokal"})
        result = ref.enrich_services(session, ctx)
    assert result.not_in_reference == ["99999999104000"]


def test_update_stores_a_newer_file_records_it_and_uses_it_from_then_on(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    newer = write_reference(
        tmp_path / "neu.csv",
        [
            "99050012104000,Gewerbe Anmeldung (neu),2b,10294,Unternehmensanmeldung,"
            "Unternehmensstart,Unternehmensführung & -entwicklung,1,1,GewO",
            "nicht im LeiKa,Mängelmelder,5,10136,Mängel melden,Ehrenamt,Engagement & Hobby,0,0,",
            "99123456789000,Ganz neue Leistung,44,,,,,0,0,",
        ],
    )
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", newer)
    assert (result.rows, result.keys, result.removed_keys) == (3, 2, 4812)
    assert result.warnings == (
        "neu.csv, row 4: LeiKa type '44' of '99123456789000' is not in the LeiKa "
        "Typisierung; kept as it is.",
    )
    loaded = ref.load_reference()
    assert loaded.source == "updated"
    assert loaded.by_key[GEWERBE].name == "Gewerbe Anmeldung (neu)"
    with transaction(catalogue) as session:
        records = session.exec(select(ReferenceUpdate)).all()
    assert [(r.file_name, r.rows, r.actor, r.sha256) for r in records] == [
        ("neu.csv", 3, "tester", result.sha256)
    ]
    assert len(result.sha256) == 64


def test_update_with_dry_run_checks_only(catalogue: Catalogue, tmp_path: Path) -> None:
    newer = write_reference(tmp_path / "neu.csv", ["99050012104000,Gewerbe,2b,,,,,0,0,"])
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", newer, dry_run=True)
        assert session.exec(select(ReferenceUpdate)).all() == []
    assert result.record_id is None
    assert ref.load_reference().source == "shipped"


def test_update_refuses_a_file_without_the_reference_columns(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    bad = write_reference(tmp_path / "alt.csv", ["x,y"], header="Schlüssel,Name\n")
    with transaction(catalogue) as session, pytest.raises(InputRejected) as raised:
        ref.update_reference(session, "tester", bad)
    assert raised.value.message == "alt.csv lacks 9 reference columns; nothing was loaded"
    assert (
        raised.value.details[0]
        == "alt.csv, row 1: column 'leika_schluessel' is missing from the header"
    )


def test_update_names_row_and_column_of_every_bad_cell(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    bad = write_reference(
        tmp_path / "neu.csv",
        [
            "99050012104000,Gewerbe,2b,10294,,,,0,0,",
            "9905001210400,Kurz,2b,,,,,0,0,",
            "99050012104000,Doppelt,2b,,,,,0,0,",
            "99050012070000,Abmeldung,2b,1O294,,,,0,0,",
            "99050012071000,Ummeldung,2b,,,,,vielleicht,0,",
        ],
    )
    with transaction(catalogue) as session, pytest.raises(InputRejected) as raised:
        ref.update_reference(session, "tester", bad)
    assert raised.value.details == [
        "neu.csv, row 3, column 'leika_schluessel': LeiKa key '9905001210400' is not 14 digits "
        "(it has 13 digits). (value '9905001210400') - Write the 14-digit key or 'nicht im LeiKa'.",
        "neu.csv, row 4, column 'leika_schluessel': LeiKa key 99050012104000 is in row 2 already "
        "(value '99050012104000') - Each key may appear once; remove one of the rows.",
        "neu.csv, row 5, column 'ozg_id': the OZG ID is not a number (value '1O294') - Write the "
        "5-digit OZG ID, or leave the cell empty.",
        "neu.csv, row 6, column 'sdg1': sdg1 is not 0 or 1 (value 'vielleicht') - Write 1 "
        "(relevant) or 0 (not relevant).",
    ]
    assert ref.load_reference().source == "shipped"


def test_update_reads_semicolons_and_windows_1252_as_excel_saves_them(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    text = (
        HEADER.replace(",", ";")
        + "99050012104000;Gewerbe Anmeldung;2b;10294;;;Unternehmensführung;0;1;\n"
    )
    path.write_bytes(text.encode("cp1252"))
    with transaction(catalogue) as session:
        result = ref.update_reference(session, "tester", path)
    assert result.warnings == ("excel.csv is not UTF-8; read it as Windows-1252.",)
    assert ref.load_reference().by_key[GEWERBE].topic == "Unternehmensführung"
