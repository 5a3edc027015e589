"""The corpus of messy workbooks (``tests/importers/messy.py``) through ``egov import``: each
comes in as an officer would expect. Cases that need a later part of the issue "Real workbooks
in" are expected to fail until it lands (strict: they turn the suite red when they pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports.messy import CASES, Case, run_import


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=f"needs {case.later}")] if case.later else []
    return pytest.param(case, id=case.name.replace(" ", "-"), marks=marks)


def test_the_corpus_covers_every_point_of_the_issue_with_at_least_15_workbooks() -> None:
    assert len(CASES) >= 15
    assert {case.point for case in CASES} >= {
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "12",
    }


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_a_messy_workbook_comes_in_as_an_officer_expects(
    case: Case, db_url: str, tmp_path: Path
) -> None:
    path = case.build(tmp_path)
    args = tuple(arg.replace("{tmp}", str(tmp_path)) for arg in case.args)
    case.expect(run_import(path, *args))
