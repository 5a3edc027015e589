"""``egov demo``: the demo catalogue through the real import, with history and a target."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from egov_cli.core.models import ChangeRecord, ImportRun, ReportRun, Service, Target
from egov_cli.storage.db import open_catalogue, transaction
from tests.helpers import egov


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOV_NOW", "2026-11-25T09:00:00Z")


def _facts(target: str) -> dict[str, object]:
    catalogue = open_catalogue(target)
    try:
        with transaction(catalogue, write=False) as session:
            count = session.execute(select(func.count()).select_from(Service)).scalar_one()
            first_change = session.execute(select(func.min(ChangeRecord.changed_at))).scalar_one()
            level_changes = session.execute(
                select(func.count())
                .select_from(ChangeRecord)
                .where(ChangeRecord.field == "level", ChangeRecord.source == "demo")
            ).scalar_one()
            imports = session.execute(select(func.count()).select_from(ImportRun)).scalar_one()
            targets = [t.name for t in session.execute(select(Target)).scalars()]
            runs = [r.report for r in session.execute(select(ReportRun)).scalars()]
        return {
            "services": count,
            "first": str(first_change)[:10],
            "level_changes": level_changes,
            "imports": imports,
            "targets": targets,
            "runs": runs,
        }
    finally:
        catalogue.engine.dispose()


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_demo_builds_a_year_of_history_and_prints_the_readiness_report(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = egov("demo", "--db", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Reifegrad")
    assert "Online-Ziel 2026" in result.stdout
    assert "Bürgeramt" in result.stdout
    facts = _facts(str(path))
    assert 110 <= facts["services"] <= 130  # type: ignore[operator]
    assert facts["first"] == "2025-11-25"
    assert facts["level_changes"] > 50  # type: ignore[operator]
    assert facts["imports"] == 1
    assert facts["targets"] == ["Online-Ziel 2026"]
    assert facts["runs"] == ["readiness"]
    assert "Demo-Katalog" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name != "demo.db"]


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_demo_refuses_to_replace_a_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    path.write_text("mein Katalog", encoding="utf-8")
    refused = egov("demo", "--db", str(path))
    assert refused.exit_code == 5
    assert f"{path} gibt es schon; die Demo überschreibt die Datei nicht." in refused.stderr
    assert path.read_text(encoding="utf-8") == "mein Katalog"
    forced = egov("demo", "--db", str(path), "--force", "--format", "json")
    assert forced.exit_code == 0, forced.stderr
    assert _facts(str(path))["targets"] == ["Online-Ziel 2026"]


def _url(db_url: str) -> str:
    """The catalogue as a URL (an empty database to fill, not a file to create)."""
    return db_url if "://" in db_url else "sqlite:///" + db_url


@pytest.mark.slow
def test_demo_fills_an_empty_database_and_refuses_a_filled_one(db_url: str) -> None:
    result = egov("demo", "--db", _url(db_url), "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert "Online-Ziel 2026" in result.stdout
    assert _facts(db_url)["imports"] == 1
    again = egov("demo", "--db", _url(db_url))
    assert again.exit_code == 5
    assert "die Demo braucht einen leeren." in again.stderr


@pytest.mark.slow
def test_demo_target_is_at_risk_on_the_reference_day(db_url: str) -> None:
    assert egov("demo", "--db", _url(db_url), "--format", "json").exit_code == 0
    targets = egov("report", "targets", "--format", "json")
    assert targets.exit_code == 0, targets.stderr
    assert "at-risk" in targets.stdout
