"""The ``egov`` command line. Only this package imports Typer and Rich."""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    """Entry point of the ``egov`` console script."""
    # A command is a short process that creates many long-lived objects (SQLAlchemy, SQLModel
    # and the rows it reads); collecting the youngest generation every 700 allocations only
    # costs time (about a tenth of a listing). Collections still run, less often.
    gc.set_threshold(100_000, 50, 100)
    from egov_cli.cli.app import app

    try:
        app(prog_name="egov")
    except Exception as exc:  # last resort: a bug, not bad input (that is an EgovError)
        if os.environ.get("EGOV_DEBUG"):
            raise
        from egov_cli.cli.output import printable

        print(
            printable(f"egov: internal error: {type(exc).__name__}: {exc}\n")
            + "This is a bug in egov. Run again with EGOV_DEBUG=1 to see the traceback, "
            "and report it (see SECURITY.md).",
            file=sys.stderr,
        )
        sys.exit(1)
    finally:
        # The process ends now. Moving every object into the permanent generation spares the
        # interpreter's final garbage collection over them (about a quarter of a second with
        # SQLAlchemy loaded); memory goes back to the system either way, and exit handlers,
        # finalizers and flushes still run.
        gc.freeze()
