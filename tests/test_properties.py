"""Property: any catalogue, exported (xlsx or CSV) and imported again through the real writers
and readers, reports zero changes. Text is any Unicode without control characters, optional
fields may be empty, dates reach the boundaries (1950-01-01, 2199-12-31), levels cover the
whole scale, flags both values."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from egov_cli.core import schema
from egov_cli.core.errors import FileError, InputRejected
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord, Department, ImportRun, Procedure, Service
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.departments import add_department
from egov_cli.domain.scale import default_preset_name, load_scale, presets
from egov_cli.exports.columns import select_columns
from egov_cli.exports.services_export import ExportOptions, export_services
from egov_cli.imports import ImportOptions, run_import
from egov_cli.imports.reading import read_file
from egov_cli.imports.reading.types import ImportFile, ReadOptions
from egov_cli.storage.db import Catalogue, transaction
from egov_cli.values.fold import fold

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


#: Headers as people write them: every name and synonym of the schema, spelled a little
#: differently now and then, and other words.
KNOWN_HEADERS = sorted(
    {h for c in schema.COLUMNS for h in (c.field, c.de, c.en, *c.aliases, *c.synonyms)}
)
HEADER = st.one_of(
    st.sampled_from(KNOWN_HEADERS),
    st.sampled_from(KNOWN_HEADERS).map(lambda h: f"{h} (alt)"),
    st.sampled_from(KNOWN_HEADERS).map(lambda h: h[:-1] + "x" if len(h) > 6 else h),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöü -", min_size=1, max_size=20).filter(str.strip),
)
#: Values below the headers: keys, addresses, words, yes/no.
CELL = st.sampled_from(
    ["99050012104000", "https://portal.example/a", "ja", "Amt 32", "['a', 'b']", "3", ""]
)


def _read_or_refusal(path: Path) -> ImportFile | InputRejected | None:
    """The file as read, the refusal of its header, or None where no header is found."""
    try:
        return read_file(path, presets()[default_preset_name()], ReadOptions(delimiter=";"))
    except InputRejected as refused:
        return refused
    except FileError:
        return None


@given(
    headers=st.lists(HEADER, min_size=1, max_size=8, unique_by=lambda h: fold(h)),
    data=st.data(),
)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_recognition_never_maps_two_columns_to_one_field_silently(
    tmp_path: Path, headers: list[str], data: st.DataObject
) -> None:
    rows = [headers] + [
        data.draw(st.lists(CELL, min_size=len(headers), max_size=len(headers))) for _ in range(3)
    ]
    path = tmp_path / "liste.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(rows)
    found = _read_or_refusal(path)
    if isinstance(found, InputRejected):  # two columns name one field exactly: said, refused
        assert all("nennen beide das Feld" in d for d in found.details)
        return
    if found is None:  # no row names a column: nothing is mapped at all
        return
    fields = [c.field for c in found.columns]
    assert len(fields) == len(set(fields))
    said = "\n".join(found.warnings)
    for entry in found.column_map:
        if entry.field is None and entry.candidates:  # a field it may be, not taken: said
            assert repr(entry.header) in said
            assert entry.map_hint == f'--map "{entry.header}={entry.candidates[0]}"'
