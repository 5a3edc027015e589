"""``egov reference``: the OZG/LeiKa reference catalogue; ``egov services enrich``;
``egov report coverage``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from egov_cli.cli import output
from egov_cli.cli.catalogue_cmd import services_app
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.report_output import FormatOpt, LangOpt, OutputOpt
from egov_cli.cli.state import use_json
from egov_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from egov_cli.services.reference import ReferenceEntry


reference_app = typer.Typer(
    help=N_(
        "The federal OZG/LeiKa reference catalogue: search, show, update.\n\n"
        "Example: egov reference search gewerbe"
    ),
    no_args_is_help=True,
)


def _warn_all(warnings: list[str] | tuple[str, ...], limit: int = 20) -> None:
    for text in warnings[:limit]:
        output.warning(text)
    if len(warnings) > limit:
        more = len(warnings) - limit
        output.warning(
            "... "
            + ngettext("and {count} more note", "and {count} more notes", more).format(count=more)
        )


@reference_app.command("search")
def search(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help=N_("Words of the name, or the start of a LeiKa key."))
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help=N_("At most this many."))] = 20,
    json: JsonOpt = False,
) -> None:
    """Search the reference by name (ignoring case and umlaut spelling) or by key.

    Exact and prefix matches come first. Does not need a catalogue.

    Example: egov reference search "gewerbe anmeldung" --limit 5
    """
    from egov_cli.services.reference import search_reference

    st = use_json(ctx, json)
    hits = search_reference(text, limit=None)
    shown = hits[:limit]
    if json:
        output.print_json([e.as_dict() for e in shown])
        return
    _entries_table(shown)
    found = ngettext(
        "{count} match in the reference catalogue",
        "{count} matches in the reference catalogue",
        len(hits),
    ).format(count=len(hits))
    if len(hits) > len(shown):
        found += " " + _("(the first {count}; more with --limit)").format(count=len(shown))
    output.message(found, quiet=st.quiet)


def _entries_table(entries: list[ReferenceEntry]) -> None:
    output.table(
        [
            (e.key or _("not in LeiKa"), e.name, e.leika_type, e.ozg_id, e.ozg_name, e.topic)
            for e in entries
        ],
        [
            _("LeiKa key"),
            _("Service"),
            _("LeiKa type"),
            _("OZG ID"),
            _("OZG service"),
            _("Themenfeld"),
        ],
    )


@reference_app.command("show")
def show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=N_("14-digit LeiKa key (spaces allowed)."))],
    json: JsonOpt = False,
) -> None:
    """Explain a LeiKa key: its parts, the LeiKa type in words, OZG service, Themenfeld,
    Lebenslage and SDG flags.

    Example: egov reference show 99050012104000
    """
    from egov_cli.services.reference import reference_detail, scope_label

    use_json(ctx, json)
    detail = reference_detail(key)
    if json:
        output.print_json(detail.as_dict())
        return
    e = detail.entry
    pairs: list[tuple[str, Any]] = [(_("LeiKa key"), e.key), (_("Service"), e.name)]
    for part in detail.parts:
        text = f"{part.value} - {part.meaning}" if part.meaning else part.value
        pairs.append(
            (_("{part} (digits {digits})").format(part=part.label, digits=part.digits), text)
        )
    pairs += [
        (_("LeiKa type"), detail.type_text if e.leika_type else "-"),
        (
            _("Executed by the municipality"),
            scope_label(detail.scope) or _("no (by its type)"),
        ),
        (_("OZG ID"), e.ozg_id),
        (_("OZG service"), e.ozg_name),
        (_("Themenfeld"), e.topic),
        (_("Lebenslage"), e.life_event),
        (_("SDG Annex I"), e.sdg_annex1),
        (_("SDG Annex II"), e.sdg_annex2),
        (_("Legal basis"), e.law),
    ]
    output.key_values(pairs, title=e.name)
    _warn_all(detail.warnings)


@reference_app.command("info")
def info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Which reference is in use (shipped or updated), its size, checksum and oddities.

    Example: egov reference info
    """
    from egov_cli.services.reference import reference_info

    use_json(ctx, json)
    found = reference_info()
    if json:
        output.print_json(found)
        return
    output.key_values(
        [
            (_("Source"), _("updated") if found.source == "updated" else _("shipped")),
            (_("File"), found.path),
            ("SHA-256", found.sha256),
            (_("Rows"), found.rows),
            (_("LeiKa keys"), found.keys),
            (_("without LeiKa key"), found.without_key),
            (_("OZG services"), found.ozg_services),
            (_("Notes"), len(found.warnings)),
        ],
        title=_("Reference catalogue"),
    )
    _warn_all(found.warnings)


