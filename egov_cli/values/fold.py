"""Text folding for matching and search (case, umlaut spelling, spacing and punctuation do not
matter), and the German sort order of names. The one place that says how text is folded, and
which fields free-text search looks in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from itertools import repeat
from typing import Any

#: Umlauts and ß spelled out, as German does without them.
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
#: The service fields free-text search looks in, in the order of a service's search text.
SEARCH_FIELDS = ("name", "citizen_name", "leika_key", "ozg_name", "notes")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def search_fold(text: str) -> str:
    """Lower case with umlauts spelled out, for free-text search (``Straße`` -> ``strasse``).

    Spaces are kept so that words stay apart; other accents are dropped. (ASCII text, most of
    it, has nothing to spell out or drop: it is only lowered.)
    """
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    lowered = lowered.translate(UMLAUTS)
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Fold for matching names and headers: ``LeiKa-Schlüssel`` == ``leika schluessel``."""
    return _NOT_WORD.sub("", search_fold(text))


def search_text(values: Mapping[str, Any]) -> str:
    """What free-text search looks in: the folded :data:`SEARCH_FIELDS` that have a value."""
    return " | ".join(
        [search_fold(str(value)) for name in SEARCH_FIELDS if (value := values.get(name))]
    )


def search_texts(columns: Mapping[str, list[Any]], count: int) -> list[str]:
    """:func:`search_text` of ``count`` rows given column by column (field -> values), as a
    bulk writer has them: each column folded in one pass."""
    folded = [_search_column(columns[name]) for name in SEARCH_FIELDS if name in columns]
    if not folded:
        return [""] * count
    if any(column is None for column in folded):
        return [
            search_text({name: columns[name][i] for name in SEARCH_FIELDS if name in columns})
            for i in range(count)
        ]
    return list(map(" | ".join, map(filter, repeat(None), zip(*folded, strict=True))))


def _search_column(values: list[Any]) -> list[str | None] | None:
    """:func:`search_fold` of a column's values (None where blank); None if a value folds to
    nothing (then the row-by-row way is taken: it leaves such a value out)."""
    try:  # text, as it mostly is: lowered in one pass, no call of search_fold per value
        lowered = [v.casefold() if v else None for v in values]
    except AttributeError:
        out = [search_fold(str(v)) if v else None for v in values]
    else:
        # Only the values that are not ASCII once lowered need search_fold (500,000 calls of
        # it were a tenth of the import of a 100,000-row workbook).
        out = [
            low if low is None or low.isascii() else search_fold(value)
            for value, low in zip(values, lowered, strict=True)
        ]
    return None if "" in out else out


_DIN_5007 = str.maketrans({"ß": "ss", "ẞ": "ss"})


def german_key(text: str | None) -> tuple[str, str]:
    """The sort key of German names (DIN 5007, variant 1): ``Ä`` sorts as ``A``, ``ß`` as
    ``ss``, case does not matter, other accents are dropped; ties are broken by the text
    itself, so the order is total. ``Öffentlicher Auftrag`` before ``Wohnsitz``,
    ``amtliche Meldebestätigung`` among the ``A``. None sorts first (as "")."""
    value = text or ""
    decomposed = unicodedata.normalize("NFKD", value.casefold().translate(_DIN_5007))
    return "".join(c for c in decomposed if not unicodedata.combining(c)), value
