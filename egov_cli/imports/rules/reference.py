"""Rules on the federal reference catalogue: keys found by name, fields filled from a key.

Keys from names: a row without key and ID whose name is the name of exactly one entry of the
reference catalogue (case and umlaut spelling aside) gets its key, reported; similar names are
suggested (for the first rows), never applied. A key found by name fills no other field from the
reference: the officer checks it first (the next import with the key fills them).

Blank cells: a blank cell in a column the file has clears that field of an existing service (a
department that empties a cell means it); a column the file does not have leaves the field
alone. Exceptions: the reference fields (name, LeiKa type, OZG id and name, Themenfeld,
Lebenslage, SDG Annex II) left blank are filled from the federal reference catalogue where the
LeiKa key is in it; a blank name, level, status or SDG flag (fields a service always has) keeps
the existing service's value, and a new service gets the defaults (level 0, status planned, not
in SDG Annex II; a new service needs a name). Blank cells of online-procedure details and of the
department name say nothing (the procedure or department is shared with other services).

Keys not in the reference and values the reference corrects are warned about, summarised.
"""

from __future__ import annotations

from typing import Any

from egov_cli.domain.reference import fill_from_reference, load_reference, match_name
from egov_cli.i18n import _, ngettext
from egov_cli.imports.rules.shared import (
    ABSENT,
    ALWAYS_SET,
    REFERENCE_FIELDS,
    SUGGESTED_ROWS,
    WARNING_EXAMPLES,
    Plan,
    PlannerState,
)
from egov_cli.values.display import number
from egov_cli.values.fold import fold


class ReferenceRules(PlannerState):
    """Keys found by name, reference fields filled, reference warnings summarised."""

    def _keys_from_names(
        self, values: dict[str, list[Any]], numbers: list[int]
    ) -> dict[str, list[Any]]:
        """Rows without key and ID whose name is the name of exactly one reference entry get
        its key (reported as filled; it fills the reference fields as a key in the file does);
        close names are suggested, never applied. A name the
        catalogue has as a service without key stays that service's."""
        names = values.get("name")
        if names is None:
            return values
        keys = values.get("leika_key")
        ids = values.get("id")
        keyless = [
            p
            for p, name in enumerate(names)
            if name
            and (keys is None or keys[p] is None)
            and (ids is None or ids[p] is None)
            and fold(name) not in self.cat.keyless_by_name
        ]
        if not keyless:
            return values
        reference = load_reference()
        by_name = reference.positions_by_name()
        in_file = set(keys or ()) - {None}
        filled: list[Any] = list(keys) if keys is not None else [None] * len(numbers)
        done: list[str] = []
        close: list[tuple[int, str]] = []
        for p in keyless:
            same = by_name.get(fold(names[p]), [])
            entry = reference.entries[same[0]] if len(same) == 1 else None
            if entry is not None and entry.key and entry.key not in in_file:
                filled[p] = entry.key
                in_file.add(entry.key)
                done.append(
                    _("row {row}: {name!r} -> {key} ({reference})").format(
                        row=numbers[p], name=names[p], key=entry.key, reference=entry.name
                    )
                )
            elif len(close) < SUGGESTED_ROWS:
                close.append((p, names[p]))
        for p, name in close:
            suggestions = match_name(name, reference).suggestions
            if suggestions:
                shown = "; ".join(
                    f"{s.entry.name} ({s.entry.key or _('no LeiKa key')})" for s in suggestions
                )
                self.warnings.append(
                    _(
                        "row {row}: {name!r} has no LeiKa key; the reference has similar names: "
                        "{names}. Add the key if one of them is meant."
                    ).format(row=numbers[p], name=name, names=shown)
                )
        if done:
            self.warnings.append(
                ngettext(
                    "{count} LeiKa key filled from the reference by name: {rows}",
                    "{count} LeiKa keys filled from the reference by name: {rows}",
                    len(done),
                ).format(count=number(len(done)), rows=", ".join(done[:WARNING_EXAMPLES]))
                + (" ..." if len(done) > WARNING_EXAMPLES else "")
            )
            values = {**values, "leika_key": filled}
        return values

    def _summarise_warnings(self) -> None:
        """Reference warnings, summarised: a count and the first few rows, not one per row."""
        missing = self.not_in_reference
        if missing:
            shown = ", ".join(
                _("row {row}: {key}").format(row=row, key=key)
                for row, key in missing[:WARNING_EXAMPLES]
            )
            more = " ..." if len(missing) > WARNING_EXAMPLES else ""
            self.warnings.append(
                ngettext(
                    "{count} row has a LeiKa key that is not in the reference catalogue ({rows}); "
                    "the service is kept as given (local services and newer keys exist). Check "
                    "the key with 'egov reference search'.",
                    "{count} rows have a LeiKa key that is not in the reference catalogue "
                    "({rows}); the services are kept as given (local services and newer keys "
                    "exist). Check the keys with 'egov reference search'.",
                    len(missing),
                ).format(count=number(len(missing)), rows=shown + more)
            )
        notes = self.reference_notes
        for row, note in notes[:WARNING_EXAMPLES]:
            self.warnings.append(_("row {row}: {note}").format(row=row, note=note))
        if len(notes) > WARNING_EXAMPLES:
            more_notes = len(notes) - WARNING_EXAMPLES
            self.warnings.append(
                ngettext(
                    "... and {count} more such warning about values taken from the reference "
                    "catalogue.",
                    "... and {count} more such warnings about values taken from the reference "
                    "catalogue.",
                    more_notes,
                ).format(count=number(more_notes))
            )

    def _fill(self, plan: Plan) -> None:
        """Blank and missing reference fields filled from the LeiKa key; blank cells of fields
        every service has left alone (the current value, or the default, stays).

        A blank reference cell takes the reference's value (an existing service's value too);
        a reference field the file has no column for is filled only where the catalogue has
        nothing.
        """
        values = plan.values
        keys = values.get("leika_key")
        if keys is not None:
            reference = self._reference
            numbers = plan.numbers
            missing = [i for i, key in enumerate(keys) if key is not None and key not in reference]
            self.not_in_reference.extend((numbers[i], keys[i]) for i in missing)
            known = [i for i, key in enumerate(keys) if key is not None and key in reference]
            if known and self._all_reference_columns:
                reference_columns = [values[f] for f in REFERENCE_FIELDS]
                known = [i for i in known if any(c[i] is None for c in reference_columns)]
            copied: set[str] = set()
            known_fields = self.cat.fields
            for i in known:
                row = {f: c[i] for f, c in values.items() if c[i] is not ABSENT}
                filled, warnings = fill_from_reference(row)
                self.reference_notes.extend((numbers[i], warning) for warning in warnings)
                added = {
                    k: v for k, v in filled.items() if row.get(k) is None and v not in (None, "")
                }
                existing = plan.existing[i]
                if added and existing is not None:
                    added = {
                        k: v
                        for k, v in added.items()
                        if k in row
                        or (k in known_fields and self.cat.value(existing, k) in (None, ""))
                    }
                for k, v in added.items():
                    if k not in values:
                        values[k] = [ABSENT] * len(numbers)
                    elif k not in copied:
                        values[k] = list(values[k])  # the file's column stays as read
                    copied.add(k)
                    values[k][i] = v
        for name in ALWAYS_SET:
            column = values.get(name)
            if column is not None and None in column:
                values[name] = [ABSENT if v is None else v for v in column]
