"""Helpers for the benchmark scripts: timing whole processes, building big catalogues fast."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from egov_cli.core.models import ChangeRecord, Department, Service
from egov_cli.storage.db import Catalogue, make_engine, transaction
from egov_cli.storage.migrate import init_catalogue

PYTHON = sys.executable
BIN = Path(sys.executable).parent


def compile_package() -> None:
    """Write the package's bytecode, as ``pip install`` does for an installed copy.

    An editable install run with PYTHONDONTWRITEBYTECODE set would otherwise compile every
    module from source on every start, which installed users never pay.
    """
    import compileall

    import egov_cli

    compileall.compile_dir(Path(egov_cli.__file__).parent, quiet=1)


def run_median(cmd: Sequence[str], runs: int = 7, env: dict[str, str] | None = None) -> float:
    """Median wall time of ``cmd`` as a whole process, after one warm-up run."""
    full_env = {**os.environ, **(env or {})}
    subprocess.run(cmd, check=True, capture_output=True, env=full_env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=full_env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_medians(
    cmds: dict[str, Sequence[str]], runs: int = 9, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Median wall time of each command, measured in turns (a, b, c, a, b, c, ...).

    Taking turns spreads slow phases of a busy machine over all commands alike, so ratios
    between them are steadier than with one command's runs after the other's.
    """
    full_env = {**os.environ, **(env or {})}
    for cmd in cmds.values():  # warm-up
        subprocess.run(cmd, check=True, capture_output=True, env=full_env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=full_env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def egov_cmd(*args: str) -> list[str]:
    return [str(BIN / "egov"), *args]


def level_histories(
    rng: random.Random, services: int, changes: int, levels: int = 5
) -> list[list[int]]:
    """Per service a chain of ``changes + 1`` levels, each differing from the one before: the
    first is the level at creation, the last the current level."""
    chains = []
    for _ in range(services):
        chain = [rng.randrange(levels)]
        for _ in range(changes):
            chain.append((chain[-1] + rng.randrange(1, levels)) % levels)
        chains.append(chain)
    return chains


def build_catalogue(path: Path, services: int, history_per_service: int = 0, seed: int = 1) -> str:
    """A catalogue with ``services`` services in 20 departments and optional level history.

    The history is consistent, as the program writes it: each service's level updates form a
    chain (each old value is the previous new value, the last new value is the current level),
    all after the service's creation, within the last year.
    """
    rng = random.Random(seed)
    target = str(path)
    init_catalogue(target)
    engine = make_engine(target)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    created_at = now - timedelta(days=400)
    chains = level_histories(rng, services, history_per_service)
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
                    "search_text": f"leistung {i} strasse",
                    "department_id": 1 + i % 20,
                    "level": chains[i][-1],
                    "status": rng.choice(["planned", "in_progress", "live"]),
                    "topic": rng.choice(["Bauen & Wohnen", "Familie & Kind", "Mobilität & Reisen"]),
                    "sdg_annex2": i % 7 == 0,
                    "target_level": 3,
                    "target_date": date(2026, 12, 31),
                    "created_at": created_at,
                    "updated_at": now,
                }
            )
        s.execute(insert(Service), rows)
        if history_per_service:
            batch: list[dict[str, object]] = []
            for i in range(services):
                days = sorted(rng.sample(range(1, 366), history_per_service), reverse=True)
                chain = chains[i]
                for h, day in enumerate(days):
                    batch.append(
                        {
                            "changed_at": now - timedelta(days=day, seconds=rng.randrange(86_400)),
                            "actor": "bench",
                            "source": "import",
                            "entity": "service",
                            "entity_id": i + 1,
                            "entity_key": f"99{i:012d}",
                            "action": "update",
                            "field": "level",
                            "old_value": str(chain[h]),
                            "new_value": str(chain[h + 1]),
                        }
                    )
                if len(batch) >= 50_000:
                    s.execute(insert(ChangeRecord), batch)
                    batch = []
            if batch:
                s.execute(insert(ChangeRecord), batch)
    engine.dispose()
    return target


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=headers, floatfmt=".3f")
