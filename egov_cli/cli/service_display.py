"""How services look on the terminal: the list, every field of one service, what a change
changed, and the history's values shortened to a line."""

from __future__ import annotations

from typing import Any

from egov_cli.cli import json_shapes, output
from egov_cli.cli.state import State
from egov_cli.core.schema import BY_FIELD
from egov_cli.domain.catalogue import ServiceChange, ServiceView
from egov_cli.domain.scale import Scale
from egov_cli.values.vocab import ADDRESSEES, STATUSES, label_of


def services_table(rows: list[ServiceView], scale: Scale) -> None:
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
        ["ID", "LeiKa-Schlüssel", "Leistung", "Amt", "Reifegrad", "Status", "Online-Dienst"],
    )


def show_service(found: ServiceView, scale: Scale) -> None:
    pairs: list[tuple[str, Any]] = []
    for name, value in found.as_dict().items():
        label = (
            BY_FIELD[name].de
            if name in BY_FIELD
            else {"created_at": "Angelegt", "updated_at": "Geändert"}.get(name, name)
        )
        if name in ("level", "target_level") and value is not None:
            value = f"{value} {scale.label(value)}"
        elif name == "status":
            value = label_of(STATUSES, value)
        elif name == "addressee":
            value = label_of(ADDRESSEES, value)
        pairs.append((label, value))
    output.key_values(pairs, title=found.name)


def report_change(st: State, verb: str, change: ServiceChange, json: bool) -> None:
    for warning in change.warnings:
        output.warning(warning)
    if json:
        output.print_json(json_shapes.service_change(change))
        return
    s = change.service
    if not change.changes:
        output.message(f"Keine Änderung: {s.leika_key or '#' + str(s.id)} {s.name}", quiet=st.quiet)
        return
    output.message(f"{verb}: {s.leika_key or '#' + str(s.id)} {s.name} (ID {s.id})", quiet=st.quiet)
    for name, (old, new) in change.changes.items():
        output.message(
            f"  {_field_label(name)}: {_shown(name, old) or '-'} -> {_shown(name, new) or '-'}",
            quiet=st.quiet,
        )


def _field_label(name: str) -> str:
    return BY_FIELD[name].de if name in BY_FIELD else name


def _shown(name: str, value: Any) -> str:
    """A field value as people read it: status and addressee by their German labels."""
    if name == "status" and isinstance(value, str):
        return label_of(STATUSES, value)
    if name == "addressee" and isinstance(value, str):
        return label_of(ADDRESSEES, value)
    return output.cell(value)


def short(value: str | None, limit: int = 60) -> str:
    if value is None:
        return ""
    return value if len(value) <= limit else value[: limit - 1] + "…"
