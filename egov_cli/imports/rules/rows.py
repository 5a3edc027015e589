"""Rules on rows: which rows are planned at all and which service each one is.

Skipped rows: a row that repeats an earlier row exactly is skipped with a note (total and
summary rows are skipped while reading, see ``reading.parse``).

Duplicates: a LeiKa key, an ID, or (without key and ID) a name that appears in two rows
rejects both rows; so does a service that two rows match. Modes: ``insert`` rejects rows of
existing services, ``update`` rows of unknown ones.
"""

from __future__ import annotations

from typing import Any

from egov_cli.i18n import _, ngettext
from egov_cli.imports.rules.shared import PlannerState
from egov_cli.values.fold import fold


class RowRules(PlannerState):
    """Skipped rows, values twice in a file, rows matched to services."""

    def _skip_rows(
        self, values: dict[str, list[Any]], numbers: list[int]
    ) -> tuple[dict[str, list[Any]], list[int]]:
        """The rows to plan: repeats of an identical earlier row are skipped, each with a note
        (total rows are skipped while reading, see ``reading.parse``)."""
        count = len(numbers)
        skipped: dict[int, str] = {}  # position -> note
        names = values.get("name")
        keys = values.get("leika_key")
        repeated = keys if keys is not None else names
        if repeated is not None:
            present = [v for v in repeated if v is not None]
            if len(set(present)) < len(present):  # only then can two rows be the same
                columns = list(values.values())
                first: dict[tuple[Any, ...], int] = {}
                for p in range(count):
                    row = tuple(column[p] for column in columns)
                    if row in first:
                        skipped[p] = _(
                            "row {row}: imported once: it repeats row {first} exactly."
                        ).format(row=numbers[p], first=numbers[first[row]])
                    else:
                        first[row] = p
        if not skipped:
            return values, numbers
        for p in sorted(skipped):
            self.warnings.append(skipped[p])
        keep = [p for p in range(count) if p not in skipped]
        return (
            {name: [column[p] for p in keep] for name, column in values.items()},
            [numbers[p] for p in keep],
        )

    def _duplicates(
        self,
        numbers: list[int],
        column: list[Any] | None,
        name: str,
        label: str,
        *,
        folded: bool = False,
    ) -> None:
        if column is None:
            return
        present = [v for v in column if v is not None]
        if folded:
            present = [fold(v) for v in present]
        if len(set(present)) == len(present):
            return  # the common case: no value twice
        seen: dict[Any, list[tuple[int, Any]]] = {}
        for number, value in zip(numbers, column, strict=True):
            if value is None:
                continue
            seen.setdefault(fold(value) if folded else value, []).append((number, value))
        for group in seen.values():
            if len(group) < 2:
                continue
            for number, value in group:
                others = [n for n, _v in group if n != number]
                self.problem(
                    number,
                    ngettext(
                        "{label} appears again in row {rows}",
                        "{label} appears again in rows {rows}",
                        len(others),
                    ).format(label=label, rows=", ".join(map(str, others))),
                    name,
                    value,
                    _("Each service may appear once in a file: merge the rows or delete one."),
                )

    def _match(
        self,
        numbers: list[int],
        keys: list[Any] | None,
        ids: list[Any] | None,
        names: list[Any] | None,
    ) -> tuple[list[int], list[int | None]]:
        """Positions of the rows that match (or may create) a service, and the service ids."""
        cat = self.cat
        by_key = cat.by_key
        known_ids = cat.position
        problems = self.problems
        mode = self.options.mode
        count = len(numbers)
        # The usual file: a key in every row and none twice (that would be a problem above),
        # so each row changes the service of its key or creates one.
        usual = ids is None and mode == "upsert" and not problems
        if usual and keys is not None and None not in keys:
            return list(range(count)), list(map(by_key.get, keys))
        matched: dict[int, int] = {}  # service id -> row
        positions: list[int] = []
        found: list[int | None] = []
        key_of = keys if keys is not None else [None] * count
        id_of = ids if ids is not None else [None] * count
        for position, number, key, sid in zip(range(count), numbers, key_of, id_of, strict=True):
            if number in problems:
                continue
            existing: int | None = None
            if key is not None:
                existing = by_key.get(key)
                if sid is not None and existing is not None and existing != sid:
                    self.problem(
                        number,
                        _(
                            "ID {id} does not match: LeiKa key {key} belongs to service {service}"
                        ).format(id=sid, key=key, service=existing),
                        "id",
                        sid,
                        _("Check the ID and the key; leave the ID empty to match on the key."),
                    )
                    continue
            if existing is None and sid is not None:
                if sid not in known_ids:
                    self.problem(
                        number,
                        _("no service with ID {id} in the catalogue").format(id=sid),
                        "id",
                        sid,
                        _("Leave the ID empty for new services; egov assigns IDs."),
                    )
                    continue
                existing = sid
            name = names[position] if names is not None else None
            if existing is None and key is None and sid is None and name:
                candidates = cat.keyless_by_name.get(fold(name), [])
                if len(candidates) > 1:
                    self.problem(
                        number,
                        _("several services without LeiKa key have this name (IDs {ids})").format(
                            ids=", ".join(map(str, candidates))
                        ),
                        "name",
                        name,
                        _("Add an ID column to say which one is meant."),
                    )
                    continue
                existing = candidates[0] if candidates else None
            if existing is not None:
                if existing in matched:
                    self.problem(
                        number,
                        _("service {service} is also changed by row {row}").format(
                            service=existing, row=matched[existing]
                        ),
                        "leika_key" if key else "id",
                        key or sid,
                        _("Each service may appear once in a file: merge the rows or delete one."),
                    )
                    continue
                matched[existing] = number
                if mode == "insert":
                    self.problem(
                        number,
                        _(
                            "service {service} exists already (--mode insert adds new services "
                            "only)"
                        ).format(service=existing),
                        "leika_key" if key else "id",
                        key or sid,
                        _("Use --mode upsert to change existing services, or remove the row."),
                    )
                    continue
            elif mode == "update":
                self.problem(
                    number,
                    _(
                        "no such service in the catalogue (--mode update changes existing "
                        "services only)"
                    ),
                    "leika_key" if key else "name",
                    key or name,
                    _("Use --mode upsert to add new services, or check the key."),
                )
                continue
            positions.append(position)
            found.append(existing)
        return positions, found
