"""The installed ``egov`` command as a real process, and what its start-up costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "sqlmodel", "openpyxl", "tabulate", "xlsxwriter", "python_calamine")


def _egov(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "egov_cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_the_entry_point_creates_a_catalogue_and_answers_in_json(tmp_path: Path) -> None:
    env = {"EGOV_DB": str(tmp_path / "stadt.db")}
    assert _egov("init", env=env).returncode == 0
    added = _egov(
        "services", "add", "Hundesteuer Anmeldung", "--leika", "99102013001000", "--json", env=env
    )
    assert added.returncode == 0, added.stderr
    listed = _egov("services", "list", "--json", env=env)
    assert [s["name"] for s in json.loads(listed.stdout)["services"]] == ["Hundesteuer Anmeldung"]


def test_bad_input_exits_non_zero_without_a_traceback(tmp_path: Path) -> None:
    env = {"EGOV_DB": str(tmp_path / "stadt.db")}
    _egov("init", env=env)
    result = _egov("services", "add", "X", "--go-live", "31.02.2026", env=env)
    assert result.returncode == 3
    assert "Fehler: Online seit '31.02.2026' ist kein Datum." in result.stderr
    assert "Traceback" not in result.stderr


def test_piped_output_has_no_colour_codes(tmp_path: Path) -> None:
    env = {"EGOV_DB": str(tmp_path / "stadt.db")}
    _egov("init", env=env)
    _egov("services", "add", "Gewerbe Anmeldung", env=env)
    result = _egov("services", "list", env={**env, "NO_COLOR": ""})
    assert "\x1b[" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[1].split("\t")[2] == "Gewerbe Anmeldung"


def test_help_imports_no_database_or_spreadsheet_library() -> None:
    probe = (
        "import sys\nsys.argv = ['egov', '--help']\nfrom egov_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


@pytest.mark.slow
def test_the_wheel_carries_the_shipped_catalogue_and_report_files(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if build.returncode != 0 and "Could not find a version" in build.stderr:
        pytest.skip("the build backend (hatchling) cannot be fetched here")
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("egov_cli-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "egov_cli/_data/catalogue/maturity_scales.toml" in names
    assert "egov_cli/migrations/versions/0001_initial_schema.py" in names
    assert "egov_cli/migrations/script.py.mako" in names
    assert any(n.startswith("egov_cli/_data/reports/") for n in names)
    # The German catalog is compiled into the wheel (the .po sources stay in the repository).
    assert "egov_cli/locale/de/LC_MESSAGES/egov.mo" in names
    assert not any(n.endswith(".po") for n in names)
    import gettext
    import io

    mo = zipfile.ZipFile(wheel).read("egov_cli/locale/de/LC_MESSAGES/egov.mo")
    assert gettext.GNUTranslations(io.BytesIO(mo)).gettext("Usage: ") == "Aufruf: "
