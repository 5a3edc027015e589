"""A sender's words in the catalogue's terms, before a column's cells are parsed.

Lists from departments and portals say the same things in their own words; these rules make
them the catalogue's, column by column, and say what they did:

- ``--value-map "status:in Arbeit=in Umsetzung"``: a sender's word for a term field's value,
  given as the catalogue writes it (its label in either language, or its code), the sender's
  word matched with case, spacing and umlaut spelling aside;
- a yes/no column taken as the status (``Live: Ja``): yes is live; no says only "not live",
  so the cell counts as blank (a service keeps its status, a new one is planned);
- list literals (``['a', 'b']``, as data exports write lists): no field of the catalogue takes
  several values, so such a cell is refused with a message, never stored as written; a list
  of one value is that value, and in free text (the notes) a list becomes its items,
  separated by "; " (both with a warning);
- web addresses: a relative link (``/antrag/...``) is joined with ``--base-url``, else left out
  with a warning (it is no address a citizen can open); anything else that is no web address
  (``http(s)://...`` or ``www....``) is refused.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError, shown_value
from egov_cli.i18n import _, language
from egov_cli.values.fold import fold
from egov_cli.values.vocab import find_term

#: Fields holding web addresses.
URL_FIELDS = frozenset({"online_url", "bayernportal_url", "procedure_url"})
_WEB_ADDRESS = re.compile(r"^(https?://|www\.)[^\s/$.?#][^\s]*$", re.IGNORECASE)
_YES = frozenset({"ja", "yes", "j", "y", "x", "true", "wahr", "1"})
_NO = frozenset({"nein", "no", "n", "false", "falsch", "0"})
#: Free-text fields: a list written out there becomes its items, separated by "; ".
FREE_TEXT = frozenset({"notes"})
#: How many rows a warning names as examples.
EXAMPLES = 5


@dataclass
class Translated:
    """A column's cells in the catalogue's words, the cells refused (position, error) and
    warnings about what was changed or left out."""

    cells: Sequence[Any]
    errors: list[tuple[int, ValidationError]] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)  # positions of relative links left out
    joined: list[int] = field(default_factory=list)  # positions of lists written as text


def _may_hold(cells: Sequence[Any], mark: str) -> bool:
    """Whether any text cell holds ``mark`` (one quick look at all of them)."""
    try:
        return mark in "\n".join(cells)
    except TypeError:  # not all text
        return any(isinstance(c, str) and mark in c for c in cells)


def yes_no(cell: object) -> bool | None:
    """True for a yes, False for a no, None for anything else."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float | str):
        folded = fold(str(cell))
        if folded in _YES:
            return True
        if folded in _NO:
            return False
    return None


def _yes_no_column(cells: Sequence[Any]) -> bool:
    """Whether every filled cell is a yes or a no, and some cell is filled. The look ends at
    the first cell that is neither (a status word, in most files: the first filled cell);
    each distinct cell is looked at once."""
    answered: set[tuple[type, Any]] = set()
    for cell in cells:
        if cell is None or cell == "" or (key := (type(cell), cell)) in answered:
            continue
        if yes_no(cell) is None:
            return False
        answered.add(key)
    return bool(answered)


def is_list_literal(cell: object) -> bool:
    """Whether a cell is a list written out (``['a', 'b']``, ``["a"]``)."""
    if not isinstance(cell, str):
        return False
    text = cell.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return False
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return isinstance(value, list)


def translate(
    column: schema.Column,
    cells: Sequence[Any],
    value_map: dict[str, str] | None,
    base_url: str | None,
) -> Translated:
    """``cells`` of ``column`` in the catalogue's words (see the module's docstring);
    ``value_map``: folded sender word -> the catalogue's value, for this column's field."""
    name = column.field
    if value_map:  # each distinct word folded once
        words = {c for c in cells if isinstance(c, str) and c.strip()}
        mapped = {word: value_map.get(fold(word), word) for word in words}
        cells = [mapped.get(c, c) if isinstance(c, str) else c for c in cells]
    if name == "status" and _yes_no_column(cells):  # live or not, each distinct cell once
        # (values equal across types, 1 and True, are a yes alike in a yes/no column)
        live = {c: "live" if yes_no(c) else None for c in set(cells)}
        cells = [live[c] for c in cells]
    out = Translated(cells)
    if column.kind == schema.TEXT and _may_hold(cells, "["):
        joined: list[Any] | None = None
        for position, cell in enumerate(cells):
            if not is_list_literal(cell):
                continue
            items = ast.literal_eval(cell.strip())
            if name in FREE_TEXT or len(items) == 1:  # its items, or its one value
                joined = list(cells) if joined is None else joined
                joined[position] = "; ".join(map(str, items))
                out.joined.append(position)
            else:
                out.errors.append(
                    (
                        position,
                        ValidationError(
                            _("{column} holds a list of values; the column takes one value").format(
                                column=column.header(language())
                            ),
                            _("Give one value in the cell (or split the row)."),
                        ),
                    )
                )
        if joined is not None:
            out.cells = cells = joined
    if name in URL_FIELDS:
        refused = {p for p, _e in out.errors}
        changed = list(cells)
        for position, cell in enumerate(cells):
            if not isinstance(cell, str) or not (text := cell.strip()):
                continue
            if _WEB_ADDRESS.match(text):
                continue
            if text.startswith("/") and not text.startswith("//"):
                if base_url:
                    changed[position] = urljoin(base_url, text)
                else:
                    changed[position] = None
                    out.left_out.append(position)
                continue
            if position not in refused:
                out.errors.append(
                    (
                        position,
                        ValidationError(
                            _("{column} {value} is not a web address").format(
                                column=column.header(language()), value=shown_value(text)
                            ),
                            _("Give an address beginning with https:// (or www.)."),
                        ),
                    )
                )
        out.cells = changed
    return out


def check_base_url(base_url: str | None) -> None:
    """``--base-url`` must be a web address itself."""
    if base_url is not None and not re.match(r"^https?://\S+$", base_url, re.IGNORECASE):
        raise ValidationError(
            _("--base-url {value} is not a web address.").format(value=shown_value(base_url)),
            _("Give the portal's address, e.g. --base-url https://www.stadt.example."),
        )


def parse_value_map(items: Sequence[str]) -> dict[str, dict[str, str]]:
    """``["status:in Arbeit=in_progress", ...]`` as field -> folded sender word -> value."""
    maps: dict[str, dict[str, str]] = {}
    for item in items:
        target, sep, value = item.rpartition("=")
        field_name, colon, word = target.partition(":")
        column = schema.BY_FIELD.get(field_name.strip())
        if not sep or not colon or not word.strip() or column is None:
            raise ValidationError(
                _("--value-map {value} is not FIELD:WORD=VALUE.").format(value=shown_value(item)),
                _('Write e.g. --value-map "status:in Arbeit=in_progress".'),
            )
        if column.kind != schema.TERM or column.terms is None:
            raise ValidationError(
                _("--value-map {value}: {field} is not a field of terms.").format(
                    value=shown_value(item), field=field_name.strip()
                ),
                _("Value maps translate the values of term fields (e.g. status, addressee)."),
            )
        term = find_term(column.terms, value.strip())  # its code or label, either language
        if term is None:
            lang = language()
            raise ValidationError(
                _("--value-map {value}: {word!r} is not a value of {field}.").format(
                    value=shown_value(item), word=value.strip(), field=column.header(lang)
                ),
                _("Use one of: {choices}.").format(
                    choices=", ".join(t.label(lang) for t in column.terms)
                ),
            )
        maps.setdefault(column.field, {})[fold(word)] = term.code
    return maps
