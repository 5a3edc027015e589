"""Import profiles: how a sender's workbook is read, saved under a name in the catalogue.

A department sends the same workbook every month. ``egov import FILE --save-profile NAME``
keeps what it took to read it (column map, value maps, sheet, header row, base URL for
relative links); ``egov import FILE --profile NAME`` applies it again. Profiles are catalogue
data like any other: saving, replacing and removing one is recorded in the change history
(entity ``profile``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from egov_cli.core import history
from egov_cli.core.errors import NotFound, ValidationError, shown_value
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ImportProfile
from egov_cli.i18n import _

#: The version of the settings' JSON shape stored in ``import_profile.settings``.
SETTINGS_VERSION = 1
NAME_MAX = 64


@dataclass(frozen=True)
class Profile:
    """What it takes to read one sender's workbook."""

    name: str
    mapping: dict[str, str] = field(default_factory=dict)  # file header -> field ("-": ignore)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> word -> term
    sheet: str | None = None
    header_row: int | None = None
    base_url: str | None = None
    updated_at: datetime | None = None

    def settings(self) -> dict[str, Any]:
        """The profile's settings as stored (and shown by ``--json``)."""
        return {
            "version": SETTINGS_VERSION,
            "mapping": dict(self.mapping),
            "value_maps": {k: dict(v) for k, v in self.value_maps.items()},
            "sheet": self.sheet,
            "header_row": self.header_row,
            "base_url": self.base_url,
        }


def clean_name(name: str) -> str:
    """A profile name as stored: trimmed, 1 to 64 printable characters."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > NAME_MAX or not cleaned.isprintable():
        raise ValidationError(
            _("Profile name {name} must be 1 to {limit} printable characters.").format(
                name=shown_value(name), limit=NAME_MAX
            ),
            _("E.g. --save-profile amt32-monatlich."),
        )
    return cleaned


def _from_row(row: ImportProfile) -> Profile:
    data = json.loads(row.settings)
    return Profile(
        name=row.name,
        mapping=dict(data.get("mapping") or {}),
        value_maps={k: dict(v) for k, v in (data.get("value_maps") or {}).items()},
        sheet=data.get("sheet"),
        header_row=data.get("header_row"),
        base_url=data.get("base_url"),
        updated_at=row.updated_at,
    )


def _row(session: Session, name: str) -> ImportProfile | None:
    return session.exec(select(ImportProfile).where(ImportProfile.name == name)).first()


def list_profiles(session: Session) -> list[Profile]:
    rows = session.exec(select(ImportProfile).order_by(col(ImportProfile.name))).all()
    return [_from_row(r) for r in rows]


def get_profile(session: Session, name: str) -> Profile:
    row = _row(session, name.strip())
    if row is None:
        known = ", ".join(p.name for p in list_profiles(session)) or _("none yet")
        raise NotFound(
            _("There is no import profile {name}.").format(name=shown_value(name.strip())),
            _(
                "Saved profiles: {names}. Save one with 'egov import FILE --save-profile NAME'."
            ).format(names=known),
        )
    return _from_row(row)


def save_profile(session: Session, ctx: ChangeContext, profile: Profile) -> tuple[Profile, bool]:
    """Saves ``profile`` under its name, replacing one of that name; True where it was new."""
    name = clean_name(profile.name)
    text = json.dumps(profile.settings(), ensure_ascii=False, sort_keys=True)
    row = _row(session, name)
    if row is None:
        row = ImportProfile(name=name, settings=text, created_at=ctx.at, updated_at=ctx.at)
        session.add(row)
        session.flush()
        assert row.id is not None
        history.insert_records(
            session, [history.created(ctx, "profile", row.id, name, {"settings": text})]
        )
        return _from_row(row), True
    if row.settings != text:
        old = row.settings
        row.settings, row.updated_at = text, ctx.at
        session.add(row)
        session.flush()
        assert row.id is not None
        history.insert_records(
            session, history.updated(ctx, "profile", row.id, name, {"settings": (old, text)})
        )
    return _from_row(row), False


def remove_profile(session: Session, ctx: ChangeContext, name: str) -> Profile:
    profile = get_profile(session, name)
    row = _row(session, profile.name)
    assert row is not None
    assert row.id is not None
    history.insert_records(
        session, [history.deleted(ctx, "profile", row.id, row.name, {"settings": row.settings})]
    )
    session.delete(row)
    session.flush()
    return profile
