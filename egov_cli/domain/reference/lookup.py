"""Looking the reference up: search by words or key, a key explained, what is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egov_cli.core.errors import ValidationError, shown_value
from egov_cli.domain.reference.codes import describe_type, type_scope, unknown_type_parts
from egov_cli.domain.reference.entries import Reference, ReferenceEntry
from egov_cli.domain.reference.store import load_reference
from egov_cli.i18n import _
from egov_cli.values.fold import search_fold
from egov_cli.values.parse import parse_leika_key


def search_reference(
    text: str, *, limit: int | None = 20, reference: Reference | None = None
) -> list[ReferenceEntry]:
    """Entries matching ``text`` (ignoring case and umlaut spelling), best first.

    Ranking: exact name, name starting with the text, a word starting with it, all words in
    the name, then matches in the OZG service name only; shorter names first within a rank.
    Digits search keys by prefix (and OZG ids).
    """
    ref = reference or load_reference()
    query = " ".join(search_fold(text).split())
    if not query:
        raise ValidationError(
            _("Nothing to search for."), _("Give a word, e.g. egov reference search gewerbe.")
        )
    ranked: list[tuple[int, int, str, int]] = []
    digits = query.replace(" ", "")
    if digits.isdigit():
        for i, e in enumerate(ref.entries):
            if e.key and e.key.startswith(digits):
                ranked.append((0 if e.key == digits else 1, len(e.name), e.name, i))
            elif e.ozg_id == digits:
                ranked.append((2, len(e.name), e.name, i))
    else:
        words = query.split()
        for i, (name, ozg) in enumerate(ref.folded()):
            if all(w in name for w in words):
                if name == query:
                    rank = 0
                elif name.startswith(query):
                    rank = 1
                elif (" " + name).find(" " + query) >= 0:
                    rank = 2
                else:
                    rank = 3
            elif all(w in name or w in ozg for w in words):
                rank = 4
            else:
                continue
            entry = ref.entries[i]
            ranked.append((rank, len(entry.name), entry.name, i))
    ranked.sort()
    hits = [ref.entries[i] for *_, i in ranked]
    return hits[:limit] if limit is not None else hits


@dataclass(frozen=True)
class KeyPart:
    digits: str  # which digits (e.g. "3-5")
    label: str
    value: str
    meaning: str | None = None


@dataclass(frozen=True)
class ReferenceDetail:
    """One reference entry explained: the key's parts, the type in words, the OZG context."""

    entry: ReferenceEntry
    parts: tuple[KeyPart, ...]
    type_text: str
    scope: str | None
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.entry.as_dict(),
            "leika_type_text": self.type_text,
            "municipal_execution": self.scope,
            "key_parts": [
                {"digits": p.digits, "label": p.label, "value": p.value, "meaning": p.meaning}
                for p in self.parts
            ],
            "warnings": list(self.warnings),
        }


def explain_key(key: str, reference: Reference | None = None) -> tuple[KeyPart, ...]:
    """The parts of a 14-digit LeiKa key, named (and where the reference tells, described)."""
    ref = reference or load_reference()
    origin = key[0:2]
    obj_entry = ref.get(key[:8] + "000000")
    entry = ref.get(key)
    verrichtung_meaning: str | None = None
    if key[8:11] == "000":
        verrichtung_meaning = "keine (Leistungsobjekt ohne Verrichtung)"
    elif (
        key[11:14] == "000"
        and entry is not None
        and obj_entry is not None
        and entry.name.startswith(obj_entry.name + " ")
    ):
        verrichtung_meaning = entry.name[len(obj_entry.name) + 1 :]
    return (
        KeyPart(
            "1-2",
            "Herkunft",
            origin,
            "bundesweiter LeiKa-Schlüssel" if origin == "99" else "kein bundesweiter Schlüssel",
        ),
        KeyPart("3-5", "Leistungsgruppierung", key[2:5]),
        KeyPart("6-8", "Leistungsobjekt (Nummer)", key[5:8]),
        KeyPart(
            "1-8", "Leistungsobjekt-ID", key[:8], obj_entry.name if obj_entry is not None else None
        ),
        KeyPart("9-11", "Verrichtung", key[8:11], verrichtung_meaning),
        KeyPart(
            "12-14",
            "Verrichtungsdetail",
            key[11:14],
            "keines" if key[11:14] == "000" else None,
        ),
    )


def reference_detail(key_text: str, reference: Reference | None = None) -> ReferenceDetail:
    """The reference entry of a key, explained (NotFound where the reference lacks it)."""
    from egov_cli.core.errors import NotFound

    key = parse_leika_key(key_text)
    if key is None:
        raise ValidationError(
            _("{value} is not a LeiKa key.").format(value=shown_value(key_text)),
            _("Give the 14-digit key, e.g. 99050012104000."),
        )
    ref = reference or load_reference()
    entry = ref.get(key)
    if entry is None:
        raise NotFound(
            _("LeiKa key {key} is not in the reference catalogue.").format(key=key),
            _("Local and newer keys exist; search by name with 'egov reference search TEXT'."),
        )
    warnings = []
    if unknown_type_parts(entry.leika_type):
        warnings.append(
            _("LeiKa type {type!r} is not in the LeiKa Typisierung (as in the source).").format(
                type=entry.leika_type
            )
        )
    if not entry.leika_type:
        warnings.append(_("The reference gives no LeiKa type for this key."))
    if not entry.ozg_id:
        warnings.append(_("The reference assigns this key to no OZG service."))
    return ReferenceDetail(
        entry=entry,
        parts=explain_key(key, ref),
        type_text=describe_type(entry.leika_type),
        scope=type_scope(entry.leika_type),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class ReferenceInfo:
    source: str
    path: str
    sha256: str
    rows: int
    keys: int
    without_key: int
    ozg_services: int
    warnings: tuple[str, ...]


def reference_info(reference: Reference | None = None) -> ReferenceInfo:
    ref = reference or load_reference()
    return ReferenceInfo(
        source=ref.source,
        path=str(ref.path),
        sha256=ref.sha256,
        rows=len(ref.entries),
        keys=len(ref.by_key),
        without_key=sum(1 for e in ref.entries if e.key is None),
        ozg_services=len({e.ozg_id for e in ref.entries if e.ozg_id}),
        warnings=ref.warnings,
    )
