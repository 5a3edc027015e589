"""``egov procedures``: the online procedures (Onlinedienste) that serve services."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.state import use_json
from egov_cli.domain.procedures import add_procedure, edit_procedure, list_procedures
from egov_cli.i18n import N_, _, language
from egov_cli.values.parse import parse_flag, parse_term, parse_text
from egov_cli.values.vocab import AUTHENTICATIONS, PROVISIONS, label_of

procedures_app = typer.Typer(help=N_("Online procedures (Onlinedienste)."), no_args_is_help=True)
Opt = typer.Option

# The options of add and edit: what a procedure offers.
UrlOpt = Annotated[
    str | None, Opt("--url", metavar=N_("URL"), help=N_("Address of the procedure."))
]
ProvOpt = Annotated[
    str | None,
    Opt(
        "--provision",
        metavar=N_("PROVISION"),
        help=N_("own, central state service, EfA reuse, third party."),
    ),
]
BayernportalOpt = Annotated[
    str | None,
    Opt("--bayernportal", metavar=N_("YES/NO"), help=N_("Linked on BayernPortal: ja/nein.")),
]
AuthOpt = Annotated[
    str | None,
    Opt(
        "--auth",
        metavar=N_("AUTHENTICATION"),
        help=N_("none, username/password, ELSTER certificate, eID substantial, eID high."),
    ),
]
BayernidOpt = Annotated[
    str | None, Opt("--bayernid", metavar=N_("YES/NO"), help=N_("BayernID connected: ja/nein."))
]
BundidOpt = Annotated[
    str | None, Opt("--bundid", metavar=N_("YES/NO"), help=N_("BundID connected: ja/nein."))
]
EpaymentOpt = Annotated[
    str | None, Opt("--epayment", metavar=N_("YES/NO"), help=N_("E-payment: ja/nein."))
]
SubmitsOpt = Annotated[
    str | None, Opt("--submits", metavar=N_("YES/NO"), help=N_("Submits electronically: ja/nein."))
]


def _procedure_values(
    url: str | None,
    provision: str | None,
    bayernportal: str | None,
    auth: str | None,
    bayernid: str | None,
    bundid: str | None,
    epayment: str | None,
    submits: str | None,
) -> dict[str, Any]:
    """The procedure's fields parsed from the options' text."""
    return {
        "url": parse_text(url, "url"),
        "provision": parse_term(PROVISIONS, provision, "provision"),
        "bayernportal": parse_flag(bayernportal, "bayernportal"),
        "authentication": parse_term(AUTHENTICATIONS, auth, "auth"),
        "bayernid": parse_flag(bayernid, "bayernid"),
        "bundid": parse_flag(bundid, "bundid"),
        "epayment": parse_flag(epayment, "epayment"),
        "submits_electronically": parse_flag(submits, "submits"),
    }


@procedures_app.command("list")
def procedures_list(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List online procedures with the number of services each serves.

    Example: egov procedures list --json
    """
    st = use_json(ctx, json)
    with st.session() as session:
        rows = list_procedures(session)
    if json:
        output.print_json(json_shapes.procedures_list(rows))
        return
    lang = language()
    output.table(
        [
            (
                p.name,
                label_of(PROVISIONS, p.provision, lang),
                p.bayernportal,
                label_of(AUTHENTICATIONS, p.authentication, lang),
                p.bayernid,
                p.bundid,
                p.epayment,
                p.submits_electronically,
                p.services,
            )
            for p in rows
        ],
        [
            _("Online service"),
            _("Provision"),
            "BayernPortal",
            _("Authentication"),
            "BayernID",
            "BundID",
            _("e-payment"),
            _("Submits electronically"),
            _("Services"),
        ],
    )


@procedures_app.command("add")
def procedures_add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar=N_("NAME"), help=N_("Name of the online procedure."))
    ],
    url: UrlOpt = None,
    provision: ProvOpt = None,
    bayernportal: BayernportalOpt = None,
    auth: AuthOpt = None,
    bayernid: BayernidOpt = None,
    bundid: BundidOpt = None,
    epayment: EpaymentOpt = None,
    submits: SubmitsOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add an online procedure (one procedure can serve several services).

    Example: egov procedures add "Gewerbe-Service-Portal" --provision Landesdienst --bayernportal ja --submits ja
    """
    st = use_json(ctx, json)
    values = _procedure_values(
        url, provision, bayernportal, auth, bayernid, bundid, epayment, submits
    )
    procedure = st.run_write(
        lambda session: add_procedure(
            session, st.change_context("procedures add"), {"name": name, **values}
        )
    )
    if json:
        output.print_json(json_shapes.procedure_added(procedure))
    else:
        output.message(
            _("Online service added: {name}").format(name=procedure.name), quiet=st.quiet
        )


@procedures_app.command("edit")
def procedures_edit(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar=N_("NAME"), help=N_("Name of the online procedure."))
    ],
    new_name: Annotated[str | None, Opt("--name", metavar=N_("TEXT"), help=N_("New name."))] = None,
    url: UrlOpt = None,
    provision: ProvOpt = None,
    bayernportal: BayernportalOpt = None,
    auth: AuthOpt = None,
    bayernid: BayernidOpt = None,
    bundid: BundidOpt = None,
    epayment: EpaymentOpt = None,
    submits: SubmitsOpt = None,
    json: JsonOpt = False,
) -> None:
    """Change an online procedure; every change is recorded.

    Example: egov procedures edit "Gewerbe-Service-Portal" --epayment ja
    """
    st = use_json(ctx, json)
    values = _procedure_values(
        url, provision, bayernportal, auth, bayernid, bundid, epayment, submits
    )
    if new_name is not None:
        values["name"] = new_name.strip()
    procedure, changes = st.run_write(
        lambda session: edit_procedure(session, st.change_context("procedures edit"), name, values)
    )
    if json:
        output.print_json(json_shapes.procedure_edited(procedure, changes))
    else:
        output.message(
            _("Online service {name}: {changes}").format(
                name=procedure.name, changes=output.changes_text(changes) or _("no change")
            ),
            quiet=st.quiet,
        )
