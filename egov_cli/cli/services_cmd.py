"""``egov services``: list, show, add, edit and remove services, their history, and filling
their gaps from the reference (``services enrich``)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import (
    BelowOpt,
    DryRunRemoveOpt,
    ExactLevelOpt,
    FilterDeptOpt,
    JsonOpt,
    MinLevelFilterOpt,
    SearchOpt,
    StatusFilterOpt,
    TopicFilterOpt,
    YesOpt,
    confirm_removal,
    service_field_options,
)
from egov_cli.cli.service_display import (
    history_headers,
    report_change,
    services_table,
    short,
    show_service,
)
from egov_cli.cli.service_input import parse_fields, service_filter
from egov_cli.cli.state import use_json
from egov_cli.core.errors import ValidationError
from egov_cli.domain.catalogue import (
    ServiceChange,
    add_service,
    edit_service,
    find_service,
    list_services,
    remove_service,
    service_history,
    view,
)
from egov_cli.domain.scale import load_scale
from egov_cli.i18n import N_, _, ngettext
from egov_cli.values.display import number, timestamp

#: ``service_filter`` is offered here too, for ``export`` (its filters are the list's).
__all__ = ["PAGE_SIZE", "service_filter", "services_app"]

PAGE_SIZE = 50

services_app = typer.Typer(
    help=N_("List, show, add, edit and remove services."), no_args_is_help=True
)
Opt = typer.Option


@services_app.command("list")
def list_(
    ctx: typer.Context,
    department: FilterDeptOpt = None,
    level: ExactLevelOpt = None,
    below: BelowOpt = None,
    min_level: MinLevelFilterOpt = None,
    status: StatusFilterOpt = None,
    topic: TopicFilterOpt = None,
    search: SearchOpt = None,
    all_: Annotated[
        bool, Opt("--all", help=N_("Show every matching service, not one page."))
    ] = False,
    page: Annotated[
        int,
        Opt("--page", min=1, metavar=N_("NUMBER"), help=N_("Page to show (50 services a page).")),
    ] = 1,
    json: JsonOpt = False,
) -> None:
    """List services, sorted by department and name, with filters.

    Example: egov services list --department 32 --below 3 --search strasse
    """
    st = use_json(ctx, json)
    paged = not (json or all_ or not output.stdout_is_terminal())
    with st.session() as session:
        scale = load_scale(session)
        flt = service_filter(department, level, below, min_level, status, topic, search, scale)
        result = list_services(
            session,
            flt,
            limit=PAGE_SIZE if paged else None,
            offset=(page - 1) * PAGE_SIZE if paged else 0,
        )
    if json:
        output.print_json(json_shapes.services_list(result))
        return
    services_table(result.rows, scale)
    shown_to = result.offset + len(result.rows)
    if paged and result.total > shown_to:
        output.message(
            _("{first}-{last} of {total} services. Next: --page {page}; all: --all").format(
                first=result.offset + 1, last=shown_to, total=result.total, page=page + 1
            ),
            quiet=st.quiet,
        )
    else:
        output.message(
            ngettext("{count} service", "{count} services", result.total).format(
                count=number(result.total)
            )
            + f" ({flt.describe()})",
            quiet=st.quiet,
        )


@services_app.command("show")
def show(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(metavar=N_("SERVICE"), help=N_("LeiKa key or id."))],
    json: JsonOpt = False,
) -> None:
    """Show every field of one service.

    Example: egov services show 99050012104000
    """
    st = use_json(ctx, json)
    with st.session() as session:
        found = view(session, find_service(session, service))
        scale = load_scale(session)
    if json:
        output.print_json(json_shapes.services_show(found))
        return
    show_service(found, scale)


@services_app.command("add")
@service_field_options(without=("name",))
def add(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar=N_("NAME"),
            help=N_(
                "Name of the service; may be left out with --leika where the reference knows "
                "the key."
            ),
        ),
    ] = None,
    fields: dict[str, str | None] | None = None,
    json: JsonOpt = False,
) -> None:
    """Add a service to the catalogue. With a LeiKa key the reference knows, the name (and the
    other reference fields) may be left out: they are taken from the reference.

    Example: egov services add "Gewerbe Anmeldung" --leika 99050012104000 -d 32 --level 3

    Example: egov services add --leika 99050012104000
    """
    st = use_json(ctx, json)
    raw = {"name": name, **(fields or {})}
    change = st.run_write(
        lambda session: add_service(
            session, st.change_context("services add"), parse_fields(raw, load_scale(session))
        )
    )
    report_change(st, _("Added: {service} (ID {id})"), change, json)


@services_app.command("edit")
@service_field_options()
def edit(
    ctx: typer.Context,
    service: Annotated[
        str, typer.Argument(metavar=N_("SERVICE"), help=N_("LeiKa key or id of the service."))
    ],
    fields: dict[str, str | None],
    json: JsonOpt = False,
) -> None:
    """Change fields of a service; an empty value ("") clears a field. Every change is recorded.

    Example: egov services edit 99050012104000 --level 4 --status live --go-live 01.10.2026
    """
    st = use_json(ctx, json)
    if all(v is None for v in fields.values()):
        raise ValidationError(
            _("Nothing to change."), _("Give at least one option, e.g. --level 3.")
        )

    def work(session: Session) -> ServiceChange:
        values = parse_fields(fields, load_scale(session))
        for required in ("name", "level", "status", "sdg_annex2"):
            if required in values and values[required] is None:
                raise ValidationError(_("{field} cannot be empty.").format(field=required))
        return edit_service(session, st.change_context("services edit"), service, values)

    change = st.run_write(work)
    report_change(st, _("Changed: {service} (ID {id})"), change, json)


@services_app.command("remove")
def remove(
    ctx: typer.Context,
    service: Annotated[
        str, typer.Argument(metavar=N_("SERVICE"), help=N_("LeiKa key or id of the service."))
    ],
    yes: YesOpt = False,
    dry_run: DryRunRemoveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove a service. Its change history is kept.

    Example: egov services remove 99050012104000 --yes
    """
    st = use_json(ctx, json)
    with st.session() as session:
        target = view(session, find_service(session, service))
    label = f"{target.leika_key or '#' + str(target.id)} {target.name}"
    if dry_run:
        output.message(
            _("Would remove: {service} (--dry-run: nothing changed)").format(service=label),
            quiet=st.quiet,
        )
        if json:
            output.print_json(json_shapes.service_removed(target, dry_run=True))
        return
    confirm_removal(label, yes)
    removed = st.run_write(
        lambda session: remove_service(
            session, st.change_context("services remove"), str(target.id)
        )
    )
    if json:
        output.print_json(json_shapes.service_removed(removed, dry_run=False))
    else:
        output.message(
            _("Removed: {service} (its history is kept)").format(service=label), quiet=st.quiet
        )


