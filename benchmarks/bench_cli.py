"""Start-up and listing speed of the ``egov`` command (issue: catalogue core).

Goals, measured in the same run on the same machine:
- ``egov --help`` imports no SQLAlchemy, SQLModel, openpyxl or tabulate, and its whole-process
  median stays within 2.5x of ``python -c "import typer"``;
- ``egov services list --json`` on a 10,000-service catalogue: median within 2x of
  ``python -c "import sqlmodel"``.

Run: python benchmarks/bench_cli.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, build_catalogue, compile_package, egov_cmd, run_medians, table

HEAVY = ("sqlalchemy", "sqlmodel", "openpyxl", "tabulate", "xlsxwriter", "python_calamine")


def heavy_imports_of_help() -> list[str]:
    probe = (
        "import sys\nsys.argv=['egov','--help']\nfrom egov_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, check=True).stdout
    last = out.strip().splitlines()[-1] if out.strip() else ""
    return [m for m in last.split(",") if m and m in HEAVY]


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_catalogue(Path(tmp) / "bench.db", 10_000)
        env = {"EGOV_DB": db}
        t = run_medians(
            {
                "typer": [PYTHON, "-c", "import typer"],
                "help": egov_cmd("--help"),
                "sqlmodel": [PYTHON, "-c", "import sqlmodel"],
                "list": egov_cmd("services", "list", "--json"),
            },
            runs=11,
            env=env,
        )
        typer_t, help_t, sqlmodel_t, list_t = t["typer"], t["help"], t["sqlmodel"], t["list"]
        heavy = heavy_imports_of_help()
    rows = [
        ["python -c 'import typer'", typer_t, "", ""],
        ["egov --help", help_t, help_t / typer_t, "<= 2.5"],
        ["python -c 'import sqlmodel'", sqlmodel_t, "", ""],
        ["egov services list --json (10,000)", list_t, list_t / sqlmodel_t, "<= 2.0"],
    ]
    print(table(rows, ["command", "median s", "ratio", "goal"]))
    print(f"heavy modules imported by egov --help: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
