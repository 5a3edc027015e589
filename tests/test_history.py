"""The history snapshot: the text SQLite makes of a stored row is the text Python makes."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from egov_cli.core.history import as_text, as_texts, snapshot, snapshot_sql

FIELDS = [
    ("go_live", "s.go_live", "text"),
    ("level", "s.level", "int"),
    ("name", "s.name", "text"),
    ("notes", "s.notes", "text"),
    ("sdg_annex2", "s.sdg_annex2", "bool"),
]
ROWS: list[dict[str, Any]] = [
    {
        "name": 'Straße "A" \\ B\nZeile 2\t👍 \u2028',
        "level": 3,
        "sdg_annex2": True,
        "go_live": date(2026, 1, 2),
        "notes": "Bauen & Wohnen",
    },
    {"name": "B", "level": None, "sdg_annex2": False, "go_live": None, "notes": ""},
    {"name": "Ärztliche Bescheinigung", "level": 0, "sdg_annex2": None, "go_live": None,
     "notes": None},
]  # fmt: skip


def _sqlite_snapshots(
    tmp_path: Path, rows: list[dict[str, Any]], gaps: tuple[str, ...]
) -> list[str]:
    """The snapshots SQLite makes with ``snapshot_sql`` of ``rows`` stored as egov stores
    them (dates as ISO text, flags as 1 and 0)."""
    db = sqlite3.connect(tmp_path / "snapshots.db")
    try:
        db.execute(
            "CREATE TABLE s (id INTEGER PRIMARY KEY, name VARCHAR, level INTEGER, "
            "sdg_annex2 BOOLEAN, go_live DATE, notes VARCHAR)"
        )
        for row in rows:
            stored = {**row, "go_live": row["go_live"] and row["go_live"].isoformat()}
            db.execute(
                "INSERT INTO s (name, level, sdg_annex2, go_live, notes) "
                "VALUES (:name, :level, :sdg_annex2, :go_live, :notes)",
                stored,
            )
        sql = f"SELECT {snapshot_sql(FIELDS, gaps)} FROM s AS s ORDER BY s.id"
        return [text for (text,) in db.execute(sql)]
    finally:
        db.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "gaps",
    [
        ("go_live", "level", "notes", "sdg_annex2"),  # more than a few: json_patch drops them
        ("level", "sdg_annex2"),  # a few: one object for each way they can be blank
    ],
)
def test_the_snapshot_sqlite_makes_of_rows_with_blank_fields_is_the_python_snapshot(
    tmp_path: Path, gaps: tuple[str, ...]
) -> None:
    # Rows blank at most in the fields ``gaps`` names (the import passes those it finds).
    rows = [
        {name: value if name in gaps else ROWS[0][name] for name, value in row.items()}
        for row in ROWS
    ]
    assert _sqlite_snapshots(tmp_path, rows, gaps) == [snapshot(row) for row in rows]


@pytest.mark.sqlite_only
def test_the_snapshot_sqlite_makes_of_rows_without_blanks_is_the_python_snapshot(
    tmp_path: Path,
) -> None:
    rows = ROWS[:1]
    assert _sqlite_snapshots(tmp_path, rows, gaps=()) == [snapshot(row) for row in rows]


def test_a_column_of_values_is_stored_as_each_value_alone() -> None:
    values: list[object] = [3, None, True, date(2026, 1, 2), "Straße", 0]
    assert as_texts(values) == [as_text(v) for v in values]
    assert as_texts([1, 20, 300]) == ["1", "20", "300"]
