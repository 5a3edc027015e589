"""The ``egov`` command line. Only this package imports Typer and Rich."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Entry point of the ``egov`` console script."""
    from egov_cli.cli.app import app

    try:
        app(prog_name="egov")
    except Exception as exc:  # last resort: a bug, not bad input (that is an EgovError)
        if os.environ.get("EGOV_DEBUG"):
            raise
        print(
            f"egov: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in egov. Run again with EGOV_DEBUG=1 to see the traceback, "
            "and report it (see SECURITY.md).",
            file=sys.stderr,
        )
        sys.exit(1)
