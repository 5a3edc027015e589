"""The entries of the reference and the loaded reference with its index by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egov_cli.values.fold import fold, search_fold


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One row of the reference: a LeiKa service (or an OZG service without a LeiKa key)."""

    row: int  # line in the file (the header is line 1)
    key: str | None  # 14 digits; None for "nicht im LeiKa"
    name: str
    leika_type: str | None
    ozg_id: str | None
    ozg_name: str | None
    life_event: str | None
    topic: str | None
    sdg_annex1: bool
    sdg_annex2: bool
    law: str | None

    @property
    def is_object(self) -> bool:
        """A bare Leistungsobjekt (digits 9-14 are 000000)."""
        return self.key is not None and self.key.endswith("000000")

    @property
    def object_id(self) -> str | None:
        """The Leistungsobjekt-ID (digits 1-8)."""
        return self.key[:8] if self.key else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "leika_key": self.key,
            "name": self.name,
            "leika_type": self.leika_type,
            "ozg_id": self.ozg_id,
            "ozg_name": self.ozg_name,
            "topic": self.topic,
            "life_event": self.life_event,
            "sdg_annex1": self.sdg_annex1,
            "sdg_annex2": self.sdg_annex2,
            "law": self.law,
        }


@dataclass
class Reference:
    """The loaded reference: its entries, an index by key, where it came from, its oddities."""

    source: str  # "shipped" or "updated"
    path: Path
    sha256: str
    entries: tuple[ReferenceEntry, ...]
    by_key: dict[str, ReferenceEntry]
    warnings: tuple[str, ...]
    _folded: list[tuple[str, str]] | None = field(default=None, repr=False)
    _by_name: dict[str, list[int]] | None = field(default=None, repr=False)

    def get(self, key: str | None) -> ReferenceEntry | None:
        return self.by_key.get(key) if key else None

    def folded(self) -> list[tuple[str, str]]:
        """(folded name, folded OZG name) per entry, for search; computed on first use."""
        if self._folded is None:
            self._folded = [
                (" ".join(search_fold(e.name).split()), search_fold(e.ozg_name or ""))
                for e in self.entries
            ]
        return self._folded

    def positions_by_name(self) -> dict[str, list[int]]:
        """Positions of the entries by name folded for matching (case, spacing, punctuation
        and umlaut spelling aside); computed on first use."""
        if self._by_name is None:
            self._by_name = {}
            for i, entry in enumerate(self.entries):
                self._by_name.setdefault(fold(entry.name), []).append(i)
        return self._by_name

    def topics(self) -> list[str]:
        return sorted({e.topic for e in self.entries if e.topic})
