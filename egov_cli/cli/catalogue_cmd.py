"""``egov services | departments | procedures``: keeping the catalogue by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from egov_cli.cli import output
from egov_cli.cli.options import DryRunRemoveOpt, JsonOpt, YesOpt, confirm_removal
from egov_cli.cli.state import use_json
from egov_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.services.catalogue import ServiceChange, ServiceFilter, ServiceView
    from egov_cli.services.scale import Scale

PAGE_SIZE = 50

services_app = typer.Typer(
    help=N_("List, show, add, edit and remove services."), no_args_is_help=True
)
departments_app = typer.Typer(help=N_("Departments (Ämter / Fachbereiche)."), no_args_is_help=True)
procedures_app = typer.Typer(help=N_("Online procedures (Onlinedienste)."), no_args_is_help=True)

# Options of add/edit: option value -> schema field. Parsed through the shared column schema.
Opt = typer.Option
LeikaOpt = Annotated[str | None, Opt("--leika", help=N_("LeiKa key (14 digits, spaces allowed)."))]
NameOpt = Annotated[str | None, Opt("--name", help=N_("Name of the service."))]
CitizenOpt = Annotated[str | None, Opt("--citizen-name", help=N_("Citizen-facing name."))]
TypeOpt = Annotated[str | None, Opt("--leika-type", help=N_("LeiKa type, e.g. 2/3."))]
OzgIdOpt = Annotated[str | None, Opt("--ozg-id", help=N_("OZG ID (5 digits)."))]
OzgNameOpt = Annotated[str | None, Opt("--ozg-name", help=N_("OZG service (bundle) name."))]
TopicOpt = Annotated[str | None, Opt("--topic", help=N_("OZG Themenfeld."))]
LifeOpt = Annotated[str | None, Opt("--life-event", help=N_("Lebenslage."))]
AddrOpt = Annotated[
    str | None, Opt("--addressee", help=N_("citizens, businesses or administration."))
]
DeptOpt = Annotated[str | None, Opt("--department", "-d", help=N_("Department code."))]
LevelOpt = Annotated[str | None, Opt("--level", "-l", help=N_("Maturity level (number or label)."))]
StatusOpt = Annotated[
    str | None,
    Opt(
        "--status",
        "-s",
        help=N_("planned, in progress, pilot, live, deferred, retired."),
    ),
]
ProcOpt = Annotated[str | None, Opt("--procedure", "-p", help=N_("Name of the online procedure."))]
UrlOpt = Annotated[str | None, Opt("--url", help=N_("Online URL of the service."))]
PortalOpt = Annotated[str | None, Opt("--bayernportal-url", help=N_("BayernPortal link."))]
GoLiveOpt = Annotated[
    str | None, Opt("--go-live", help=N_("Go-live date (31.12.2026 or 2026-12-31)."))
]
TLevelOpt = Annotated[str | None, Opt("--target-level", help=N_("Target maturity level."))]
TDateOpt = Annotated[str | None, Opt("--target-date", help=N_("Date the target level is due."))]
SdgOpt = Annotated[str | None, Opt("--sdg", help=N_("SDG Annex II: ja or nein."))]
CasesOpt = Annotated[str | None, Opt("--cases", help=N_("Cases per year."))]
NotesOpt = Annotated[str | None, Opt("--notes", help=N_("Free text."))]


def _parse_fields(raw: dict[str, str | None], scale: Scale) -> dict[str, Any]:
    """Parse the given option values through the column schema ("" clears a field)."""
    from egov_cli.parsing import parse_value
    from egov_cli.schema import BY_FIELD

    values: dict[str, Any] = {}
    for name, text in raw.items():
        if text is None:
            continue
        values[name] = parse_value(BY_FIELD[name], text, scale) if text.strip() else None
    return values


def _service_raw(**kwargs: str | None) -> dict[str, str | None]:
    return dict(kwargs)


def service_filter(
    department: str | None,
    level: str | None,
    below: str | None,
    min_level: str | None,
    status: str | None,
    topic: str | None,
    search: str | None,
    scale: Scale,
) -> ServiceFilter:
    from egov_cli.services.catalogue import ServiceFilter
    from egov_cli.values import parse_term
    from egov_cli.vocab import STATUSES

    return ServiceFilter(
        department=department,
        level=scale.parse(level) if level else None,
        below=scale.parse(below, "below") if below else None,
        min_level=scale.parse(min_level, "min-level") if min_level else None,
        status=parse_term(STATUSES, status, "status") if status else None,
        topic=topic,
        search=search,
    )


@services_app.command("list")
def list_(
    ctx: typer.Context,
    department: DeptOpt = None,
    level: Annotated[str | None, Opt("--level", "-l", help=N_("Exactly this level."))] = None,
    below: Annotated[str | None, Opt("--below", help=N_("Below this level."))] = None,
    min_level: Annotated[str | None, Opt("--min-level", help=N_("At least this level."))] = None,
    status: StatusOpt = None,
    topic: TopicOpt = None,
    search: Annotated[
        str | None, Opt("--search", "-q", help=N_("Free text (ignores case and umlaut spelling)."))
    ] = None,
    all_: Annotated[
        bool, Opt("--all", help=N_("Show every matching service, not one page."))
    ] = False,
    page: Annotated[int, Opt("--page", min=1, help=N_("Page to show (50 services a page)."))] = 1,
    json: JsonOpt = False,
) -> None:
    """List services, sorted by department and name, with filters.

    Example: egov services list --department 32 --below 3 --search strasse
    """
    from egov_cli.formats import number
    from egov_cli.services.catalogue import list_services
    from egov_cli.services.scale import load_scale

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
        output.print_json([r.as_json() for r in result.rows])
        return
    _services_table(result.rows, scale)
    shown_to = result.offset + len(result.rows)
    if paged and result.total > shown_to:
        output.message(
            _("{first}-{last} of {total} services. Next: --page {next}; all: --all").format(
                first=number(result.offset + 1),
                last=number(shown_to),
                total=number(result.total),
                next=page + 1,
            ),
            quiet=st.quiet,
        )
    else:
        services = ngettext("{count} service", "{count} services", result.total)
        output.message(
            f"{services.format(count=number(result.total))} ({flt.describe()})", quiet=st.quiet
        )


def _services_table(rows: list[ServiceView], scale: Scale) -> None:
    from egov_cli.vocab import STATUSES, label_of

    output.table(
        [
            (
                r.id,
                r.leika_key,
                r.name,
                r.department,
                f"{r.level} {scale.label(r.level)}",
                label_of(STATUSES, r.status),
                r.procedure,
            )
            for r in rows
        ],
        [
            _("ID"),
            _("LeiKa key"),
            _("Service"),
            _("Department"),
            _("Maturity level"),
            _("Status"),
            _("Online service"),
        ],
    )


@services_app.command("show")
def show(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help=N_("LeiKa key or id."))],
    json: JsonOpt = False,
) -> None:
    """Show every field of one service.

    Example: egov services show 99050012104000
    """
    from egov_cli.services.catalogue import find_service, view
    from egov_cli.services.scale import load_scale

    st = use_json(ctx, json)
    with st.session() as session:
        found = view(session, find_service(session, service))
        scale = load_scale(session)
    if json:
        output.print_json(found.as_dict())
        return
    _show_service(found, scale)


def _show_service(found: ServiceView, scale: Scale) -> None:
    from egov_cli.vocab import ADDRESSEES, STATUSES, label_of

    pairs: list[tuple[str, Any]] = []
    for name, value in found.as_dict().items():
        label = _field_label(name)
        if name in ("level", "target_level") and value is not None:
            value = f"{value} {scale.label(value)}"
        elif name == "status":
            value = label_of(STATUSES, value)
        elif name == "addressee":
            value = label_of(ADDRESSEES, value)
        pairs.append((label, value))
    output.key_values(pairs, title=found.name)


def _report_change(st: Any, verb: str, change: Any, json: bool) -> None:
    for warning in change.warnings:
        output.warning(warning)
    if json:
        output.print_json(
            {
                "service": change.service.as_dict(),
                "changes": change.changes,
                "warnings": change.warnings,
            }
        )
        return
    s = change.service
    if not change.changes:
        output.message(
            _("No change: {service}").format(service=f"{s.leika_key or '#' + str(s.id)} {s.name}"),
            quiet=st.quiet,
        )
        return
    output.message(
        _("{action}: {service} (ID {id})").format(
            action=verb, service=f"{s.leika_key or '#' + str(s.id)} {s.name}", id=s.id
        ),
        quiet=st.quiet,
    )
    for name, (old, new) in change.changes.items():
        output.message(
            f"  {_field_label(name)}: {_shown(name, old) or '-'} -> {_shown(name, new) or '-'}",
            quiet=st.quiet,
        )


#: Fields of a service that are no spreadsheet column.
_OTHER_FIELDS = {"created_at": N_("Created"), "updated_at": N_("Changed")}


def _field_label(name: str) -> str:
    """A field's name as people read it: its spreadsheet header in the run's language."""
    from egov_cli import i18n
    from egov_cli.schema import BY_FIELD

    if name in BY_FIELD:
        return BY_FIELD[name].header(i18n.language())
    return _(_OTHER_FIELDS[name]) if name in _OTHER_FIELDS else name


def _shown(name: str, value: Any) -> str:
    """A field value as people read it: status and addressee by their German labels."""
    from egov_cli.vocab import ADDRESSEES, STATUSES, label_of

    if name == "status" and isinstance(value, str):
        return label_of(STATUSES, value)
    if name == "addressee" and isinstance(value, str):
        return label_of(ADDRESSEES, value)
    return output.cell(value)


@services_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name of the service."))],
    leika: LeikaOpt = None,
    citizen_name: CitizenOpt = None,
    leika_type: TypeOpt = None,
    ozg_id: OzgIdOpt = None,
    ozg_name: OzgNameOpt = None,
    topic: TopicOpt = None,
    life_event: LifeOpt = None,
    addressee: AddrOpt = None,
    department: DeptOpt = None,
    level: LevelOpt = None,
    status: StatusOpt = None,
    procedure: ProcOpt = None,
    url: UrlOpt = None,
    bayernportal_url: PortalOpt = None,
    go_live: GoLiveOpt = None,
    target_level: TLevelOpt = None,
    target_date: TDateOpt = None,
    sdg: SdgOpt = None,
    cases: CasesOpt = None,
    notes: NotesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add a service to the catalogue.

    Example: egov services add "Gewerbe Anmeldung" --leika 99050012104000 -d 32 --level 3
    """
    from egov_cli.services.catalogue import add_service
    from egov_cli.services.scale import load_scale

    st = use_json(ctx, json)
    raw = _service_raw(
        name=name, leika_key=leika, citizen_name=citizen_name, leika_type=leika_type, ozg_id=ozg_id,
        ozg_name=ozg_name, topic=topic, life_event=life_event, addressee=addressee,
        department=department, level=level, status=status, procedure=procedure, online_url=url,
        bayernportal_url=bayernportal_url, go_live=go_live, target_level=target_level,
        target_date=target_date, sdg_annex2=sdg, cases_per_year=cases, notes=notes,
    )  # fmt: skip
    change = st.run_write(
        lambda session: add_service(
            session, st.change_context("services add"), _parse_fields(raw, load_scale(session))
        )
    )
    _report_change(st, _("Created"), change, json)


