"""The import assistant: the columns egov did not recognise, put to the officer on a terminal
(``--interactive``, and offered there anyway), never without one."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from egov_cli.imports import ImportOptions
from egov_cli.imports.assistant import UnknownColumn, assist, unrecognised_columns
from tests.helpers import egov
from tests.imports.messy import write_csv

ROWS = [
    ["Leistung", "Wer", "Kennung"],
    ["Hundesteuer", "20", "A-1"],
    ["Wohngeld", "50", "A-2"],
]


def test_each_unrecognised_column_comes_with_samples_and_the_chosen_field_is_mapped(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "monat.csv", ROWS)
    columns = unrecognised_columns(path, ImportOptions())
    assert [(c.header, c.samples) for c in columns] == [
        ("Wer", ("20", "50")),
        ("Kennung", ("A-1", "A-2")),
    ]
    asked: list[str] = []

    def choose(column: UnknownColumn) -> str | None:
        asked.append(column.header)
        return "Amt" if column.header == "Wer" else None  # a header of the field will do

    assert assist(columns, choose) == {"Wer": "department"}
    assert asked == ["Wer", "Kennung"]


def _on_a_terminal(args: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``egov ARGS`` with stdin and stdout on a pseudo-terminal, answering each prompt."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "egov_cli", *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip().endswith((b":", b"?", b"]:", b"]")):
                os.write(master, pending.pop(0).encode() + b"\n")
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(master)
    return process.returncode, seen.decode("utf-8", "replace")


def test_on_a_terminal_the_officer_maps_a_column_and_saves_the_choice_as_a_profile(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "monat.csv", ROWS)
    env = {**os.environ, "EGOV_DB": db_url, "NO_COLOR": "1"}
    code, seen = _on_a_terminal(["import", str(path)], ["j", "department", "", "amt20"], env)
    assert code == 0, seen
    assert "Spalte 'Wer'" in seen
    services = json.loads(egov("services", "list", "--json").stdout)["services"]
    assert {(s["name"], s["department"]) for s in services} == {
        ("Hundesteuer", "20"),
        ("Wohngeld", "50"),
    }
    shown = json.loads(egov("import", "profiles", "show", "amt20", "--json").stdout)
    assert shown["mapping"] == {"Wer": "department"}


def test_without_a_terminal_interactive_asks_nothing_and_imports_by_the_rules(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "monat.csv", ROWS)
    done = egov("import", str(path), "--interactive")
    assert done.exit_code == 0, done.stderr
    assert "braucht ein Terminal" in done.stderr
    services = json.loads(egov("services", "list", "--json").stdout)["services"]
    assert {s["department"] for s in services} == {None}
