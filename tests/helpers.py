"""Helpers for tests: run the CLI in-process with stdout and stderr apart."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from egov_cli.cli.app import app


def egov(*args: str, input: str | None = None) -> Result:
    """Run ``egov ARGS`` through Typer's CliRunner (stdout and stderr kept apart)."""
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
