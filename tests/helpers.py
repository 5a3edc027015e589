"""Helpers for tests: run the CLI in-process with stdout and stderr apart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from egov_cli.cli.app import app


def egov(*args: str, input: str | None = None) -> Result:
    """Run ``egov ARGS`` through Typer's CliRunner (stdout and stderr kept apart)."""
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def on_read_only_storage(folder: Path) -> list[str]:
    """The command prefix that runs a program where ``folder`` really cannot be written: for
    root, a read-only bind mount of it in a mount namespace of the program's own (gone when
    the program ends); for any other user, the folder's permissions. Skips where neither can
    be had."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        for file in folder.iterdir():
            file.chmod(0o444)
        return []
    prefix = [
        "unshare",
        "--mount",
        "sh",
        "-c",
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
        "sh",
        str(folder),
    ]
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1) to mount a folder read-only")
    probe = subprocess.run([*prefix, "touch", str(folder / "probe")], capture_output=True)
    if probe.returncode == 0 or (folder / "probe").exists():
        pytest.skip("a read-only bind mount cannot be made here")
    return prefix


def egov_on_read_only_storage(
    folder: Path, catalogue: Path, **env: str
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """A way to run ``egov --db CATALOGUE ...`` as a process where ``folder`` really cannot be
    written (see :func:`on_read_only_storage`), with ``env`` added to the environment."""
    prefix = on_read_only_storage(folder)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "egov_cli", "--db", str(catalogue), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **env},
        )

    return run


def downgrade(engine: Any, revision: str) -> None:
    """Take the catalogue behind ``engine`` back to the schema ``revision`` with the shipped
    migrations' downgrades: an older catalogue with records written by today's code (which
    can no longer write into an older schema itself)."""
    from alembic import command

    from egov_cli.storage.migrate import _alembic_config

    with engine.begin() as conn:  # as storage.migrate runs an upgrade
        command.downgrade(_alembic_config(engine, conn), revision)  # type: ignore[arg-type]