@services_app.command("edit")
def edit(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help=N_("LeiKa key or id of the service."))],
    leika: LeikaOpt = None,
    name: NameOpt = None,
    citizen_name: CitizenOpt = None,
    leika_type: TypeOpt = None,
    ozg_id: OzgIdOpt = None,
    ozg_name: OzgNameOpt = None,
    topic: TopicOpt = None,
    life_event: LifeOpt = None,
    addressee: AddrOpt = None,
    department: DeptOpt = None,
    level: LevelOpt = None,
    status: StatusOpt = None,
    procedure: ProcOpt = None,
    url: UrlOpt = None,
    bayernportal_url: PortalOpt = None,
    go_live: GoLiveOpt = None,
    target_level: TLevelOpt = None,
    target_date: TDateOpt = None,
    sdg: SdgOpt = None,
    cases: CasesOpt = None,
    notes: NotesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Change fields of a service; an empty value ("") clears a field. Every change is recorded.

    Example: egov services edit 99050012104000 --level 4 --status live --go-live 01.10.2026
    """
    from egov_cli.errors import ValidationError
    from egov_cli.services.catalogue import edit_service
    from egov_cli.services.scale import load_scale

    st = use_json(ctx, json)
    raw = _service_raw(
        name=name, leika_key=leika, citizen_name=citizen_name, leika_type=leika_type, ozg_id=ozg_id,
        ozg_name=ozg_name, topic=topic, life_event=life_event, addressee=addressee,
        department=department, level=level, status=status, procedure=procedure, online_url=url,
        bayernportal_url=bayernportal_url, go_live=go_live, target_level=target_level,
        target_date=target_date, sdg_annex2=sdg, cases_per_year=cases, notes=notes,
    )  # fmt: skip
    if all(v is None for v in raw.values()):
        raise ValidationError(
            _("Nothing to change."), _("Give at least one option, e.g. --level 3.")
        )

    def work(session: Session) -> ServiceChange:
        values = _parse_fields(raw, load_scale(session))
        for required in ("name", "level", "status", "sdg_annex2"):
            if required in values and values[required] is None:
                raise ValidationError(_("{field} cannot be empty.").format(field=required))
        return edit_service(session, st.change_context("services edit"), service, values)

    change = st.run_write(work)
    _report_change(st, _("Changed"), change, json)


@services_app.command("remove")
def remove(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help=N_("LeiKa key or id of the service."))],
    yes: YesOpt = False,
    dry_run: DryRunRemoveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove a service. Its change history is kept.

    Example: egov services remove 99050012104000 --yes
    """

    from egov_cli.services.catalogue import find_service, remove_service, view

    st = use_json(ctx, json)
    with st.session() as session:
        target = view(session, find_service(session, service))
    label = f"{target.leika_key or '#' + str(target.id)} {target.name}"
    if dry_run:
        output.message(
            _("Would remove: {label} (--dry-run: nothing changed)").format(label=label),
            quiet=st.quiet,
        )
        if json:
            output.print_json({"would_remove": target.as_dict()})
        return
    confirm_removal(label, yes)
    removed = st.run_write(
        lambda session: remove_service(
            session, st.change_context("services remove"), str(target.id)
        )
    )
    if json:
        output.print_json({"removed": removed.as_dict()})
    else:
        output.message(
            _("Removed: {label} (its history is kept)").format(label=label), quiet=st.quiet
        )


