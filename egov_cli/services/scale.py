"""The maturity scale: levels as data, with an online threshold."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from sqlmodel import Session, select

from egov_cli.errors import ValidationError
from egov_cli.i18n import _
from egov_cli.models import MaturityLevel, Setting
from egov_cli.resources import catalogue_file
from egov_cli.text import fold


@dataclass(frozen=True)
class Level:
    level: int
    label: str
    description: str
    online: bool


@dataclass(frozen=True)
class Scale:
    name: str
    levels: tuple[Level, ...]

    @property
    def numbers(self) -> list[int]:
        return [lv.level for lv in self.levels]

    @property
    def online_threshold(self) -> int | None:
        """The lowest level that counts as online (None where no level does)."""
        online = [lv.level for lv in self.levels if lv.online]
        return min(online) if online else None

    def label(self, level: int | None) -> str:
        for lv in self.levels:
            if lv.level == level:
                return lv.label
        return "" if level is None else str(level)

    def check(self, level: int, field: str = "level") -> int:
        if level not in self.numbers:
            raise ValidationError(
                _("{field} {level} is not on the maturity scale {scale!r}.").format(
                    field=field, level=level, scale=self.name
                ),
                _("Use one of {levels}.").format(
                    levels=", ".join(f"{lv.level} ({lv.label})" for lv in self.levels)
                ),
            )
        return level

    def parse(self, text: object, field: str = "level") -> int:
        """A level from ``3``, ``3.0``, ``3 - Online-Leistung`` or ``Online-Leistung``."""
        raw = str(text).strip()
        head = raw.split("-", 1)[0].split(" ", 1)[0].strip().rstrip(".").replace(",", ".")
        number: int | None = None
        try:
            as_float = float(head)
            if as_float.is_integer():
                number = int(as_float)
        except ValueError:
            number = None
        if number is None:
            wanted = fold(raw)
            number = next((lv.level for lv in self.levels if fold(lv.label) == wanted), None)
        if number is None:
            raise ValidationError(
                _("{field} {value!r} is not a level of the maturity scale {scale!r}.").format(
                    field=field, value=raw, scale=self.name
                ),
                _("Use a number or label: {levels}.").format(
                    levels=", ".join(f"{lv.level} {lv.label}" for lv in self.levels)
                ),
            )
        return self.check(number, field)


def presets() -> dict[str, Scale]:
    data = tomllib.loads(catalogue_file("maturity_scales.toml").read_text("utf-8"))
    return {
        name: Scale(name, tuple(Level(**lv) for lv in scale["levels"]))
        for name, scale in data["scales"].items()
    }


def default_preset_name() -> str:
    data = tomllib.loads(catalogue_file("maturity_scales.toml").read_text("utf-8"))
    return str(data["default"])


def seed_default_scale(session: Session) -> Scale:
    scale = presets()[default_preset_name()]
    for lv in scale.levels:
        session.add(MaturityLevel(**lv.__dict__))
    session.add(Setting(key="scale", value=scale.name))
    session.flush()
    return scale


def load_scale(session: Session) -> Scale:
    """The scale the catalogue uses."""
    rows = session.exec(select(MaturityLevel).order_by(MaturityLevel.level)).all()  # type: ignore[arg-type]
    name = session.get(Setting, "scale")
    return Scale(
        name.value if name else "custom",
        tuple(Level(r.level, r.label, r.description, r.online) for r in rows),
    )
