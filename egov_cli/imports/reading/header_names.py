"""Recognising a header by its name: the words people write for each column, and how alike.

A header names a field of the column schema (``egov_cli.core.schema``) by ``name`` (the field's
German or English header or one of its aliases, 1.0; one of its synonyms, the headers people
write for it, 0.95) or by ``similar name`` (the header without words in brackets and filler
words, ``Zuständiges Amt`` -> ``Amt``, is one of those names, 0.9; or it is spelled much like
one: rapidfuzz's ratio, at least :data:`SIMILAR_SCORE`). :func:`recognise_header` says which,
by the name alone; :func:`parse_mapping` reads the user's ``--map``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError
from egov_cli.i18n import N_, _
from egov_cli.values.fold import fold, search_fold

#: ``--map "Header=-"`` (or an empty field) ignores a column.
IGNORE = frozenset({"", "-", "ignore", "ignorieren"})

#: Reasons a column is recognised.
BY_MAP, BY_NAME, BY_SIMILAR_NAME, BY_CONTENT = "--map", "name", "similar name", "content"
#: Why a column is not imported.
NOT_RECOGNISED, AMBIGUOUS, IGNORED_BY_MAP = "not recognised", "ambiguous", "ignored by --map"
#: Why the values of a column do not fit the field its name suggests (after NOT_RECOGNISED).
VALUES_ARE_LISTS, VALUES_DO_NOT_FIT = "its values are lists", "its values do not fit"
#: The reasons as people read them (translated where shown; ``--json`` keeps the reasons).
_REASON_TEXTS = {
    BY_NAME: N_("heading"),
    BY_SIMILAR_NAME: N_("similar heading"),
    BY_CONTENT: N_("content"),
    NOT_RECOGNISED: N_("not recognised"),
    AMBIGUOUS: N_("ambiguous"),
    IGNORED_BY_MAP: N_("ignored by --map"),
    VALUES_ARE_LISTS: N_("its values are lists"),
    VALUES_DO_NOT_FIT: N_("its values do not fit"),
}
#: How alike (0-100, rapidfuzz's ratio) a header must be to a known one to count as similar.
SIMILAR_SCORE = 85
#: Cells longer than this are text, not headers (the longest name of a column is shorter).
LONGEST_HEADER = 80

#: Words that say nothing about which field a header means.
_FILLER = frozenset(
    [
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "zum",
        "zur",
        "zu",
        "fuer",
        "von",
        "vom",
        "im",
        "in",
        "am",
        "an",
        "und",
        "oder",
        "bzw",
        "ggf",
        "the",
        "of",
        "for",
        "to",
        "zustaendig",
        "zustaendige",
        "zustaendiges",
        "zustaendiger",
        "zustaendigen",
        "aktuell",
        "aktuelle",
        "aktueller",
        "aktuelles",
        "uebergeordnet",
        "jeweilige",
        "jeweiliger",
        "jeweiliges",
    ]
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORDS = re.compile(r"[0-9a-z]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")  # as egov_cli.values.fold.fold drops them


@lru_cache(maxsize=1)
def _schema_lookup() -> dict[str, str]:
    """folded header -> field, with the same precedence as ``schema.match_header``."""
    lookup: dict[str, str] = {}
    for column in schema.COLUMNS:
        for key in sorted(column.match_keys()):
            lookup.setdefault(key, column.field)
    return lookup


@lru_cache(maxsize=1)
def _synonym_lookup() -> dict[str, str]:
    """folded synonym -> field (synonyms that are no column's exact name)."""
    exact = _schema_lookup()
    lookup: dict[str, str] = {}
    for column in schema.COLUMNS:
        for key in sorted(column.synonym_keys()):
            if key not in exact:
                lookup.setdefault(key, column.field)
    return lookup


@lru_cache(maxsize=1)
def _all_names() -> tuple[list[str], list[str]]:
    """Every known folded name and its field, in two aligned lists (for similarity search)."""
    names = {**_synonym_lookup(), **_schema_lookup()}
    keys = sorted(names)
    return keys, [names[k] for k in keys]


def reason_text(reason: str) -> str:
    """Why a column became a field, or did not (``not recognised: its values are lists``), in
    the run's language; ``--map`` and reasons egov does not know as they are."""
    return ": ".join(
        _(_REASON_TEXTS[part]) if part in _REASON_TEXTS else part for part in reason.split(": ")
    )


def map_hint_text(header: str, candidates: Sequence[str]) -> str:
    """The ``--map`` that would import a column, for people: its likely field, else the word
    for a field in the run's language (``--json`` keeps ``FIELD``)."""
    target = candidates[0] if candidates else _("FIELD")
    return f'--map "{header}={target}"'


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["Nummer=leika_key", ...]`` as a dict; the field may be a field name or any header."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise ValidationError(
                _("--map {item!r} is not HEADER=FIELD.").format(item=item),
                _('Write e.g. --map "Nummer=leika_key" (see egov import --describe-format).'),
            )
        target = target.strip()
        if target.lower() in IGNORE:
            mapping[header.strip()] = "-"
            continue
        field_name = target if target in schema.BY_FIELD else _schema_lookup().get(fold(target))
        if field_name is None:
            known = ", ".join(c.field for c in schema.COLUMNS)
            raise ValidationError(
                _("--map {item!r}: {target!r} is not a column of the catalogue.").format(
                    item=item, target=target
                ),
                _("Map to one of: {fields}; or to - to ignore the column.").format(fields=known),
            )
        mapping[header.strip()] = field_name
    return mapping


@dataclass(frozen=True)
class Guess:
    """What a header may mean: a field, why, how sure, and other fields it may mean as well."""

    field: str
    reason: str
    confidence: float
    others: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def recognise_header(header: str, similar: bool = True) -> Guess | None:
    """The field a header means by its name alone (no ``--map``, no values), or None;
    ``similar=False`` leaves out similar spellings (quick: no similarity search)."""
    if len(header) > LONGEST_HEADER:
        return None  # text, not a header: longer than any name of a column
    spelled = search_fold(header)
    key = _NOT_WORD.sub("", spelled)
    if not key:
        return None
    if key in _schema_lookup():
        return Guess(_schema_lookup()[key], BY_NAME, 1.0)
    if key in _synonym_lookup():
        return Guess(_synonym_lookup()[key], BY_NAME, 0.95)
    words = [w for w in _WORDS.findall(_BRACKETS.sub(" ", spelled)) if w not in _FILLER]
    short = "".join(words)
    if short and short != key:
        for lookup in (_schema_lookup(), _synonym_lookup()):
            if short in lookup:
                return Guess(lookup[short], BY_SIMILAR_NAME, 0.9)
    if not similar:
        return None
    keys, fields = _all_names()
    best: dict[str, float] = {}
    for candidate in {key, short} - {""}:
        for _name, score, position in process.extract(
            candidate, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR_SCORE, limit=8
        ):
            found = fields[position]
            best[found] = max(best.get(found, 0.0), float(score))
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    top_field, top_score = ranked[0]
    close = tuple(f for f, score in ranked[1:] if score >= top_score - 5)
    return Guess(top_field, BY_SIMILAR_NAME, round(min(top_score / 100, 0.89), 2), close)
