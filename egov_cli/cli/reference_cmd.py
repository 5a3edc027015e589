"""``egov reference``: the federal OZG/LeiKa reference catalogue: search, show, info, update."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.state import use_json
from egov_cli.domain.reference import (
    ReferenceEntry,
    reference_detail,
    reference_info,
    scope_label,
    search_reference,
    update_reference,
)
from egov_cli.i18n import N_, _, ngettext
from egov_cli.values.display import number

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
            + ngettext("and {count} more note", "and {count} more notes", more).format(
                count=number(more)
            )
        )


@reference_app.command("search")
def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar=N_("TEXT"), help=N_("Words of the name, or the start of a LeiKa key.")
        ),
    ],
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=1, metavar=N_("NUMBER"), help=N_("At most this many.")),
    ] = 20,
    json: JsonOpt = False,
) -> None:
    """Search the reference by name (ignoring case and umlaut spelling) or by key.

    Exact and prefix matches come first. Does not need a catalogue.

    Example: egov reference search "gewerbe anmeldung" --limit 5
    """
    st = use_json(ctx, json)
    hits = search_reference(text, limit=None)
    shown = hits[:limit]
    if json:
        output.print_json(json_shapes.reference_search(hits, limit))
        return
    _entries_table(shown)
    found = ngettext(
        "{count} match in the reference catalogue",
        "{count} matches in the reference catalogue",
        len(hits),
    ).format(count=number(len(hits)))
    if len(hits) > len(shown):
        found += " " + _("(the first {count}; more with --limit)").format(count=number(len(shown)))
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
    key: Annotated[
        str, typer.Argument(metavar=N_("KEY"), help=N_("14-digit LeiKa key (spaces allowed)."))
    ],
    json: JsonOpt = False,
) -> None:
    """Explain a LeiKa key: its parts, the LeiKa type in words, OZG service, Themenfeld,
    Lebenslage and SDG flags.

    Example: egov reference show 99050012104000
    """
    use_json(ctx, json)
    detail = reference_detail(key)
    if json:
        output.print_json(json_shapes.reference_show(detail))
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
    use_json(ctx, json)
    found = reference_info()
    if json:
        output.print_json(json_shapes.reference_info(found))
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
    file: Annotated[
        str,
        typer.Argument(
            metavar=N_("FILE"),
            help=N_(
                "A reference CSV (the shipped columns), the FIM portal's LeiKa export "
                "(leika_leistungen_de.csv) or the OZG dashboard's data export (JSON or CSV)."
            ),
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Only check the file; change nothing."))
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Load a newer reference: a file with the columns of the shipped one replaces it; the FIM
    portal's LeiKa export and the federal OZG dashboard's data export are merged with it (newer
    names and keys taken, the OZG join kept where the file has none). Every problem is listed
    with row and column, and nothing changes unless the whole file is valid. Recorded with
    date and checksum in the catalogue.

    Example: egov reference update leika_leistungen_de.csv
    """
    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        result = update_reference(session, st.settings.actor, Path(file), dry_run=dry_run)
    if json:
        output.print_json(json_shapes.reference_update(result))
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
    if result.source_format != "reference":
        output.message(
            f"Mit dem bisherigen Referenzkatalog zusammengeführt: "
            f"{number(result.renamed_keys)} Bezeichnungen erneuert, "
            f"{number(result.joined_keys)} OZG-Zuordnungen ergänzt",
            quiet=st.quiet,
        )
    if not dry_run:
        output.message(_("Stored at {path}").format(path=result.stored_at), quiet=st.quiet)
