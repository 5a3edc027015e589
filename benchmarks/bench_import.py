"""Benchmark of ``egov import``: a seeded 100,000-row x 14-column workbook.

Times, as whole processes and in the same run:
  * a bare script: python-calamine reads the workbook, sqlite3 executemany inserts the rows;
  * ``egov import`` into an empty catalogue;
  * ``egov import`` (upsert) of the same workbook with half the rows changed into that full
    catalogue;
  * ``egov import`` into an empty catalogue of the same services as departments write them
    (``Zuständiges Amt`` with names, ``Link zum Onlinedienst``, ``ePayment`` per service).
and reports the peak memory (max RSS) of each. Goal: egov at most 2x the bare script, peak
memory under 400 MB.

Each run is repeated (``--repeat``, default 3) on fresh copies of the catalogues; the table
shows medians of wall time and of CPU time (user + system), and the ratios to the bare script
of the same round. ``--drop-indexes`` also times the import with the history's secondary
indexes dropped from the catalogue copies (to see what they cost).

Run: python benchmarks/bench_import.py [--rows N] [--repeat N] [--drop-indexes] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import compile_package

HEADERS = [
    "LeiKa-Schlüssel", "Leistung", "Bürgerfreundliche Bezeichnung", "LeiKa-Typ", "OZG-ID",
    "OZG-Leistung", "Themenfeld", "Lebenslage", "Amt", "Reifegrad", "Umsetzungsstatus",
    "Online seit", "SDG Anhang II", "Fallzahl pro Jahr",
]  # fmt: skip
#: The same services as departments write them: the department by its name, a link to the
#: online service and e-payment per service (issue "Real workbooks in").
DEPARTMENT_HEADERS = [
    "LeiKa-Schlüssel", "Leistung", "Link zum Onlinedienst", "LeiKa-Typ", "OZG-ID",
    "OZG-Leistung", "Themenfeld", "Lebenslage", "Zuständiges Amt", "Reifegrad", "Umsetzungsstatus",
    "Online seit", "SDG Anhang II", "ePayment",
]  # fmt: skip
DEPARTMENT_NAMES = ["Amt für Wirtschaft", "Bürgeramt", "Standesamt", "Ordnungsamt",
                    "Bauordnungsamt", "Jugendamt", "Sozialamt", "Straßenverkehrsamt",
                    "Umweltamt", "Kämmerei", "Schulamt", "Gesundheitsamt"]  # fmt: skip
TOPICS = ["Bauen & Wohnen", "Familie & Kind", "Mobilität & Reisen", "Gesundheit", "Umwelt"]
STATUSES = ["geplant", "in Umsetzung", "Pilot", "live"]
WORDS = ["Antrag", "Erlaubnis", "Anmeldung", "Bescheinigung", "Genehmigung", "Auskunft"]
OBJECTS = ["Gewerbe", "Hund", "Wohnsitz", "Bauvorhaben", "Gaststätte", "Fahrzeug", "Baum"]

# Run by the timing wrapper in its own process: time one command, report its peak memory.
TIMER = """
import resource, subprocess, sys, time, json
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024, "rc": done.returncode,
                  "stderr": done.stderr[-2000:]}))