@services_app.command("history")
def history_(
    ctx: typer.Context,
    service: Annotated[
        str, typer.Argument(metavar=N_("SERVICE"), help=N_("LeiKa key or id of the service."))
    ],
    json: JsonOpt = False,
) -> None:
    """Show every recorded change of a service: when, who, what, old and new value.

    Example: egov services history 99050012104000
    """
    st = use_json(ctx, json)
    with st.session() as session:
        records = service_history(session, service)
    if json:
        output.print_json(json_shapes.services_history(records))
        return
    output.table(
        [
            (
                timestamp(r.changed_at),
                r.actor,
                r.source + (f" #{r.import_id}" if r.import_id else ""),
                r.action,
                r.field or "",
                short(r.old_value),
                short(r.new_value),
            )
            for r in records
        ],
        history_headers(),
    )


@services_app.command("enrich")
def enrich(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Show what would change; change nothing."))
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Fill empty fields of services (name, LeiKa type, OZG ID and name, Themenfeld,
    Lebenslage, SDG Annex II) from the reference by their LeiKa key. Every change is recorded
    in the history.

    Example: egov services enrich --dry-run
    """
    from egov_cli.domain.reference import enrich_services  # the reference: only here

    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        result = enrich_services(session, st.change_context("services enrich"), dry_run=dry_run)
    if json:
        output.print_json(json_shapes.services_enrich(result))
        return
    if result.services:
        output.table(
            [
                (s.id, s.leika_key, s.name, field, output.cell(old) or "-", output.cell(new))
                for s in result.services
                for field, (old, new) in s.changes.items()
            ],
            [_("ID"), _("LeiKa key"), _("Service"), _("Field"), _("before"), _("new")],
        )
    if result.not_in_reference:
        missing = len(result.not_in_reference)
        output.warning(
            ngettext(
                "{count} key is not in the reference catalogue: {keys}",
                "{count} keys are not in the reference catalogue: {keys}",
                missing,
            ).format(
                count=number(missing),
                keys=", ".join(result.not_in_reference[:10]) + (" ..." if missing > 10 else ""),
            )
        )
    message = (
        _(
            "{changed} of {checked} services with a LeiKa key would be filled in "
            "(--dry-run: nothing changed) ({fields} fields)"
        )
        if dry_run
        else _("{changed} of {checked} services with a LeiKa key filled in ({fields} fields)")
    )
    output.message(
        message.format(
            changed=len(result.services), checked=result.checked, fields=result.fields_changed
        ),
        quiet=st.quiet,
    )
