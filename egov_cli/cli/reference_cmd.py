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

if TYPE_CHECKING:
    from egov_cli.domain.reference import ReferenceEntry


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
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 20,
    json: JsonOpt = False,
) -> None:
    """Search the reference by name (ignoring case and umlaut spelling) or by key.

    Exact and prefix matches come first. Does not need a catalogue.

    Example: egov reference search "gewerbe anmeldung" --limit 5
    """
    from egov_cli.domain.reference import search_reference

    st = use_json(ctx, json)
    hits = search_reference(text, limit=None)
    shown = hits[:limit]
    if json:
        output.print_json([e.as_dict() for e in shown])
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
    from egov_cli.domain.reference import reference_detail, scope_label

    use_json(ctx, json)
    detail = reference_detail(key)
    if json:
        output.print_json(detail.as_dict())
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
    from egov_cli.domain.reference import reference_info

    use_json(ctx, json)
    found = reference_info()
    if json:
        output.print_json(found)
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
    from pathlib import Path

    from egov_cli.domain.reference import update_reference
    from egov_cli.values.display import count, number

    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        result = update_reference(session, st.settings.actor, Path(file), dry_run=dry_run)
    if json:
        output.print_json(result)
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


@services_app.command("enrich")
def enrich(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Fill empty fields of services (name, LeiKa type, OZG ID and name, Themenfeld,
    Lebenslage, SDG Annex II) from the reference by their LeiKa key. Every change is recorded
    in the history.

    Example: egov services enrich --dry-run
    """
    from egov_cli.domain.reference import enrich_services

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
            ["ID", "LeiKa-Schlüssel", "Leistung", "Feld", "bisher", "neu"],
        )
    if result.not_in_reference:
        output.warning(
            f"{len(result.not_in_reference)} Schlüssel "
            f"{'steht' if len(result.not_in_reference) == 1 else 'stehen'} nicht im "
            "Referenzkatalog: "
            + ", ".join(result.not_in_reference[:10])
            + (" ..." if len(result.not_in_reference) > 10 else "")
        )
    verb = "würden ergänzt (--dry-run: nichts geändert)" if dry_run else "ergänzt"
    output.message(
        f"{len(result.services)} von {result.checked} Leistungen mit LeiKa-Schlüssel {verb} "
        f"({result.fields_changed} Felder)",
        quiet=st.quiet,
    )


TopicOpt = Annotated[str | None, typer.Option("--topic", help="Only this OZG Themenfeld.")]
TypesOpt = Annotated[
    str | None,
    typer.Option(
        "--leika-type",
        help="Only these LeiKa types, comma separated (e.g. 5 or 2b,5). Default: the types "
        "a municipality executes (2b, 3b, 4b, 5; and 2, 3, 2/3, 4, marked 'prüfen').",
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
