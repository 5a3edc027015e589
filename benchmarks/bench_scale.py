"""Scale on PostgreSQL (issue: shared use): a catalogue far beyond one city.

Builds, in a PostgreSQL database of its own, a synthetic catalogue of 2,000 authorities x 500
services (1,000,000 services) with 5,000,000 history records (COPY), then times as whole
processes, medians of several runs, next to ``python -c "import sqlmodel"``:
  * ``egov services list --json --department CODE``  (goal: under 3 s)
  * ``egov report readiness --format json``           (goal: under 3 s)
and the import of the same 100,000-row workbook into an empty SQLite catalogue and into an
empty PostgreSQL catalogue (goal: PostgreSQL at most 2x SQLite).

Run: python benchmarks/bench_scale.py [--services N] [--history N] [--url ADMIN_URL]
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, compile_package, egov_cmd, run_median, table

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
TOPICS = ["Bauen & Wohnen", "Familie & Kind", "Mobilität & Reisen", "Gesundheit", "Umwelt"]


def _copy(conn: object, sql: str, lines: io.StringIO) -> None:
    lines.seek(0)
    with conn.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]
        while chunk := lines.read(1 << 20):
            copy.write(chunk)


def build(url: str, authorities: int, per_authority: int, history: int) -> None:
    import psycopg

    from egov_cli.storage.migrate import init_catalogue

    init_catalogue(url.replace("postgresql://", "postgresql+psycopg://"))
    rng = random.Random(7)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    created = (now - timedelta(days=400)).isoformat()
    with psycopg.connect(url) as conn:
        buf = io.StringIO()
        for a in range(authorities):
            buf.write(f"{a + 1}\tB{a:05d}\tBehörde {a}\t{created}\t{created}\n")
        _copy(conn, "COPY department (id, code, name, created_at, updated_at) FROM STDIN", buf)
        total = authorities * per_authority
        buf = io.StringIO()
        for i in range(total):
            level = rng.randint(0, 4)
            buf.write(
                f"{i + 1}\t{i + 1:014d}\tLeistung {i}\tleistung {i}\t{i // per_authority + 1}\t{level}\t"
                f"{rng.choice(['planned', 'in_progress', 'live'])}\t{TOPICS[i % 5]}\t{'t' if i % 7 == 0 else 'f'}\t"
                f"{created}\t{created}\n"
            )
        _copy(
            conn,
            "COPY service (id, leika_key, name, search_text, department_id, level, status, topic, "
            "sdg_annex2, created_at, updated_at) FROM STDIN",
            buf,
        )
        del buf
        written = 0
        while written < history:
            buf = io.StringIO()
            for _ in range(min(500_000, history - written)):
                sid = rng.randint(1, total)
                when = (
                    now - timedelta(days=rng.randint(1, 365), seconds=rng.randint(0, 86399))
                ).isoformat()
                buf.write(
                    f"{when}\tbench\timport\tservice\t{sid}\t{sid:014d}\tupdate\tlevel\t"
                    f"{rng.randint(0, 3)}\t{rng.randint(1, 4)}\n"
                )
                written += 1
            _copy(
                conn,
                "COPY change_record (changed_at, actor, source, entity, entity_id, entity_key, action, "
                "field, old_value, new_value) FROM STDIN",
                buf,
            )
        for table_name in ("department", "service", "change_record"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT MAX(id) FROM {table_name}))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser()
    parser.add_argument("--authorities", type=int, default=2_000)
    parser.add_argument("--per-authority", type=int, default=500)
    parser.add_argument("--history", type=int, default=5_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--url", default=ADMIN)
    args = parser.parse_args()

    import psycopg

    name = f"egov_scale_{uuid.uuid4().hex[:8]}"
    other = f"egov_imp_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(args.url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.execute(f'CREATE DATABASE "{other}"')
    base = args.url.rsplit("/", 1)[0]
    url, import_url = f"{base}/{name}", f"{base}/{other}"
    try:
        start = time.perf_counter()
        build(url, args.authorities, args.per_authority, args.history)
        print(
            f"built {args.authorities * args.per_authority:,} services and {args.history:,} history records in {time.perf_counter() - start:.0f} s"
        )
        env = {"EGOV_DB": url}
        size = f"{args.authorities * args.per_authority:,} services, {args.history:,} history"
        sqlmodel_t = run_median([PYTHON, "-c", "import sqlmodel"], runs=5)
        list_t = run_median(
            egov_cmd("services", "list", "--json", "--department", "B01234"), runs=5, env=env
        )
        ready_t = run_median(
            egov_cmd("report", "readiness", "--format", "json", "-o", "-"), runs=3, env=env
        )
        rows = [
            ["python -c 'import sqlmodel'", sqlmodel_t, "", ""],
            [f"services list --json --department ({size})", list_t, list_t / sqlmodel_t, "< 3 s"],
            [f"report readiness --format json ({size})", ready_t, ready_t / sqlmodel_t, "< 3 s"],
        ]
        with tempfile.TemporaryDirectory() as tmp:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            import bench_import

            book = Path(tmp) / "import.xlsx"
            bench_import.write_workbook(book, bench_import.rows(args.import_rows, seed=1))
            from egov_cli.storage.migrate import init_catalogue

            init_catalogue(str(Path(tmp) / "s.db"))
            init_catalogue(import_url.replace("postgresql://", "postgresql+psycopg://"))
            t0 = time.perf_counter()
            subprocess.run(
                egov_cmd("--db", str(Path(tmp) / "s.db"), "-q", "import", str(book)),
                check=True,
                capture_output=True,
            )
            sqlite_t = time.perf_counter() - t0
            t0 = time.perf_counter()
            subprocess.run(
                egov_cmd("--db", import_url, "-q", "import", str(book)),
                check=True,
                capture_output=True,
            )
            pg_t = time.perf_counter() - t0
        rows += [
            [f"import {args.import_rows:,} rows into SQLite", sqlite_t, "", ""],
            [
                f"import {args.import_rows:,} rows into PostgreSQL",
                pg_t,
                pg_t / sqlite_t,
                "<= 2.0 x SQLite",
            ],
        ]
        print(table(rows, ["command", "seconds", "ratio", "goal"]))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
