"""Coverage and readiness count the same catalogue per Themenfeld: a council member who puts
the two reports side by side finds the same numbers, and every number on the coverage page adds
up with the others."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.reference import Reference, parse_reference
from egov_cli.reports.builders import build
from egov_cli.reports.coverage import coverage_report
from egov_cli.reports.document import Label, Report
from egov_cli.storage.db import Catalogue, transaction

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ROWS = """leika_schluessel,leika_bezeichnung,leika_typ,ozg_id,ozg_leistung,lebenslage,themenfeld,sdg1,sdg2,gesetzeskuerzel
99001001000000,Abfallgebühr,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99001001002000,Abfallgebühr Festsetzung,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99001009004000,Sperrmüll Entsorgung,5,10110,Abfallentsorgung,Wohnen,Bauen & Wohnen,0,0,
99001011001000,Wertstoffhof Zugang,5,10111,Wertstoffe,Wohnen,Bauen & Wohnen,0,0,
99102013002000,Hundesteuer Festsetzung,2/3,10999,Hundehaltung,Tiere,Engagement & Hobby,0,0,
99102014001000,Fischereischein,5,10998,Fischerei,Tiere,Engagement & Hobby,0,0,
99010001001000,Bundessache,1,10500,Bundesleistung,Bund,Querschnitt,0,0,
99200001001000,Landsache kommunal,4b,10600,Landesleistung,Ordnung,Recht & Ordnung,0,0,
"""

SERVICES: list[dict[str, object]] = [
    # in scope with their own key
    {"leika_key": "99001001002000", "name": "Abfallgebühr Festsetzung", "level": 1},
    {"leika_key": "99001009004000", "name": "Sperrmüll", "level": 4},
    {"leika_key": "99102013002000", "name": "Hundesteuer", "level": 2},
    {"leika_key": "99200001001000", "name": "Landsache", "level": 3},
    # a bare object whose concrete service is catalogued too: counted through that service
    {"leika_key": "99001001000000", "name": "Abfallgebühren", "level": 3},
    # outside the municipal scope (federal)
    {"leika_key": "99010001001000", "name": "Bundessache", "level": 4},
    # without a LeiKa key, with and without a Themenfeld
    {"name": "Eigene Abfallberatung", "level": 2, "topic": "Bauen & Wohnen"},
    {"name": "Vereinsförderung", "level": 3, "topic": "Engagement & Hobby"},
    {"name": "Sonstiges", "level": 0},
]
TOPICS = {
    "99001": "Bauen & Wohnen",
    "99102": "Engagement & Hobby",
    "99010": "Querschnitt",
    "99200": "Recht & Ordnung",
}


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
def catalogued(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    with transaction(catalogue) as session:
        for values in SERVICES:
            key = values.get("leika_key")
            topic = TOPICS[str(key)[:5]] if key else values.get("topic")
            add_service(session, ctx, {**values, "topic": topic})
    return catalogue


def rows(report: Report, key: str) -> dict[str, dict[str, object]]:
    """A table's rows by Themenfeld (as the German report words it)."""
    return {
        (r["topic"].de if isinstance(r["topic"], Label) else str(r["topic"])): r
        for s in report.sections
        for t in s.tables
        if t.key == key
        for r in t.rows
    }


def test_coverage_counts_the_catalogue_per_themenfeld_as_readiness_does(
    catalogued: Catalogue, reference: Reference
) -> None:
    with transaction(catalogued, write=False) as session:
        coverage = coverage_report(session, catalogued.label, NOW, reference=reference)
        readiness = build("readiness", session, catalogued.label, NOW)
    in_catalogue = rows(coverage, "catalogue_topics")
    per_topic = rows(readiness, "topics")
    assert (
        {t: r["catalogue"] for t, r in in_catalogue.items()}
        == {t: r["services"] for t, r in per_topic.items()}
        == {
            "Bauen & Wohnen": 4,
            "Engagement & Hobby": 2,
            "Querschnitt": 1,
            "Recht & Ordnung": 1,
            "ohne Themenfeld": 1,
        }
    )
    figures = {f.key: f.value for f in coverage.sections[0].figures}
    assert (
        figures["catalogue"] == {f.key: f.value for f in readiness.sections[0].figures}["services"]
    )
    for topic, row in in_catalogue.items():
        # in the catalogue = online + below the online threshold (readiness's online count)
        assert row["catalogue"] == row["catalogue_online"] + row["catalogue_below"]  # type: ignore[operator]
        assert row["catalogue_online"] == per_topic[topic]["online"]
        # = with their own key in scope + other (outside the scope, no key, a bare object)
        assert row["catalogue"] == row["catalogue_in_scope"] + row["catalogue_other"]  # type: ignore[operator]
    assert in_catalogue["Bauen & Wohnen"]["catalogue_in_scope"] == 2
    assert in_catalogue["Querschnitt"]["catalogue_other"] == 1  # federal: outside the scope


def test_the_reference_side_adds_up_and_meets_the_catalogue_side(
    catalogued: Catalogue, reference: Reference
) -> None:
    with transaction(catalogued, write=False) as session:
        coverage = coverage_report(session, catalogued.label, NOW, reference=reference)
    in_catalogue = rows(coverage, "catalogue_topics")
    for topic, row in rows(coverage, "topics").items():
        assert row["services"] == row["contained"] + row["missing"]  # type: ignore[operator]
        assert row["contained"] == row["online"] + row["below"] + row["via"]  # type: ignore[operator]
        # the services with their own key are the same on both sides (same Themenfeld here)
        assert row["online"] + row["below"] == in_catalogue[topic]["catalogue_in_scope"]  # type: ignore[operator]
    f = {fig.key: fig.value for fig in coverage.sections[0].figures}
    assert f["catalogue"] == 9
    assert f["catalogue"] == f["catalogue_online"] + f["catalogue_below"]
    assert f["catalogue"] == f["catalogue_in_scope"] + f["catalogue_other"]
    assert f["catalogue_in_scope"] == f["online"] + f["below"] == 4
    assert f["services"] == f["contained"] + f["missing"]


def test_the_two_sides_are_explained_in_the_report_s_language(
    catalogued: Catalogue, reference: Reference
) -> None:
    with transaction(catalogued, write=False) as session:
        coverage = coverage_report(session, catalogued.label, NOW, reference=reference)
    notes = {t.key: t.note for s in coverage.sections for t in s.tables}
    catalogue_note, reference_note = notes["catalogue_topics"], notes["topics"]
    assert catalogue_note is not None
    assert reference_note is not None
    assert "wie im Reifegradbericht" in catalogue_note.de
    assert "as in the readiness report" in catalogue_note.en
    assert "abgedeckt + fehlend" in reference_note.de
    assert "covered + missing" in reference_note.en
