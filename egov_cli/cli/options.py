"""Options and confirmations that many commands share, declared once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask (needed when not on a terminal).")
]
DryRunRemoveOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be removed; change nothing.")
]


def confirm_removal(label: str, yes: bool) -> None:
    """Ask before removing ``label`` on a terminal; without one, ``--yes`` is required.

    Raises :class:`~egov_cli.core.errors.Aborted` (exit code 9) when the answer is no.
    """
    from egov_cli.core.errors import Aborted

    if yes:
        return
    if not sys.stdin.isatty():
        raise Aborted(
            f"{label} wird ohne Bestätigung nicht entfernt.",
            "Geben Sie --yes an, um es zu entfernen.",
        )
    if not typer.confirm(f"{label} entfernen?", default=False):
        raise Aborted("Nichts entfernt.")
