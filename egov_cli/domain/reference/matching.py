"""A service's name matched to the reference: the one entry of that name, or close suggestions.

An import fills the LeiKa key of a row that has none where its name is the name of exactly one
reference entry (case, spacing and umlaut spelling aside). Close names are only suggested: a
similar name is often another service (``Hundesteuer Anmeldung`` / ``Hundesteuer Abmeldung``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from egov_cli.domain.reference.entries import Reference, ReferenceEntry
from egov_cli.domain.reference.store import load_reference
from egov_cli.values.fold import fold, search_fold

#: How similar (0-100, rapidfuzz's ratio of the sorted words) a name must be to be suggested.
SUGGESTION_SCORE = 80
SUGGESTIONS = 5


@dataclass(frozen=True)
class Suggestion:
    entry: ReferenceEntry
    score: float  # 0-100


@dataclass(frozen=True)
class NameMatch:
    """What the reference says to a name: the entry it names exactly (None where no entry or
    several entries have that name) and close entries, most similar first."""

    name: str
    exact: ReferenceEntry | None
    suggestions: tuple[Suggestion, ...]

    @property
    def key(self) -> str | None:
        """The LeiKa key the name gives (None where it names no entry with a key)."""
        return self.exact.key if self.exact is not None else None


def _spelling(text: str) -> str:
    return " ".join(search_fold(text).split())


def match_name(
    name: str, reference: Reference | None = None, *, limit: int = SUGGESTIONS
) -> NameMatch:
    """Match ``name`` to the reference (the one in use unless given).

    ``exact`` is the entry whose name is ``name`` (ignoring case, spacing, punctuation and
    umlaut spelling) where exactly one entry has it; where several have it, they are all
    suggestions. Otherwise
    up to ``limit`` entries with a similar name are suggested, never applied.
    """
    ref = reference or load_reference()
    wanted = _spelling(name)
    if not fold(name):
        return NameMatch(name, None, ())
    names = [folded for folded, _ozg in ref.folded()]
    same = [ref.entries[i] for i in ref.positions_by_name().get(fold(name), [])]
    if len(same) == 1:
        return NameMatch(name, same[0], ())
    if same:
        return NameMatch(name, None, tuple(Suggestion(e, 100.0) for e in same[:limit]))
    found = process.extract(
        wanted, names, scorer=fuzz.token_sort_ratio, score_cutoff=SUGGESTION_SCORE, limit=limit
    )
    return NameMatch(
        name, None, tuple(Suggestion(ref.entries[i], float(score)) for _n, score, i in found)
    )
