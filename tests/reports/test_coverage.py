"""The coverage report: what a municipality executes that the catalogue lacks or has offline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import update

from egov_cli.core.errors import ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import MaturityLevel
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.reference import Reference, parse_reference
from egov_cli.reports.coverage import coverage_report
from egov_cli.reports.document import Label, Report
from egov_cli.storage.db import Catalogue, transaction

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ROWS = """leika_schluessel,leika_bezeichnung,leika_typ,ozg_id,ozg_leistung,lebenslage,themenfeld,sdg1,sdg2,gesetzeskuerzel
99001001000000,Abfallgebühr,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99001001002000,Abfallgebühr Festsetzung,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99001009004000,Sperrmüll Entsorgung,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99102013002000,Hundesteuer Festsetzung,2/3,10999,Hundehaltung,Tiere,Engagement & Hobby,0,0,
99010001001000,Bundessache,1,10500,Bundesleistung,Bund,Querschnitt,0,0,
nicht im LeiKa,Mängelmelder,5,10136,Mängel melden,Ehrenamt,Engagement & Hobby,0,0,
99200001001000,Landsache kommunal,4b,10600,Landesleistung,Ordnung,Recht & Ordnung,0,0,
"""


@pytest.fixture
def reference() -> Reference:
    parsed = parse_reference(ROWS.encode("utf-8"), "test.csv")
    return Reference(
        source="updated",
        path=Path("test.csv"),
        sha256="0" * 64,
        entries=parsed.entries,
        by_key={e.key: e for e in parsed.entries if e.key},
        warnings=(),
    )


@pytest.fixture
def city(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    with transaction(catalogue) as session:
        add_service(session, ctx, {"leika_key": "99001001002000", "name": "Abfall", "level": 1})
        add_service(session, ctx, {"leika_key": "99102013002000", "name": "Hund", "level": 4})
    return catalogue


def build(catalogue: Catalogue, reference: Reference, **filters: object) -> Report:
    with transaction(catalogue, write=False) as session:
        return coverage_report(session, catalogue.label, NOW, reference=reference, **filters)


def table(report: Report, key: str, lang: str = "de") -> list[dict[str, object]]:
    """A table's rows, with the cells the report words itself in ``lang``."""
    return [
        {k: v(lang) if isinstance(v, Label) else v for k, v in r.items()}
        for s in report.sections
        for t in s.tables
        if t.key == key
        for r in t.rows
    ]


def test_missing_services_and_bundles_are_listed_per_themenfeld(
    city: Catalogue, reference: Reference
) -> None:
    report = build(city, reference)
    assert [(r["topic"], r["leika_key"], r["name"], r["execution"]) for r in table(report, "missing_services")] == [
        ("Bauen & Wohnen", "99001009004000", "Sperrmüll Entsorgung", "Kommune"),
        ("Engagement & Hobby", "nicht im LeiKa", "Mängelmelder", "Kommune"),
        ("Recht & Ordnung", "99200001001000", "Landsache kommunal", "Kommune"),
    ]  # fmt: skip
    assert [(r["ozg_id"], r["ozg_name"]) for r in table(report, "missing_bundles")] == [
        ("10136", "Mängel melden"),
        ("10600", "Landesleistung"),
    ]


def test_services_below_the_online_threshold_are_listed_with_their_level(
    city: Catalogue, reference: Reference
) -> None:
    rows = table(build(city, reference), "below_threshold")
    assert [(r["leika_key"], r["name"], r["level"]) for r in rows] == [
        ("99001001002000", "Abfall", 1)
    ]


def test_the_overview_counts_each_themenfeld(city: Catalogue, reference: Reference) -> None:
    report = build(city, reference)
    rows = {r["topic"]: r for r in table(report, "topics")}
    assert set(rows) == {"Bauen & Wohnen", "Engagement & Hobby", "Recht & Ordnung"}
    bauen = rows["Bauen & Wohnen"]
    assert (bauen["services"], bauen["contained"], bauen["below"], bauen["missing"]) == (2, 1, 1, 1)
    hobby = rows["Engagement & Hobby"]
    assert (hobby["online"], hobby["missing"], hobby["bundles_missing"]) == (1, 1, 1)
    figures = {f.key: f.value for f in report.sections[0].figures}
    assert (figures["services"], figures["contained"], figures["missing"]) == (5, 2, 3)
    assert report.name == "coverage"
    assert report.generated_at == NOW