@services_app.command("history")
def history_(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help=N_("LeiKa key or id of the service."))],
    json: JsonOpt = False,
) -> None:
    """Show every recorded change of a service: when, who, what, old and new value.

    Example: egov services history 99050012104000
    """
    from egov_cli.services.catalogue import service_history

    st = use_json(ctx, json)
    with st.session() as session:
        records = service_history(session, service)
    if json:
        output.print_json([r.model_dump() for r in records])
        return
    from egov_cli.formats import timestamp

    output.table(
        [
            (
                timestamp(r.changed_at),
                r.actor,
                r.source + (f" #{r.import_id}" if r.import_id else ""),
                r.action,
                r.field or "",
                _short(r.old_value),
                _short(r.new_value),
            )
            for r in records
        ],
        [_("Time"), _("Who"), _("Source"), _("Action"), _("Field"), _("Old"), _("New")],
    )


def _short(value: str | None, limit: int = 60) -> str:
    if value is None:
        return ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- departments -----------------------------------------------------------------------------


@departments_app.command("list")
def departments_list(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List departments with their number of services.

    Example: egov departments list
    """
    from egov_cli.services.departments import list_departments

    st = use_json(ctx, json)
    with st.session() as session:
        rows = list_departments(session)
    if json:
        output.print_json(rows)
        return
    output.table(
        [(d.code, d.name, d.contact, d.services) for d in rows],
        [_("Code"), _("Name"), _("Contact"), _("Services")],
        justify={3: "right"},
    )


@departments_app.command("add")
def departments_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=N_("Short code, e.g. 32."))],
    name: Annotated[str, typer.Argument(help=N_("Name, e.g. Ordnungsamt."))],
    contact: Annotated[str | None, Opt("--contact", help=N_("Contact person or mailbox."))] = None,
    json: JsonOpt = False,
) -> None:
    """Add a department.

    Example: egov departments add 32 "Ordnungsamt" --contact ordnungsamt@stadt.example
    """
    from egov_cli.services.departments import add_department

    st = use_json(ctx, json)
    dept = st.run_write(
        lambda session: add_department(
            session, st.change_context("departments add"), code, name, contact
        )
    )
    if json:
        output.print_json(dept)
    else:
        output.message(
            _("Department added: {code} {name}").format(code=dept.code, name=dept.name),
            quiet=st.quiet,
        )


@departments_app.command("rename")
def departments_rename(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=N_("Current code of the department."))],
    name: Annotated[str | None, typer.Argument(help=N_("New name."))] = None,
    new_code: Annotated[str | None, Opt("--code", help=N_("New code."))] = None,
    contact: Annotated[str | None, Opt("--contact", help=N_("New contact."))] = None,
    json: JsonOpt = False,
) -> None:
    """Rename a department (name, code or contact); services keep pointing at it.

    Example: egov departments rename 32 "Amt für öffentliche Ordnung"
    """
    from egov_cli.errors import ValidationError
    from egov_cli.services.departments import rename_department

    st = use_json(ctx, json)
    if name is None and new_code is None and contact is None:
        raise ValidationError(_("Nothing to change."), _("Give a new name, --code or --contact."))
    dept, changes = st.run_write(
        lambda session: rename_department(
            session,
            st.change_context("departments rename"),
            code,
            name=name,
            new_code=new_code,
            contact=contact,
        )
    )
    if json:
        output.print_json({"department": dept, "changes": changes})
    else:
        output.message(
            _("Department {code}: {changes}").format(
                code=dept.code,
                changes=", ".join(f"{k}: {o} -> {n}" for k, (o, n) in changes.items())
                or _("no change"),
            ),
            quiet=st.quiet,
        )


# --- procedures ------------------------------------------------------------------------------

ProvOpt = Annotated[
    str | None, Opt("--provision", help=N_("own, central state service, EfA reuse, third party."))
]
AuthOpt = Annotated[
    str | None,
    Opt(
        "--auth", help=N_("none, username/password, ELSTER certificate, eID substantial, eID high.")
    ),
]
FlagOpt = Annotated[str | None, Opt(help=N_("ja or nein."))]


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
    from egov_cli.values import parse_flag, parse_term, parse_text
    from egov_cli.vocab import AUTHENTICATIONS, PROVISIONS

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
    from egov_cli.services.procedures import list_procedures
    from egov_cli.vocab import AUTHENTICATIONS, PROVISIONS, label_of

    st = use_json(ctx, json)
    with st.session() as session:
        rows = list_procedures(session)
    if json:
        output.print_json(rows)
        return
    output.table(
        [
            (
                p.name,
                label_of(PROVISIONS, p.provision),
                p.bayernportal,
                label_of(AUTHENTICATIONS, p.authentication),
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
            _("E-payment"),
            _("Electr. submission"),
            _("Services"),
        ],
    )


@procedures_app.command("add")
def procedures_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name of the online procedure."))],
    url: Annotated[str | None, Opt("--url", help=N_("Address of the procedure."))] = None,
    provision: ProvOpt = None,
    bayernportal: Annotated[
        str | None, Opt("--bayernportal", help=N_("Linked on BayernPortal: ja/nein."))
    ] = None,
    auth: AuthOpt = None,
    bayernid: Annotated[
        str | None, Opt("--bayernid", help=N_("BayernID connected: ja/nein."))
    ] = None,
    bundid: Annotated[str | None, Opt("--bundid", help=N_("BundID connected: ja/nein."))] = None,
    epayment: Annotated[str | None, Opt("--epayment", help=N_("E-payment: ja/nein."))] = None,
    submits: Annotated[
        str | None, Opt("--submits", help=N_("Submits electronically: ja/nein."))
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Add an online procedure (one procedure can serve several services).

    Example: egov procedures add "Gewerbe-Service-Portal" --provision Landesdienst --bayernportal ja --submits ja
    """
    from egov_cli.services.procedures import add_procedure

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
        output.print_json(procedure)
    else:
        output.message(
            _("Online service added: {name}").format(name=procedure.name), quiet=st.quiet
        )


@procedures_app.command("edit")
def procedures_edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name of the online procedure."))],
    new_name: Annotated[str | None, Opt("--name", help=N_("New name."))] = None,
    url: Annotated[str | None, Opt("--url", help=N_("Address of the procedure."))] = None,
    provision: ProvOpt = None,
    bayernportal: Annotated[
        str | None, Opt("--bayernportal", help=N_("Linked on BayernPortal: ja/nein."))
    ] = None,
    auth: AuthOpt = None,
    bayernid: Annotated[
        str | None, Opt("--bayernid", help=N_("BayernID connected: ja/nein."))
    ] = None,
    bundid: Annotated[str | None, Opt("--bundid", help=N_("BundID connected: ja/nein."))] = None,
    epayment: Annotated[str | None, Opt("--epayment", help=N_("E-payment: ja/nein."))] = None,
    submits: Annotated[
        str | None, Opt("--submits", help=N_("Submits electronically: ja/nein."))
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Change an online procedure; every change is recorded.

    Example: egov procedures edit "Gewerbe-Service-Portal" --epayment ja
    """
    from egov_cli.services.procedures import edit_procedure

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
        output.print_json({"procedure": procedure, "changes": changes})
    else:
        output.message(
            _("Online service {name}: {changes}").format(
                name=procedure.name,
                changes=", ".join(f"{k}: {o} -> {n}" for k, (o, n) in changes.items())
                or _("no change"),
            ),
            quiet=st.quiet,
        )


def register(app: typer.Typer) -> None:
    app.add_typer(services_app, name="services")
    app.add_typer(departments_app, name="departments")
    app.add_typer(procedures_app, name="procedures")
