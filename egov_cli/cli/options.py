"""Options and confirmations that many commands share, declared once.

Every value option names what it wants in its metavar (German, as the users read German):
DATUM, SCHLÜSSEL, DATEI, STUFE, AMT, ZAHL, TEXT, URL ... Each short flag has one meaning
across all commands: -d department, -l level, -s status, -p procedure, -f format, -o output,
-c columns, -n limit, -t target, -y yes, -q quiet (root), -h help.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from egov_cli.cli.state import state
from egov_cli.core.errors import Aborted
from egov_cli.i18n import N_, _

Opt = typer.Option


def _json_mode(ctx: typer.Context, value: bool) -> bool:
    """Record, as soon as ``--json`` is read, that the command answers in JSON (errors too)."""
    if value:
        state(ctx).json = True
    return value


def json_option(help: str = N_("Print the result as JSON.")) -> Any:
    """The ``--json`` option (``help`` says what the JSON holds where it is not the result)."""
    return Opt("--json", help=help, callback=_json_mode)


JsonOpt = Annotated[bool, json_option()]
YesOpt = Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask (needed when not on a terminal)."))]
DryRunRemoveOpt = Annotated[
    bool, Opt("--dry-run", help=N_("Show what would be removed; change nothing."))
]

# --- the filters of services list and export ---------------------------------------------------

FilterDeptOpt = Annotated[
    str | None, Opt("--department", "-d", metavar=N_("DEPARTMENT"), help=N_("Department code."))
]
ExactLevelOpt = Annotated[
    str | None, Opt("--level", "-l", metavar=N_("LEVEL"), help=N_("Exactly this level."))
]
BelowOpt = Annotated[str | None, Opt("--below", metavar=N_("LEVEL"), help=N_("Below this level."))]
MinLevelFilterOpt = Annotated[
    str | None, Opt("--min-level", metavar=N_("LEVEL"), help=N_("At least this level."))
]
StatusFilterOpt = Annotated[
    str | None,
    Opt(
        "--status",
        "-s",
        metavar=N_("STATUS"),
        help=N_("planned, in progress, pilot, live, deferred, retired."),
    ),
]
TopicFilterOpt = Annotated[
    str | None, Opt("--topic", metavar=N_("THEMENFELD"), help=N_("OZG Themenfeld."))
]
SearchOpt = Annotated[
    str | None,
    Opt("--search", metavar=N_("TEXT"), help=N_("Free text (ignores case and umlaut spelling).")),
]

# --- the fields of a service: services add and services edit ---------------------------------


@dataclass(frozen=True)
class FieldOption:
    """A service field as an option of ``services add`` and ``services edit``."""

    field: str  # the field of the column schema the value is parsed for
    param: str  # the command's parameter
    flags: tuple[str, ...]
    metavar: str
    help: str


SERVICE_FIELD_OPTIONS: tuple[FieldOption, ...] = (
    FieldOption("leika_key", "leika", ("--leika",), "SCHLÜSSEL", N_("LeiKa key (14 digits, spaces allowed).")),
    FieldOption("name", "name", ("--name",), "TEXT", N_("Name of the service.")),
    FieldOption("citizen_name", "citizen_name", ("--citizen-name",), "TEXT", N_("Citizen-facing name.")),
    FieldOption("leika_type", "leika_type", ("--leika-type",), "TYP", N_("LeiKa type, e.g. 2/3.")),
    FieldOption("ozg_id", "ozg_id", ("--ozg-id",), "OZG-ID", N_("OZG ID (5 digits).")),
    FieldOption("ozg_name", "ozg_name", ("--ozg-name",), "TEXT", N_("OZG service (bundle) name.")),
    FieldOption("topic", "topic", ("--topic",), "THEMENFELD", N_("OZG Themenfeld.")),
    FieldOption("life_event", "life_event", ("--life-event",), "LEBENSLAGE", N_("Lebenslage.")),
    FieldOption("addressee", "addressee", ("--addressee",), "ADRESSAT", N_("Bürger, Unternehmen or Verwaltung.")),
    FieldOption("department", "department", ("--department", "-d"), "AMT", N_("Department code.")),
    FieldOption("level", "level", ("--level", "-l"), "STUFE", N_("Maturity level (number or label).")),
    FieldOption("status", "status", ("--status", "-s"), "STATUS", "planned, in progress, pilot, live, deferred, retired."),
    FieldOption("procedure", "procedure", ("--procedure", "-p"), "DIENST", N_("Name of the online procedure.")),
    FieldOption("online_url", "url", ("--url",), "URL", N_("Online URL of the service.")),
    FieldOption("bayernportal_url", "bayernportal_url", ("--bayernportal-url",), "URL", N_("BayernPortal link.")),
    FieldOption("go_live", "go_live", ("--go-live",), "DATUM", N_("Go-live date (31.12.2026 or 2026-12-31).")),
    FieldOption("target_level", "target_level", ("--target-level",), "STUFE", N_("Target maturity level.")),
    FieldOption("target_date", "target_date", ("--target-date",), "DATUM", N_("Date the target level is due.")),
    FieldOption("sdg_annex2", "sdg", ("--sdg",), "JA/NEIN", N_("SDG Annex II: ja or nein.")),
    FieldOption("cases_per_year", "cases", ("--cases",), "ZAHL", N_("Cases per year.")),
    FieldOption("notes", "notes", ("--notes",), "TEXT", N_("Free text.")),
    # The online details the service keeps while it names no online procedure.
    FieldOption("procedure_url", "procedure_url", ("--procedure-url",), N_("URL"), N_("Address of its online service (without a named online procedure).")),
    FieldOption("procedure_provision", "provision", ("--provision",), N_("PROVISION"), N_("Provision of its online service: own, central state service, EfA reuse, third party.")),
    FieldOption("procedure_bayernportal", "bayernportal", ("--bayernportal",), N_("YES/NO"), N_("Its online service is linked on BayernPortal: ja/nein.")),
    FieldOption("procedure_authentication", "auth", ("--auth",), N_("AUTHENTICATION"), N_("Sign-in of its online service: none, username/password, ELSTER certificate, eID substantial, eID high.")),
    FieldOption("procedure_bayernid", "bayernid", ("--bayernid",), N_("YES/NO"), N_("Its online service is connected to BayernID: ja/nein.")),
    FieldOption("procedure_bundid", "bundid", ("--bundid",), N_("YES/NO"), N_("Its online service is connected to BundID: ja/nein.")),
    FieldOption("procedure_epayment", "epayment", ("--epayment",), N_("YES/NO"), N_("E-payment online: ja/nein.")),
    FieldOption("procedure_submits", "submits", ("--submits",), N_("YES/NO"), N_("Applications are submitted electronically: ja/nein.")),
)  # fmt: skip

F = TypeVar("F", bound=Callable[..., Any])


def service_field_options(*, without: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Give a command the service field options (all but the fields in ``without``), in place
    of its parameter ``fields``: the command receives them as one dict, field -> the text given
    (None where the option is not given).

    The options are declared once, in :data:`SERVICE_FIELD_OPTIONS`, for ``services add`` and
    ``services edit``.
    """
    chosen = [o for o in SERVICE_FIELD_OPTIONS if o.field not in without]

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        params = list(signature.parameters.values())
        at = next(i for i, p in enumerate(params) if p.name == "fields")
        options = [
            inspect.Parameter(
                o.param,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None,
                annotation=Annotated[str | None, Opt(*o.flags, metavar=o.metavar, help=o.help)],
            )
            for o in chosen
        ]
        params[at : at + 1] = options

        @functools.wraps(command)
        def with_fields(**kwargs: Any) -> Any:
            fields = {o.field: kwargs.pop(o.param) for o in chosen}
            return command(fields=fields, **kwargs)

        with_fields.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        with_fields.__annotations__ = {p.name: p.annotation for p in params}
        return with_fields  # type: ignore[return-value]

    return decorate


def confirm_removal(label: str, yes: bool) -> None:
    """Ask before removing ``label`` on a terminal; without one, ``--yes`` is required.

    Raises :class:`~egov_cli.core.errors.Aborted` (exit code 9) when the answer is no.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise Aborted(
            _("{label} is not removed without confirmation.").format(label=label),
            _("Give --yes to remove it."),
        )
    if not typer.confirm(_("Remove {label}?").format(label=label), default=False):
        raise Aborted(_("Nothing removed."))
