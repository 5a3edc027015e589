"""What ``egov import FILE`` prints: the summary of an import and its column map.

:func:`summary` shows the counts, new departments and online services, the changes of a dry
run, the column map (:func:`column_map`: each column, the field it became and why), the
warnings and the rows not imported, each list cut at :data:`MAX_SHOWN` (all of it: ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.cli import output
from egov_cli.cli.state import State
from egov_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from egov_cli.imports import ImportResult

MAX_SHOWN = 200


def column_map(entries: list[dict[str, Any]], *, quiet: bool = False) -> None:
    """Each column of the file -> the field it is imported as and why; each column not
    imported with the --map that would take it. ``entries``: the column map as ``--json`` has
    it (an import's, or a stopped import's error's)."""
    if not entries:
        return
    from egov_cli.imports.reading.header_names import map_hint_text, reason_text
    from egov_cli.imports.reading.headers import field_label
    from egov_cli.values.display import percent

    output.message(_("Columns:"), quiet=quiet)
    for column in entries:
        reason = reason_text(column["reason"])
        if column["field"] is not None:
            confidence = column["confidence"]
            sure = "" if confidence >= 1 else f", {percent(confidence, 0)}"
            field = field_label(column["field"])  # its heading in the run's language (id)
            output.message(f"  {column['header']} -> {field} – {reason}{sure}", quiet=quiet)
        else:
            output.message(
                "  "
                + _("{header}: not imported ({reason}); {hint}").format(
                    header=column["header"],
                    reason=reason,
                    hint=map_hint_text(column["header"], tuple(column["candidates"])),
                ),
                quiet=quiet,
            )


def summary(st: State, result: ImportResult, rejects: Path | None) -> None:
    from egov_cli.cli.service_display import changed_field
    from egov_cli.imports.result import column_map_json
    from egov_cli.values.display import number

    where = result.file_name
    if result.sheet:
        where += ", " + _("sheet {sheet!r}").format(sheet=result.sheet)
    head = (
        _("Dry run (nothing written)")
        if result.dry_run
        else _("Import {id}").format(id=result.import_id)
    )
    output.plain(
        _("{head}: {where}, header row {row}, mode {mode}").format(
            head=head, where=where, row=result.header_row, mode=result.mode
        )
    )
    counts = "  " + _(
        "new: {created}, changed: {changed}, unchanged: {unchanged}, rejected: {rejected}"
    ).format(
        created=number(result.created),
        changed=number(result.changed),
        unchanged=number(result.unchanged),
        rejected=number(result.rejected),
    )
    n = result.rejected
    if n:
        if result.dry_run:
            note = ngettext(
                "{count} row would not be imported", "{count} rows would not be imported", n
            )
        elif rejects is not None:
            note = ngettext(
                "{count} row not imported, written with an error column to {file}",
                "{count} rows not imported, written with an error column to {file}",
                n,
            )
        else:
            note = ngettext(
                "{count} row not imported; --rejects FILE.xlsx keeps it",
                "{count} rows not imported; --rejects FILE.xlsx keeps them",
                n,
            )
        note = note.format(count=number(n), file=rejects)
        if result.rejects_csv and not result.dry_run:
            note += "; " + _("complete, long cells included, in {file}").format(
                file=result.rejects_csv
            )
        counts += f" ({note})"
    output.plain(counts)
    if result.new_departments:
        output.plain(
            "  " + _("new departments: {names}").format(names=_some(result.new_departments))
        )
    if result.new_procedures:
        output.plain(
            "  " + _("new online services: {names}").format(names=_some(result.new_procedures))
        )
    if result.changed_procedures:
        from egov_cli.core.schema import PROCEDURE_ATTRIBUTES

        column_of = {attribute: column for column, attribute in PROCEDURE_ATTRIBUTES.items()}
        for change in result.changed_procedures:
            for name, (old, new) in change.changes.items():
                output.plain(
                    "  "
                    + _("Online service {name}: {change}").format(
                        name=change.name, change=changed_field(column_of.get(name, name), old, new)
                    )
                )
    if result.dry_run:
        for diff in result.changes[:MAX_SHOWN]:
            output.plain(
                "  "
                + _("row {row}: {service}").format(
                    row=diff.row, service=f"{diff.leika_key or '#' + str(diff.id)} {diff.name}"
                )
            )
            for name, (old, new) in diff.changes.items():
                output.plain("      " + changed_field(name, old, new))
        if len(result.changes) > MAX_SHOWN:
            more = len(result.changes) - MAX_SHOWN
            output.plain(
                "  ... "
                + ngettext(
                    "and {count} more changed service (all: --json)",
                    "and {count} more changed services (all: --json)",
                    more,
                ).format(count=number(more))
            )
    column_map(column_map_json(result.column_map), quiet=st.quiet)
    if result.unknown_headers:
        from egov_cli.core.errors import SHOWN_CHARS, shown_value

        unknown = [h if len(h) <= SHOWN_CHARS else shown_value(h) for h in result.unknown_headers]
        output.message(
            _("Columns not recognised (ignored): {names}").format(names=_some(unknown, MAX_SHOWN)),
            quiet=st.quiet,
        )
    for warning in result.warnings[:MAX_SHOWN]:
        output.warning(warning)
    if len(result.warnings) > MAX_SHOWN:
        more = len(result.warnings) - MAX_SHOWN
        output.warning(
            "... "
            + ngettext(
                "and {count} more warning (all: --json)",
                "and {count} more warnings (all: --json)",
                more,
            ).format(count=number(more))
        )
    if result.rejected_rows:
        n = result.rejected
        if result.dry_run:
            line = ngettext(
                "{count} row would not be imported:", "{count} rows would not be imported:", n
            )
        else:
            line = ngettext("{count} row was not imported:", "{count} rows were not imported:", n)
        output.warning(line.format(count=number(n)))
        shown = 0
        for row in result.rejected_rows:
            for problem in row.problems:
                if shown < MAX_SHOWN:
                    output.message(f"  - {problem}")
                shown += 1
        if shown > MAX_SHOWN:
            more = shown - MAX_SHOWN
            output.message(
                "  ... "
                + ngettext(
                    "and {count} more problem (all: --json)",
                    "and {count} more problems (all: --json)",
                    more,
                ).format(count=number(more))
            )
        if rejects is not None and not result.dry_run:
            output.message(
                _("Rejected rows with an error column: {file}").format(file=rejects),
                quiet=st.quiet,
            )


#: Names a summary line lists before it counts the rest (--json lists them all).
SHOWN_NAMES = 20


def _some(names: list[str], limit: int = SHOWN_NAMES) -> str:
    """The first ``limit`` names, then how many more: a workbook that gives 30,000 services an
    online service of their own is summarised in one line."""
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    if rest <= 0:
        return shown
    from egov_cli.values.display import number

    return shown + " " + _("and {count} more").format(count=number(rest))
