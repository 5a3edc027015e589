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
from egov_cli.values.display import count, number

reference_app = typer.Typer(
    help="The federal OZG/LeiKa reference catalogue: search, show, update.\n\n"
    "Example: egov reference search gewerbe",
    no_args_is_help=True,
)


def _warn_all(warnings: list[str] | tuple[str, ...], limit: int = 20) -> None:
    for text in warnings[:limit]:
        output.warning(text)
    if len(warnings) > limit:
        output.warning(f"... und {len(warnings) - limit} weitere Hinweise")


@reference_app.command("search")
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words of the name, or the start of a LeiKa key.")],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="ZAHL", help="At most this many.")
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
    more = f" (die ersten {len(shown)}; mehr mit --limit)" if len(hits) > len(shown) else ""
    output.message(f"{len(hits)} Treffer im Referenzkatalog{more}", quiet=st.quiet)


def _entries_table(entries: list[ReferenceEntry]) -> None:
    output.table(
        [
            (e.key or "nicht im LeiKa", e.name, e.leika_type, e.ozg_id, e.ozg_name, e.topic)
            for e in entries
        ],
        ["LeiKa-Schlüssel", "Leistung", "LeiKa-Typ", "OZG-ID", "OZG-Leistung", "Themenfeld"],
    )


@reference_app.command("show")
def show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="14-digit LeiKa key (spaces allowed).")],
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
    pairs: list[tuple[str, Any]] = [("LeiKa-Schlüssel", e.key), ("Leistung", e.name)]
    for part in detail.parts:
        text = f"{part.value} - {part.meaning}" if part.meaning else part.value
        pairs.append((f"{part.label} (Stellen {part.digits})", text))
    pairs += [
        ("LeiKa-Typ", detail.type_text if e.leika_type else "-"),
        ("Vollzug durch die Kommune", scope_label(detail.scope) or "nein (laut Typ)"),
        ("OZG-ID", e.ozg_id),
        ("OZG-Leistung", e.ozg_name),
        ("Themenfeld", e.topic),
        ("Lebenslage", e.life_event),
        ("SDG Anhang I", e.sdg_annex1),
        ("SDG Anhang II", e.sdg_annex2),
        ("Rechtsgrundlage", e.law),
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
            ("Quelle", "aktualisiert" if found.source == "updated" else "mitgeliefert"),
            ("Datei", found.path),
            ("SHA-256", found.sha256),
            ("Zeilen", found.rows),
            ("LeiKa-Schlüssel", found.keys),
            ("ohne LeiKa-Schlüssel", found.without_key),
            ("OZG-Leistungen", found.ozg_services),
            ("Hinweise", len(found.warnings)),
        ],
        title="Referenzkatalog",
    )
    _warn_all(found.warnings)


@reference_app.command("update")
def update(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="A reference CSV (the shipped columns), the FIM portal's LeiKa export "
            "(leika_leistungen_de.csv) or the OZG dashboard's data export (JSON or CSV)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check the file; change nothing.")
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
    verb = "Geprüft (--dry-run: nichts geändert)" if dry_run else "Geladen"
    output.message(
        f"{verb}: {result.file_name} mit {count(result.rows, 'Zeile', 'Zeilen')} "
        f"({number(result.keys)} LeiKa-Schlüssel; {number(result.added_keys)} neu, "
        f"{number(result.removed_keys)} entfallen), SHA-256 {result.sha256}",
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
        output.message(f"Gespeichert unter {result.stored_at}", quiet=st.quiet)
