"""LeiKa key codes: the types of the LeiKa Typisierung, in words and by execution scope."""

from __future__ import annotations

import re

# Execution scope of a type for a municipality (Kommune).
MUNICIPAL = "municipal"  # executed by the municipality
POSSIBLY_MUNICIPAL = "possible"  # executed by the Land or the municipality, depending on state law

_BASE_TYPES: dict[str, str] = {
    "1": "Regelung und Vollzug beim Bund",
    "2": "Regelung beim Bund, Vollzug durch Land oder Kommune",
    "3": "Regelung beim Bund, Vollzug durch Land oder Kommune",
    "2/3": "Regelung beim Bund, Vollzug durch Land oder Kommune (Typ 2 oder 3)",
    "4": "Regelung beim Land, Vollzug durch Land oder Kommune",
    "5": "Regelung und Vollzug auf kommunaler Ebene",
    "6": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "7": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "8": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "9": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
    "10": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
    "11": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
}
# a/b: the executing level where it differs between the Länder (types 1-5 and 10).
_SUFFIXED = ("1", "2", "3", "4", "5", "10")
_SUFFIX_TEXT = {"a": "Vollzug durch das Land", "b": "Vollzug durch die Kommune"}
#: Types a municipality executes (issue: 2b, 3b, 4b and 5) ...
MUNICIPAL_TYPES = frozenset({"2b", "3b", "4b", "5"})
#: ... and those it executes where state law gives execution to the municipality.
POSSIBLY_MUNICIPAL_TYPES = frozenset({"2", "3", "2/3", "4"})


def known_type_codes() -> tuple[str, ...]:
    """Every type code egov knows (base codes and their a/b variants)."""
    codes = list(_BASE_TYPES)
    for base in _SUFFIXED:
        codes += [base + "a", base + "b"]
    return tuple(codes)


_KNOWN_TYPES = frozenset(known_type_codes())
_PLAIN_TYPES = frozenset({None, *_KNOWN_TYPES})
_PLAIN_FLAGS = frozenset({"", "0", "1"})


def type_parts(text: str | None) -> list[str]:
    """The single types of a type cell: ``1, 2/3`` -> ``["1", "2/3"]``; blank -> ``[]``."""
    if not text:
        return []
    return [p.strip().lower().replace(" ", "") for p in re.split(r"[,;]", text) if p.strip()]


def unknown_type_parts(text: str | None) -> list[str]:
    return [p for p in type_parts(text) if p not in _KNOWN_TYPES]


def describe_type(text: str | None) -> str:
    """A type cell in words, e.g. ``2/3: Regelung beim Bund, Vollzug durch Land oder Kommune``."""
    parts = type_parts(text)
    if not parts:
        return "kein LeiKa-Typ angegeben"
    return "; ".join(f"{p}: {_describe_part(p)}" for p in parts)


def _describe_part(part: str) -> str:
    if part in _BASE_TYPES:
        return _BASE_TYPES[part]
    if part[:-1] in _SUFFIXED and part[-1:] in _SUFFIX_TEXT:
        return f"{_BASE_TYPES[part[:-1]]}; hier {_SUFFIX_TEXT[part[-1]]}"
    return "nicht in der LeiKa-Typisierung (Wert aus der Quelle übernommen)"


def type_scope(text: str | None) -> str | None:
    """``municipal``, ``possible`` (Land or Kommune, by state law) or None for a type cell."""
    parts = set(type_parts(text))
    if parts & MUNICIPAL_TYPES:
        return MUNICIPAL
    if parts & POSSIBLY_MUNICIPAL_TYPES:
        return POSSIBLY_MUNICIPAL
    return None


def scope_label(scope: str | None) -> str:
    return {
        MUNICIPAL: "Kommune",
        POSSIBLY_MUNICIPAL: "Land oder Kommune (prüfen)",
    }.get(scope or "", "")
