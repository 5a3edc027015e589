"""Helpers shared by the catalogue services: diffs, search text, looking records up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from egov_cli.core import history
from egov_cli.core.errors import NotFound
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import Department, Procedure
from egov_cli.i18n import _
from egov_cli.values.fold import fold, search_text


def service_search_text(values: Mapping[str, Any]) -> str:
    """What free-text search looks in (``text.search_text``): name, citizen name, LeiKa key,
    OZG name, notes."""
    return search_text(values)


def diff(record: object, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field -> (old, new) for every value that differs from the record's."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = (old, new)
    return changes


def apply_changes(
    session: Session,
    ctx: ChangeContext,
    entity: str,
    record: Department | Procedure,
    values: Mapping[str, Any],
) -> dict[str, tuple[Any, Any]]:
    """Sets ``values`` on ``record`` where they differ and records each change in the history
    (keyed by the record's code or name); returns field -> (old, new)."""
    changes = diff(record, values)
    for name, (_old, new) in changes.items():
        setattr(record, name, new)
    if changes:
        record.updated_at = ctx.at
        session.add(record)
        session.flush()
        assert record.id is not None
        key = record.code if isinstance(record, Department) else record.name
        history.insert_records(session, history.updated(ctx, entity, record.id, key, changes))
    return changes


def department_by_code(session: Session, code: str) -> Department:
    """A department by its code, or by its name (ignoring case and umlaut spelling)."""
    found = session.exec(select(Department).where(Department.code == code)).first()
    if found is None:
        wanted = fold(code)
        found = next(
            (
                d
                for d in session.exec(select(Department)).all()
                if wanted in (fold(d.code), fold(d.name))
            ),
            None,
        )
    if found is None:
        codes = ", ".join(d.code for d in session.exec(select(Department)).all()) or "none yet"
        raise NotFound(
            _("No department {code!r}.").format(code=code),
            _("Known departments: {codes}. Add one with 'egov departments add CODE NAME'.").format(
                codes=codes
            ),
        )
    return found


def procedure_by_name(session: Session, name: str) -> Procedure:
    found = session.exec(select(Procedure).where(Procedure.name == name)).first()
    if found is None:
        wanted = fold(name)
        found = next(
            (p for p in session.exec(select(Procedure)).all() if fold(p.name) == wanted), None
        )
    if found is None:
        raise NotFound(
            _("No online service {name!r}.").format(name=name),
            _("List them with 'egov procedures list'; add one with 'egov procedures add NAME'."),
        )
    return found
