"""Speed of the readiness and targets reports (issue: targets and reports).

Goal, measured in the same run on the same machine: ``egov report readiness`` and
``egov report targets`` (``--format json``, whole process) on a catalogue of 100,000 services
with 1,000,000 history records finish within 3x of ``python -c "import sqlmodel"``.

Run: python benchmarks/bench_reports.py [--runs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, build_catalogue, egov_cmd, run_median, table

SERVICES = 100_000
HISTORY_PER_SERVICE = 10  # 1,000,000 history records
LIMIT = 3.0


def add_targets(db: str) -> None:
    from egov_cli.db import Catalogue, make_engine, transaction
    from egov_cli.models import Target

    engine = make_engine(db)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    with transaction(Catalogue(db, engine)) as session:
        session.add(
            Target(
                name="Online-Ziel 2026", kind="level", threshold_level=3, goal_count=60_000,
                start_date=date(2026, 1, 1), due_date=date(2026, 12, 31),
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.add(
            Target(
                name="Bauen online", kind="level", threshold_level=3, goal_share=0.8,
                start_date=date(2026, 1, 1), due_date=date(2026, 12, 31),
                scope_topic="Bauen & Wohnen", created_at=now, updated_at=now,
            )
        )  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the catalogue in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench-reports.db"
        if path.exists() and args.keep:
            db = str(path)
            print(f"using {db}")
        else:
            path.unlink(missing_ok=True)
            start = time.perf_counter()
            db = build_catalogue(path, SERVICES, history_per_service=HISTORY_PER_SERVICE)
            add_targets(db)
            print(
                f"built {SERVICES:,} services, {SERVICES * HISTORY_PER_SERVICE:,} history records "
                f"in {time.perf_counter() - start:.1f} s"
            )
        env = {"EGOV_DB": db, "EGOV_NOW": "2026-11-25T09:00:00Z", "EGOV_ACTOR": "bench"}
        base = run_median([PYTHON, "-c", "import sqlmodel"], args.runs)
        rows = [["python -c 'import sqlmodel'", base, 1.0, ""]]
        ok = True
        for report in ("readiness", "targets"):
            cmd = egov_cmd("report", report, "--format", "json", "--output", "-")
            seconds = run_median(cmd, args.runs, env)
            ratio = seconds / base
            ok = ok and ratio <= LIMIT
            rows.append([f"egov report {report} --format json", seconds, ratio,
                         "ok" if ratio <= LIMIT else f"over {LIMIT}x"])  # fmt: skip
        print(table(rows, ["command", "median s", "x sqlmodel", f"goal <= {LIMIT}x"]))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
