"""Speed of ``egov export`` (issue: spreadsheet export).

Goals, measured side by side in the same run on the same machine:
- ``egov export FILE.xlsx`` of a 100,000-service catalogue, formatted (text/date formats,
  dropdowns, level shading, info sheets), takes at most 1.3x a bare xlsxwriter script writing
  the same cells (``write_row``, no formatting), both timed as whole processes;
- ``egov export FILE.csv`` writes at least 50,000 rows/s (whole process).

The catalogue is built with bulk inserts (14 columns filled: key, name, citizen name, LeiKa type,
OZG id and name, topic, addressee, department, level, status, go-live, SDG flag, cases per year).
The bare script gets the very cells egov writes (prepared beforehand, loaded from a pickle).

Run: python benchmarks/bench_export.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from egov_cli.core.models import Department, Service
from egov_cli.storage.db import Catalogue, make_engine, open_catalogue, transaction
from egov_cli.storage.migrate import init_catalogue

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import compile_package

BIN = Path(sys.executable).parent
COLUMNS_14 = (
    "leika_key,name,citizen_name,leika_type,ozg_id,ozg_name,topic,addressee,department,"
    "level,status,go_live,sdg_annex2,cases_per_year"
)
BARE = """
import pickle, sys, time
import xlsxwriter
rows = pickle.load(open(sys.argv[1], "rb"))
start = time.perf_counter()
wb = xlsxwriter.Workbook(sys.argv[2])
ws = wb.add_worksheet()
for r, row in enumerate(rows):
    ws.write_row(r, 0, row)
wb.close()
print(time.perf_counter() - start)
"""


def build(path: Path, services: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    target = str(path)
    init_catalogue(target)
    engine = make_engine(target)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    topics = ["Bauen & Wohnen", "Familie & Kind", "Mobilität & Reisen", "Gesundheit"]
    with transaction(Catalogue(target, engine)) as s:
        s.execute(
            insert(Department),
            [
                {"code": str(10 + i), "name": f"Amt {10 + i}", "created_at": now, "updated_at": now}
                for i in range(20)
            ],
        )
        rows = []
        for i in range(services):
            rows.append(
                {
                    "leika_key": f"99{i:012d}",
                    "name": f"Leistung {i} Straße",
                    "citizen_name": f"Antrag {i} für Bürger",
                    "leika_type": rng.choice(["1", "2/3", "3", "4"]),
                    "ozg_id": str(10000 + i % 600),
                    "ozg_name": f"OZG-Leistung {i % 600}",
                    "topic": rng.choice(topics),
                    "addressee": rng.choice(["citizens", "businesses", None]),
                    "search_text": f"leistung {i} strasse",
                    "department_id": 1 + i % 20,
                    "level": rng.randint(0, 4),
                    "status": rng.choice(["planned", "in_progress", "live"]),
                    "go_live": date(2020 + i % 6, 1 + i % 12, 1 + i % 28) if i % 3 else None,
                    "sdg_annex2": i % 7 == 0,
                    "cases_per_year": rng.randint(0, 50_000),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(rows) == 20_000:
                s.execute(insert(Service), rows)
                rows = []
        if rows:
            s.execute(insert(Service), rows)
    engine.dispose()
    return target


def bare_rows(db: str, columns: str) -> list[list[object]]:
    """The cells egov writes (header and rows), for the bare script."""
    from egov_cli.domain.scale import load_scale
    from egov_cli.exports.columns import fetch_rows, people_rows, select_columns

    chosen = select_columns(columns)
    catalogue = open_catalogue(db)
    with transaction(catalogue, write=False) as s:
        scale = load_scale(s)
        rows: list[list[object]] = [[c.de for c in chosen]]
        rows += [list(r) for r in people_rows(fetch_rows(s, chosen), chosen, scale)]
    catalogue.engine.dispose()
    return rows


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str, float]:
    """Wall time, stdout and CPU time (user + system) of a whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, done.stdout, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_package()
    egov = str(BIN / "egov")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        db = build(tmp / "bench.db", args.rows)
        print(f"catalogue of {args.rows:,} services built in {time.perf_counter() - t0:.1f} s")
        env = {**os.environ, "EGOV_DB": db}
        results: list[tuple[str, int, float | None, float | None, float, float, str]] = []
        for label, columns in (("14 columns", COLUMNS_14), ("all columns", None)):
            data = bare_rows(db, columns or "")
            pickled = tmp / "rows.pickle"
            pickled.write_bytes(pickle.dumps(data))
            ncols = len(data[0])
            bare_proc, bare_write, egov_times, bare_cpu, egov_cpu = [], [], [], [], []
            col_args = ["--columns", columns] if columns else []
            for _ in range(args.runs):
                took, out, cpu = timed(
                    [sys.executable, "-c", BARE, str(pickled), str(tmp / "bare.xlsx")], env
                )
                bare_proc.append(took)
                bare_cpu.append(cpu)
                bare_write.append(float(out.strip()))
                took, _, cpu = timed([egov, "-q", "export", str(tmp / "egov.xlsx"), *col_args], env)
                egov_times.append(took)
                egov_cpu.append(cpu)
            bp, bw, ep, bc, ec = (
                statistics.median(x)
                for x in (bare_proc, bare_write, egov_times, bare_cpu, egov_cpu)
            )
            results.append(
                (
                    label,
                    ncols,
                    bw,
                    bp,
                    ep,
                    ep / bp,
                    f"CPU {ec:.2f} s vs {bc:.2f} s = {ec / bc:.2f}x",
                )
            )
            csv_runs = [
                timed([egov, "-q", "export", str(tmp / "egov.csv"), *col_args], env)
                for _ in range(args.runs)
            ]
            csv_med = statistics.median(r[0] for r in csv_runs)
            csv_cpu = statistics.median(r[2] for r in csv_runs)
            results.append(
                (
                    f"{label} csv",
                    ncols,
                    None,
                    None,
                    csv_med,
                    args.rows / csv_med,
                    f"CPU {csv_cpu:.2f} s = {args.rows / csv_cpu:,.0f} rows/s",
                )
            )
        print(
            f"\n{args.rows:,} services, median of {args.runs} runs "
            "(bare write = xlsxwriter write_row only; bare process = the whole bare script;"
            " CPU = user + system time of the whole process, less affected by other load)"
        )
        for label, ncols, write_s, process_s, ep, ratio, cpu_note in results:
            if write_s is None or process_s is None:
                print(
                    f"{label:18} {ncols:2} cols: egov {ep:6.2f} s = {ratio:,.0f} rows/s "
                    f"(goal >= 50,000); {cpu_note}"
                )
            else:
                print(
                    f"{label:18} {ncols:2} cols: bare write {write_s:6.2f} s, bare process {process_s:6.2f} s,"
                    f" egov export {ep:6.2f} s -> {ratio:.2f}x the bare process (goal <= 1.3x);"
                    f" {cpu_note}"
                )


if __name__ == "__main__":
    main()
