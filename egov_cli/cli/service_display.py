"""How services look on the terminal: the list, every field of one service, what a change
changed, and the history's values shortened to a line."""

from __future__ import annotations

from typing import Any

from egov_cli.cli import json_shapes, output
from egov_cli.cli.state import State
from egov_cli.core.schema import BY_FIELD, PROCEDURE_ATTRIBUTES
from egov_cli.domain.catalogue import ServiceChange, ServiceView
from egov_cli.domain.scale import Scale
from egov_cli.i18n import N_, _, language
from egov_cli.values.vocab import STATUSES, label_of


def services_table(rows: list[ServiceView], scale: Scale) -> None:
    lang = language()
    output.table(
        [
            (
                r.id,
                r.leika_key,
                r.name,
                r.department,
                f"{r.level} {scale.name_of(r.level, lang)}",
                label_of(STATUSES, r.status, lang),
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
        whole=(0, 1),
    )


#: The labels of a service's fields that are not columns of the spreadsheets.
_RECORD_LABELS = {"created_at": N_("Added on"), "updated_at": N_("Changed on")}


def field_label(name: str) -> str:
    """A service field's name as people read it, in the run's language."""
    if name in BY_FIELD:
        return BY_FIELD[name].header(language())
    return _(_RECORD_LABELS[name]) if name in _RECORD_LABELS else name


def show_service(found: ServiceView, scale: Scale) -> None:
    lang = language()
    pairs: list[tuple[str, Any]] = []
    for name, value in found.as_dict().items():
        if name in PROCEDURE_ATTRIBUTES and value is None:
            continue  # an online-service detail the service does not state
        if name in ("level", "target_level") and value is not None:
            value = f"{value} {scale.name_of(value, lang)}"
        elif name in BY_FIELD and BY_FIELD[name].terms:
            value = _shown(name, value)
        pairs.append((field_label(name), value))
    output.key_values(pairs, title=found.name)


def report_change(st: State, done: str, change: ServiceChange, json: bool) -> None:
    """What a change did: ``done`` (a message with ``{service}`` and ``{id}``), then each field
    changed with its old and new value."""
    for warning in change.warnings:
        output.warning(warning)
    if json:
        output.print_json(json_shapes.service_change(change))
        return
    s = change.service
    named = f"{s.leika_key or '#' + str(s.id)} {s.name}"
    if not change.changes:
        output.message(_("No change: {service}").format(service=named), quiet=st.quiet)
        return
    output.message(done.format(service=named, id=s.id), quiet=st.quiet)
    for name, (old, new) in change.changes.items():
        output.message("  " + changed_field(name, old, new), quiet=st.quiet)


def changed_field(name: str, old: Any, new: Any) -> str:
    """A changed field as people read it: ``Reifegrad: 3 -> 4``, ``Status: geplant -> live``."""
    return f"{field_label(name)}: {_shown(name, old) or '-'} -> {_shown(name, new) or '-'}"


def _shown(name: str, value: Any) -> str:
    """A field value as people read it: a code of a field of terms (status, addressee …) by its
    label in the run's language, as the column schema lists them."""
    terms = BY_FIELD[name].terms if name in BY_FIELD else None
    if terms and isinstance(value, str):
        return label_of(terms, value, language())
    return output.cell(value)


def history_headers() -> list[str]:
    """The headers of ``services history``."""
    return [_("Time"), _("Who"), _("Source"), _("Action"), _("Field"), _("Old"), _("New")]


def short(value: str | None, limit: int = 60) -> str:
    if value is None:
        return ""
    return value if len(value) <= limit else value[: limit - 1] + "…"