"""

BARE = """
import sqlite3, sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name("Leistungen").to_python()
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE service (" + ", ".join(f"c{i}" for i in range(14)) + ")")
db.executemany("INSERT INTO service VALUES (" + ", ".join("?" * 14) + ")", rows[1:])
db.commit()
"""


def rows(count: int, seed: int, changed_share: float = 0.0) -> list[list[object]]:
    rng = random.Random(seed)
    change = random.Random(seed + 1)
    out = []
    for i in range(count):
        key = f"99{i:09d}{rng.randrange(1000):03d}"
        name = f"{rng.choice(OBJECTS)} {rng.choice(WORDS)} {i}"
        level = rng.randrange(5)
        status = rng.choice(STATUSES)
        cases = rng.randrange(10, 50_000)
        if changed_share and change.random() < changed_share:
            level = (level + 1) % 5
            cases += 1
        out.append(
            [
                key,
                name,
                f"{name} (online)",
                rng.choice(["1", "2/3", "4", "5"]),
                f"{10000 + i % 600}",
                f"OZG-Leistung {i % 600}",
                rng.choice(TOPICS),
                f"Lebenslage {i % 55}",
                f"{30 + i % 12}",
                level,
                status,
                date(2020, 1, 1) + timedelta(days=rng.randrange(2000)),
                rng.choice(["ja", "nein"]),
                cases,
            ]
        )
    return out


def as_departments_write(data: list[list[object]]) -> list[list[object]]:
    """``data`` as a department writes it: its name, not its code; a link to the online
    service; e-payment per service (in place of the citizen name and the case count)."""
    out = []
    for i, row in enumerate(data):
        row = list(row)
        row[2] = f"https://www.musterstadt.de/antrag/{i}"
        row[8] = DEPARTMENT_NAMES[int(str(row[8])) % len(DEPARTMENT_NAMES)]
        row[13] = "ja" if i % 3 == 0 else "nein"
        out.append(row)
    return out


def write_workbook(path: Path, data: list[list[object]], headers: list[str] = HEADERS) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Leistungen")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(data, start=1):
        for c, value in enumerate(row):
            if c == 11:
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def timed(*command: str, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", TIMER, *command],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, object] = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['stderr']}")
    return result


#: The history's secondary indexes, whose upkeep every import pays (see --drop-indexes): what
#: they cost, measured; the catalogue's queries need them (history, changes report, targets).
HISTORY_INDEXES = ("ix_change_entity", "ix_change_field_time", "ix_change_record_changed_at",
                   "ix_change_level")  # fmt: skip


def drop_indexes(catalogue: Path) -> None:
    import sqlite3

    db = sqlite3.connect(catalogue)
    for name in HISTORY_INDEXES:
        db.execute(f"DROP INDEX {name}")
    db.commit()
    db.close()


def fresh(source: Path, target: Path) -> Path:
    """A copy of the catalogue ``source``: its write-ahead log folded in, then the file copied.
    (Copies made with SQLite's backup API made the later rounds' full imports 0.3-0.5 s slower
    on the test machine, round after round; plain file copies do not.)"""
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(source)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copyfile(source, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--drop-indexes", action="store_true")
    parser.add_argument("--keep", type=Path, help="Keep the files in this folder.")
    args = parser.parse_args()
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    try:
        first, second = work / "services.xlsx", work / "services_changed.xlsx"
        print(f"Writing {args.rows:,}-row workbooks ...", file=sys.stderr)
        write_workbook(first, rows(args.rows, args.seed))
        write_workbook(second, rows(args.rows, args.seed, changed_share=0.5))
        departments = work / "services_departments.xlsx"
        write_workbook(
            departments, as_departments_write(rows(args.rows, args.seed)), DEPARTMENT_HEADERS
        )
        egov = [sys.executable, "-m", "egov_cli"]
        empty = work / "empty.db"
        env = {"EGOV_ACTOR": "benchmark", "NO_COLOR": "1"}
        subprocess.run([*egov, "--db", str(empty), "init"], check=True, capture_output=True)
        full = work / "full.db"
        fresh(empty, full)
        timed(*egov, "--db", str(full), "--quiet", "import", str(first), env=env)
        catalogue = work / "catalogue.db"

        variants = [False, True] if args.drop_indexes else [False]
        names = ["bare calamine + sqlite3 executemany"]
        for dropped in variants:
            suffix = f" ({len(HISTORY_INDEXES)} history indexes dropped)" if dropped else ""
            names += [f"egov import, empty catalogue{suffix}",
                      f"egov import, full, upsert (half changed){suffix}"]  # fmt: skip
        names.append("egov import, as departments write, empty catalogue")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        ratios: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(args.repeat):
            print(f"round {round_ + 1} of {args.repeat} ...", file=sys.stderr)
            (work / "bare.db").unlink(missing_ok=True)
            bare = timed(sys.executable, "-c", BARE, str(first), str(work / "bare.db"))
            measured = {names[0]: bare}
            for v, dropped in enumerate(variants):
                for n, (source, workbook) in enumerate(((empty, first), (full, second))):
                    fresh(source, catalogue)
                    if dropped:
                        drop_indexes(catalogue)
                    measured[names[1 + 2 * v + n]] = timed(
                        *egov, "--db", str(catalogue), "--quiet", "import", str(workbook), env=env
                    )
            fresh(empty, catalogue)
            measured[names[-1]] = timed(
                *egov, "--db", str(catalogue), "--quiet", "import", str(departments), env=env
            )
            for name, result in measured.items():
                results[name].append(result)  # type: ignore[arg-type]
                ratios[name].append(float(result["seconds"]) / float(bare["seconds"]))  # type: ignore[arg-type]

        def median(name: str, key: str) -> float:
            return statistics.median(float(r[key]) for r in results[name])

        print(f"\n{args.rows:,} rows x {len(HEADERS)} columns, median of {args.repeat} rounds")
        print(f"{'run':<58} {'seconds':>8} {'cpu s':>6} {'x bare':>7} {'peak MB':>8}")
        for name in names:
            print(
                f"{name:<58} {median(name, 'seconds'):>8.2f} {median(name, 'cpu'):>6.2f} "
                f"{statistics.median(ratios[name]):>7.2f} {max(float(r['peak_mb']) for r in results[name]):>8.0f}"
            )
        print("x bare: median of the ratios to the bare script of the same round; peak: largest")
        print("goal: egov at most 2.00 x bare, peak memory under 400 MB")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (first, second, full):
                shutil.copy2(path, args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
