"""Text folding for matching (case, umlaut spelling, spacing and punctuation do not matter)
and the German sort order of names."""

from __future__ import annotations

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def search_fold(text: str) -> str:
    """Lower case with umlauts spelled out, for free-text search (``Straße`` -> ``strasse``).

    Spaces are kept so that words stay apart; other accents are dropped.
    """
    lowered = text.casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Fold for matching names and headers: ``LeiKa-Schlüssel`` == ``leika schluessel``."""
    return _NOT_WORD.sub("", search_fold(text))


_DIN_5007 = str.maketrans({"ß": "ss", "ẞ": "ss"})


def german_key(text: str | None) -> tuple[str, str]:
    """The sort key of German names (DIN 5007, variant 1): ``Ä`` sorts as ``A``, ``ß`` as
    ``ss``, case does not matter, other accents are dropped; ties are broken by the text
    itself, so the order is total. ``Öffentlicher Auftrag`` before ``Wohnsitz``,
    ``amtliche Meldebestätigung`` among the ``A``. None sorts first (as "")."""
    value = text or ""
    decomposed = unicodedata.normalize("NFKD", value.casefold().translate(_DIN_5007))
    return "".join(c for c in decomposed if not unicodedata.combining(c)), value