@reference_app.command("update")
def update(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help=N_("CSV file with the columns of the reference."))],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Only check the file; change nothing."))
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Load a newer reference file (same columns as the shipped one); every problem is listed
    with row and column, and nothing changes unless the whole file is valid. Recorded with
    date and checksum in the catalogue.

    Example: egov reference update ozg_umsetzungskatalog_leika_2027.csv
    """
    from pathlib import Path

    from egov_cli.formats import number
    from egov_cli.services.reference import update_reference

    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        result = update_reference(session, st.settings.actor, Path(file), dry_run=dry_run)
    if json:
        output.print_json(result)
        return
    _warn_all(result.warnings)
    verb = _("Checked (--dry-run: nothing changed)") if dry_run else _("Loaded")
    rows = ngettext("{count} row", "{count} rows", result.rows).format(count=number(result.rows))
    output.message(
        _(
            "{action}: {file} with {rows} ({keys} LeiKa keys; {added} new, {removed} dropped), "
            "SHA-256 {sha256}"
        ).format(
            action=verb,
            file=result.file_name,
            rows=rows,
            keys=number(result.keys),
            added=number(result.added_keys),
            removed=number(result.removed_keys),
            sha256=result.sha256,
        ),
        quiet=st.quiet,
    )
    if not dry_run:
        output.message(_("Stored at {path}").format(path=result.stored_at), quiet=st.quiet)


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
    from egov_cli.services.reference import enrich_services

    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        result = enrich_services(session, st.change_context("services enrich"), dry_run=dry_run)
    if json:
        output.print_json(
            {
                "dry_run": result.dry_run,
                "checked": result.checked,
                "changed": len(result.services),
                "services": [
                    {"id": s.id, "leika_key": s.leika_key, "name": s.name, "changes": s.changes}
                    for s in result.services
                ],
                "not_in_reference": result.not_in_reference,
            }
        )
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
                count=missing,
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


TopicOpt = Annotated[str | None, typer.Option("--topic", help=N_("Only this OZG Themenfeld."))]
TypesOpt = Annotated[
    str | None,
    typer.Option(
        "--leika-type",
        help=N_(
            "Only these LeiKa types, comma separated (e.g. 5 or 2b,5). Default: the types "
            "a municipality executes (2b, 3b, 4b, 5; and 2, 3, 2/3, 4, marked 'prüfen')."
        ),
    ),
]


def coverage(
    ctx: typer.Context,
    topic: TopicOpt = None,
    leika_type: TypesOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = "de",
) -> None:
    """Coverage: per Themenfeld, the OZG services and LeiKa services a municipality executes
    that the catalogue lacks, and those catalogued below the online threshold.

    Example: egov report coverage --topic "Bauen & Wohnen" --format xlsx --output abdeckung.xlsx
    """
    from egov_cli.cli.report_cmd import build_report
    from egov_cli.cli.report_output import check_lang, emit_report, resolve_format
    from egov_cli.reports.builders import ReportOptions

    check_lang(lang)
    resolve_format(fmt, out)  # a wrong --format fails before any work
    st = use_json(ctx, fmt == "json")
    report = build_report(ctx, "coverage", ReportOptions(topic=topic, leika_type=leika_type))
    emit_report(st, report, fmt, out, lang)


def register(app: typer.Typer) -> None:
    """Add ``egov reference``, ``egov services enrich`` and ``egov report coverage``."""
    from egov_cli.cli.report_cmd import report_app

    app.add_typer(reference_app, name="reference")
    report_app.command("coverage")(coverage)
