"""Property: any catalogue, exported (xlsx or CSV) and imported again through the real writers
and readers, reports zero changes. Text is any Unicode without control characters, optional
fields may be empty, dates reach the boundaries (1950-01-01, 2199-12-31), levels cover the
whole scale, flags both values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord, Department, ImportRun, Procedure, Service
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.departments import add_department
from egov_cli.domain.scale import load_scale
from egov_cli.exports.columns import select_columns
from egov_cli.exports.services_export import ExportOptions, export_services
from egov_cli.imports import ImportOptions, run_import
from egov_cli.storage.db import Catalogue, transaction

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LEVELS = (0, 1, 2, 3, 4)  # the default scale, seeded in every test catalogue
DEPARTMENTS = {"32": "Ordnungsamt", "50": "Amt für Soziales", "3/1": "Bürgerbüro"}

#: Any Unicode text without control characters (Cc) and surrogates, as a person would type it:
#: no leading or trailing white space (the import trims cells).
TEXT = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
OPTIONAL_TEXT = st.none() | TEXT
DAY = (
    st.none()
    | st.sampled_from([date(1950, 1, 1), date(2199, 12, 31)])
    | st.dates(date(1950, 1, 1), date(2199, 12, 31))
)


@st.composite
def services(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 6))
    keys = draw(st.lists(st.integers(0, 10**12 - 1), min_size=count, max_size=count, unique=True))
    rows = []
    for i, key in enumerate(keys):
        rows.append(
            {
                "name": draw(TEXT),
                "leika_key": None if i == 0 and draw(st.booleans()) else f"98{key:012d}",
                "citizen_name": draw(OPTIONAL_TEXT),
                "ozg_name": draw(OPTIONAL_TEXT),
                "topic": draw(OPTIONAL_TEXT),
                "life_event": draw(OPTIONAL_TEXT),
                "notes": draw(OPTIONAL_TEXT),
                "department": draw(st.none() | st.sampled_from(sorted(DEPARTMENTS))),
                "level": draw(st.sampled_from(LEVELS)),
                "target_level": draw(st.none() | st.sampled_from(LEVELS)),
                "go_live": draw(DAY),
                "target_date": draw(DAY),
                "sdg_annex2": draw(st.booleans()),
                "cases_per_year": draw(st.none() | st.integers(0, 10**9)),
            }
        )
    return rows


def _reset(catalogue: Catalogue, ctx: ChangeContext, rows: list[dict[str, Any]]) -> None:
    with transaction(catalogue) as s:
        for table in (ChangeRecord, Service, ImportRun, Procedure, Department):
            s.execute(delete(table))
        for code, name in DEPARTMENTS.items():
            add_department(s, ctx, code, name)
        for row in rows:
            add_service(s, ctx, row)


def _round_trip(catalogue: Catalogue, path: Path, fmt: str) -> tuple[int, int, int, int, Any]:
    with transaction(catalogue, write=False) as s:
        export_services(s, str(path), fmt, ExportOptions(select_columns(None)), scale=load_scale(s))
    result = run_import(catalogue, path, ImportOptions(dry_run=True, actor="tester", at=AT))
    return (
        result.created,
        result.changed,
        result.unchanged,
        result.rejected,
        [(d.name, d.changes) for d in result.changes],
    )


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_catalogue_imports_back_with_zero_changes(
    catalogue: Catalogue, ctx: ChangeContext, tmp_path: Path, fmt: str
) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=services())
    def check(rows: list[dict[str, Any]]) -> None:
        _reset(catalogue, ctx, rows)
        path = tmp_path / f"alle.{fmt}"
        created, changed, unchanged, rejected, diffs = _round_trip(catalogue, path, fmt)
        assert (created, changed, rejected, diffs) == (0, 0, 0, [])
        assert unchanged == len(rows)

    check()


SEARCHED = ("name", "citizen_name", "leika_key", "ozg_name", "notes")
#: Text as a column of a file holds it, with the letters whose folding differs most.
FOLDED_TEXT = st.one_of(
    TEXT,
    st.text(alphabet="aäöüßẞÄÖÜéèñçİıΣσςﬁＡ̈ e-", min_size=1, max_size=12).filter(str.strip),
)


@pytest.mark.slow
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda count: st.fixed_dictionaries(
            {
                name: st.lists(
                    FOLDED_TEXT if name in ("name", "leika_key") else st.none() | FOLDED_TEXT,
                    min_size=count,
                    max_size=count,
                )
                for name in SEARCHED
            }
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_search_texts_made_column_by_column_are_those_of_each_service_alone(
    columns: dict[str, list[str | None]],
) -> None:
    from egov_cli.domain.common import service_search_text
    from egov_cli.values.fold import search_texts

    count = len(columns["name"])
    rows = [{name: values[i] for name, values in columns.items()} for i in range(count)]
    assert search_texts(columns, count) == [service_search_text(row) for row in rows]