def test_federal_services_are_out_of_the_default_scope_but_can_be_asked_for(
    city: Catalogue, reference: Reference
) -> None:
    default = [r["name"] for r in table(build(city, reference), "missing_services")]
    assert "Bundessache" not in default
    federal = build(city, reference, leika_type="1")
    assert [r["name"] for r in table(federal, "missing_services")] == ["Bundessache"]
    assert federal.filters["leika_type"].de == "LeiKa-Typ 1"


def test_the_themenfeld_filter_ignores_case(city: Catalogue, reference: Reference) -> None:
    report = build(city, reference, topic="Bauen & Wohnen".upper())
    assert {r["topic"] for r in table(report, "missing_services")} == {"Bauen & Wohnen"}
    assert report.filters["topic"].de == "Themenfeld Bauen & Wohnen"


def test_an_unknown_themenfeld_names_the_known_ones(city: Catalogue, reference: Reference) -> None:
    with pytest.raises(ValidationError) as raised:
        build(city, reference, topic="Raumfahrt")
    assert raised.value.message == "Themenfeld 'Raumfahrt' steht nicht im Referenzkatalog."
    assert raised.value.hint is not None
    assert "Recht & Ordnung" in raised.value.hint


def test_the_online_threshold_comes_from_the_scale(city: Catalogue, reference: Reference) -> None:
    with transaction(city) as session:
        session.execute(update(MaturityLevel).where(MaturityLevel.level == 1).values(online=True))  # type: ignore[arg-type]
    assert table(build(city, reference), "below_threshold") == []


def test_a_catalogued_bare_object_covers_its_services(
    catalogue: Catalogue, ctx: ChangeContext, reference: Reference
) -> None:
    with transaction(catalogue) as session:
        add_service(
            session, ctx, {"leika_key": "99001001000000", "name": "Abfallgebühren", "level": 3}
        )
    names = [r["name"] for r in table(build(catalogue, reference), "missing_services")]
    assert "Abfallgebühr Festsetzung" not in names
    assert "Sperrmüll Entsorgung" in names


def test_the_shipped_reference_gives_a_report_on_an_empty_catalogue(catalogue: Catalogue) -> None:
    with transaction(catalogue, write=False) as session:
        report = coverage_report(session, catalogue.label, NOW)
    figures = {f.key: f.value for f in report.sections[0].figures}
    assert figures["contained"] == 0
    assert figures["services"] == figures["missing"] > 2000


def test_the_figures_add_up_and_reconcile_with_the_catalogue(
    catalogue: Catalogue, ctx: ChangeContext, reference: Reference
) -> None:
    with transaction(catalogue) as session:
        for key, name, level in [
            ("99001001000000", "Abfallgebühren", 3),  # a bare object: covers its services
            ("99102013002000", "Hund", 1),
            ("99010001001000", "Bundessache", 4),  # federal: outside the default scope
            (None, "Eigene Leistung", 2),  # no LeiKa key
        ]:
            add_service(session, ctx, {"leika_key": key, "name": name, "level": level})
    report = build(catalogue, reference)
    f = {fig.key: fig.value for fig in report.sections[0].figures}
    assert f["contained"] == f["online"] + f["below"] + f["via"]
    assert f["services"] == f["contained"] + f["missing"]
    # the catalogue (4 services, as in readiness) = in scope with their own key + the others
    assert f["catalogue"] == 4
    assert f["catalogue"] == f["catalogue_in_scope"] + f["catalogue_other"]
    assert f["catalogue_in_scope"] == f["online"] + f["below"] == 1
    # the bare object covers its service without a level of its own: never "online"
    assert f["via"] == 1
    for row in table(report, "topics"):
        assert row["contained"] == row["online"] + row["below"] + row["via"]  # type: ignore[operator]
        assert row["services"] == row["contained"] + row["missing"]  # type: ignore[operator]


def test_federal_and_state_services_count_only_when_all_levels_are_asked_for(
    city: Catalogue, reference: Reference
) -> None:
    everything = build(city, reference, all_levels=True)
    names = [r["name"] for r in table(everything, "missing_services", "en")]
    assert "Bundessache" in names
    execution = {r["name"]: r["execution"] for r in table(everything, "missing_services", "en")}
    assert execution["Bundessache"] == "Land or federation"
    assert everything.filters["leika_type"].en.startswith("all tiers")
