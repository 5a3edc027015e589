"""Options and confirmations that many commands share, declared once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from egov_cli.i18n import N_, _

JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print the result as JSON."))]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help=N_("Do not ask (needed when not on a terminal)."))
]
DryRunRemoveOpt = Annotated[
    bool, typer.Option("--dry-run", help=N_("Show what would be removed; change nothing."))
]


def confirm_removal(label: str, yes: bool) -> None:
    """Ask before removing ``label`` on a terminal; without one, ``--yes`` is required.

    Raises :class:`~egov_cli.errors.Aborted` (exit code 9) when the answer is no.
    """
    from egov_cli.errors import Aborted

    if yes:
        return
    if not sys.stdin.isatty():
        raise Aborted(
            _("{label} is not removed without confirmation.").format(label=label),
            _("Give --yes to remove it."),
        )
    if not typer.confirm(_("Remove {label}?").format(label=label), default=False):
        raise Aborted(_("Nothing removed."))
