"""The maturity scale: levels as data, with an online threshold."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session, select

from egov_cli.core.errors import ValidationError, shown_value
from egov_cli.core.models import MaturityLevel, Setting
from egov_cli.core.resources import catalogue_file
from egov_cli.i18n import _, language
from egov_cli.values.fold import fold


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

    def name_of(self, level: int | None, lang: str | None = None) -> str:
        """The level's name for people reading ``lang`` (default: the run's language): in
        English, a level named as in a shipped scale gets that scale's English name; a
        catalogue's own label stays as it is (it is the city's word, not the program's)."""
        label = self.label(level)
        if (lang or language()) == "de":
            return label
        return _english_names().get(label, label)

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
        """A level from ``3``, ``3.0``, ``3 - Online-Leistung``, ``Online-Leistung`` or its
        English name (``Online service``)."""
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
            number = next(
                (
                    lv.level
                    for lv in self.levels
                    if wanted in (fold(lv.label), fold(self.name_of(lv.level, "en")))
                ),
                None,
            )
        if number is None:
            raise ValidationError(
                _("{field} {value} is not a level of the maturity scale {scale!r}.").format(
                    field=field, value=shown_value(raw), scale=self.name
                ),
                _("Use a number or label: {levels}.").format(
                    levels=", ".join(f"{lv.level} {lv.label}" for lv in self.levels)
                ),
            )
        return self.check(number, field)


@cache
def _preset_data() -> dict[str, Any]:
    return tomllib.loads(catalogue_file("maturity_scales.toml").read_text("utf-8"))


def presets() -> dict[str, Scale]:
    return {
        name: Scale(
            name,
            tuple(
                Level(**{k: v for k, v in lv.items() if k != "label_en"}) for lv in scale["levels"]
            ),
        )
        for name, scale in _preset_data()["scales"].items()
    }


def level_names(scale: Scale) -> dict[int, tuple[str, str]]:
    """Level -> its name in German and English, for reports in either language.

    A level named as in a preset scale gets the preset's English name; a catalogue's own
    label stays as it is in both languages (it is the city's word, not the program's).
    """
    english = _english_names()
    return {lv.level: (lv.label, english.get(lv.label, lv.label)) for lv in scale.levels}


@cache
def _english_names() -> dict[str, str]:
    """A shipped scale's level label -> its English name."""
    return {
        lv["label"]: lv.get("label_en", lv["label"])
        for scale_data in _preset_data()["scales"].values()
        for lv in scale_data["levels"]
    }


def default_preset_name() -> str:
    return str(_preset_data()["default"])


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
