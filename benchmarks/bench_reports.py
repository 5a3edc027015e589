"""Speed of the readiness and targets reports (issue: targets and reports).

Goals, measured in the same run on the same machine: ``egov report readiness`` and
``egov report targets`` (``--format json``, whole process) on a catalogue of 100,000 services
with 1,000,000 history records finish within 3x of ``python -c "import sqlmodel"``; and the PDF
of the readiness report of a 1,000-service catalogue (``--format pdf``, whole process) within 3x
of its HTML.

The catalogue is built once (about a minute) and kept in ``benchmarks/out/`` (git-ignored);
later runs reuse it, upgraded to this program's schema if it is older. ``--fresh`` rebuilds it,
``--db URL`` times another catalogue holding the same data (e.g. a PostgreSQL copy made with
``egov --db benchmarks/out/bench-reports.db db copy --to URL``).

Run: python benchmarks/bench_reports.py [--runs N] [--keep DIR] [--fresh] [--db URL]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, build_catalogue, compile_package, egov_cmd, run_medians, table

SERVICES = 100_000
PDF_SERVICES = 1_000
HISTORY_PER_SERVICE = 10  # 1,000,000 history records
LIMIT = 3.0
OUT = Path(__file__).resolve().parent / "out"


def add_targets(db: str) -> None:
    from egov_cli.core.models import Target
    from egov_cli.storage.db import Catalogue, make_engine, transaction

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


def cached_catalogue(folder: Path, fresh: bool) -> str:
    """The benchmark catalogue in ``folder``: reused (and upgraded) if there, else built."""
    from egov_cli.storage.migrate import init_catalogue

    path = folder / "bench-reports.db"
    if path.exists() and not fresh:
        result = init_catalogue(str(path))  # upgrades an older schema in place
        if result.backup:
            Path(result.backup).unlink(missing_ok=True)
        print(
            f"using {path}"
            + (f" (upgraded from {result.upgraded_from})" if result.upgraded_from else "")
        )
        return str(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    db = build_catalogue(path, SERVICES, history_per_service=HISTORY_PER_SERVICE)
    add_targets(db)
    print(
        f"built {SERVICES:,} services, {SERVICES * HISTORY_PER_SERVICE:,} history records "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return db


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=OUT, help="keep the catalogue in this folder")
    parser.add_argument("--fresh", action="store_true", help="rebuild the kept catalogue")
    parser.add_argument("--db", help="time this catalogue (path or URL) instead")
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    db = args.db or cached_catalogue(args.keep, args.fresh)
    env = {"EGOV_DB": db, "EGOV_NOW": "2026-11-25T09:00:00Z", "EGOV_ACTOR": "bench"}
    reports = ("readiness", "targets")
    times = run_medians(
        {
            "sqlmodel": [PYTHON, "-c", "import sqlmodel"],
            **{r: egov_cmd("report", r, "--format", "json", "--output", "-") for r in reports},
        },
        args.runs,
        env,
    )
    base = times["sqlmodel"]
    rows = [["python -c 'import sqlmodel'", base, 1.0, ""]]
    ok = True
    for report in reports:
        seconds = times[report]
        ratio = seconds / base
        ok = ok and ratio <= LIMIT
        rows.append([f"egov report {report} --format json", seconds, ratio,
                     "ok" if ratio <= LIMIT else f"over {LIMIT}x"])  # fmt: skip
    print(table(rows, ["command", "median s", "x sqlmodel", f"goal <= {LIMIT}x"]))
    ok = pdf_against_html(args.keep, args.runs) and ok
    sys.exit(0 if ok else 1)


def pdf_against_html(folder: Path, runs: int) -> bool:
    """The readiness report of a 1,000-service catalogue as PDF against the same as HTML."""
    path = folder / "bench-reports-1000.db"
    if not path.exists():
        build_catalogue(path, PDF_SERVICES, history_per_service=HISTORY_PER_SERVICE)
    env = {"EGOV_DB": str(path), "EGOV_NOW": "2026-11-25T09:00:00Z", "EGOV_ACTOR": "bench"}
    times = run_medians(
        {
            fmt: egov_cmd(
                "report", "readiness", "--format", fmt, "--output", str(folder / f"r.{fmt}")
            )
            for fmt in ("html", "pdf")
        },
        runs,
        env,
    )
    ratio = times["pdf"] / times["html"]
    ok = ratio <= LIMIT
    rows = [
        [f"egov report readiness --format {fmt} ({PDF_SERVICES:,} services)", times[fmt],
         times[fmt] / times["html"], "" if fmt == "html" else "ok" if ok else f"over {LIMIT}x"]
        for fmt in ("html", "pdf")
    ]  # fmt: skip
    print(table(rows, ["command", "median s", "x html", f"goal <= {LIMIT}x"]))
    return ok


if __name__ == "__main__":
    main()
