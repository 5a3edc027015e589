"""Parsing values as people type them: keys, dates, levels, flags, numbers, vocabulary terms.

Every parser takes any value (text, number, date) and returns the clean value or raises
:class:`~egov_cli.core.errors.ValidationError` naming the value and how to write it. Nothing else.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from egov_cli.core.errors import ValidationError, shown_value
from egov_cli.i18n import _, language, ngettext
from egov_cli.values import display as formats
from egov_cli.values.fold import fold
from egov_cli.values.vocab import Term, find_term

LEIKA_KEY_LENGTH = 14
NO_KEY_TEXTS = frozenset(
    {"nichtimleika", "nichtinleika", "keinleika", "ohne", "-", "--", "n/a", "na"}
)
_TRUE = frozenset({"ja", "j", "x", "wahr", "true", "yes", "y", "1", "1.0", "✓", "✔"})
_FALSE = frozenset({"nein", "n", "falsch", "false", "no", "0", "0.0", "-"})
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_THOUSANDS = re.compile(r"^\d{1,3}([. ]\d{3})+$")
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers egov accepts as dates: 1.1.1950 .. 31.12.2199
_SERIAL_MIN, _SERIAL_MAX = 18264, 109574
_MAX_TEXT = 32_767  # the most an Excel cell holds


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_text(value: object, field: str = "text") -> str | None:
    """Trimmed text, or None where blank. Control characters (but tab and newline) are refused."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > _MAX_TEXT:
        raise ValidationError(
            _("{field} is {length} characters long; at most {limit} are allowed.").format(
                field=field, length=formats.number(len(text)), limit=formats.number(_MAX_TEXT)
            ),
            _("Shorten the text."),
        )
    bad = next(
        (c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 127 <= ord(c) < 160), None
    )
    if bad is not None:
        raise ValidationError(
            _("{field} contains the control character {code}.").format(
                field=field, code=f"U+{ord(bad):04X}"
            ),
            _("Remove invisible control characters from the cell."),
        )
    return text


def ascii_digits(text: str) -> str:
    """``text`` with the decimal digits of every script (Arabic-Indic ``٣``, Devanagari ``३``,
    full-width ``３`` ...) written as ASCII digits: a key, an OZG ID or a number typed or pasted
    in other digits means the same digits. Other characters, superscripts (``²``) among them,
    stay as they are (and are refused where only digits belong)."""
    if text.isascii():
        return text
    return "".join(str(int(c)) if c.isdecimal() else c for c in text)


def parse_leika_key(value: object) -> str | None:
    """A 14-digit LeiKa key as text, or None for no key (blank, ``nicht im LeiKa``).

    Accepts spacing (``99 050 012 104 000``), keys that Excel turned into numbers
    (``99050012104000.0``, ``9.9050012104E13``) and the digits of other scripts (read as
    ASCII digits, as whole numbers and dates are).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValidationError(
            _("LeiKa key {value} is not a key.").format(value=shown_value(value)),
            _("Write the 14-digit key."),
        )
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise _bad_key(value)
        text = str(int(value))
    else:
        raw = ascii_digits(str(value).strip())
        if fold(raw) in NO_KEY_TEXTS or raw.lower() in NO_KEY_TEXTS:
            return None
        if re.fullmatch(r"\d+\.0+", raw):  # a key Excel stored as a number, written as text
            raw = raw.split(".", 1)[0]
        text = re.sub(r"[\s.\u00a0'_]", "", raw) if not re.search(r"[eE]\+?\d+$", raw) else raw
        if re.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+", text):  # scientific notation from Excel
            try:
                number = float(text.replace(",", "."))
            except ValueError as exc:
                raise _bad_key(raw) from exc
            if not number.is_integer():
                raise _bad_key(raw)
            text = str(int(number))
    if not text.isascii() or not text.isdigit() or len(text) != LEIKA_KEY_LENGTH:
        raise _bad_key(value)
    return text


def _bad_key(value: object) -> ValidationError:
    text = str(value)
    digits = sum(c.isdecimal() for c in text)
    others = any(not (c.isdecimal() or c.isspace()) for c in text)
    message = (
        ngettext(
            "LeiKa key {value} is not 14 digits (it has {count} digit).",
            "LeiKa key {value} is not 14 digits (it has {count} digits).",
            digits,
        )
        if not others
        else ngettext(
            "LeiKa key {value} is not 14 digits (it has {count} digit and other characters).",
            "LeiKa key {value} is not 14 digits (it has {count} digits and other characters).",
            digits,
        )
    )
    return ValidationError(
        message.format(value=shown_value(text), count=digits),
        _("Write the 14-digit key, e.g. 99050012104000 (spaces are fine), or 'nicht im LeiKa'."),
    )


def parse_ozg_id(value: object, field: str = "OZG-ID") -> str | None:
    """The number of an OZG service (``10294``) as text of ASCII digits, or None where blank.
    A number cell (10294.0) and the digits of other scripts are read as its digits."""
    text = parse_text(value, field)
    if text is None:
        return None
    digits = ascii_digits(text)
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(
            _("{field} {value} is not a number.").format(field=field, value=shown_value(text)),
            _("Write the 5-digit number of the OZG service, e.g. 10294, or leave it empty."),
        )
    return digits


def leika_key_warning(key: str | None) -> str | None:
    """A warning for a key that names a bare Leistungsobjekt (digits 9-14 are 000000)."""
    if key and key.endswith("000000"):
        return _(
            "LeiKa key {key} is a bare Leistungsobjekt (no Verrichtung); "
            "prefer the key of the concrete service where there is one."
        ).format(key=key)
    return None


def parse_date(value: object, field: str = "date") -> date | None:
    """A date from a date, an Excel serial number, ``31.12.2026`` or ``2026-12-31``."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _bad_date(field, value)
    if isinstance(value, int | float):
        if not math.isfinite(value) or not _SERIAL_MIN <= value <= _SERIAL_MAX:
            raise _bad_date(field, value)
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    try:
        if m := _GERMAN_DATE.match(text):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
            if len(m[3]) == 2:
                year += 2000
            return date(year, month, day)
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{5}(\.0+)?", text):
            return parse_date(float(text), field)
    except ValueError as exc:
        raise _bad_date(field, value) from exc
    raise _bad_date(field, value)


def _bad_date(field: str, value: object) -> ValidationError:
    return ValidationError(
        _("{field} {value} is not a date.").format(field=field, value=shown_value(value)),
        _("Write it as 31.12.2026 or 2026-12-31 (or use an Excel date cell)."),
    )


def parse_flag(value: object, field: str = "flag") -> bool | None:
    """Yes/no from ja/nein, x, wahr/falsch, 1/0, true/false; None where blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(
        _("{field} {value} is not yes or no.").format(field=field, value=shown_value(value)),
        _("Write ja or nein (or x for yes, blank for no)."),
    )


def parse_int(value: object, field: str = "number", *, minimum: int | None = 0) -> int | None:
    """A whole number; ``1.234`` and ``1 234`` are read as thousands."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise _bad_int(field, value)
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _bad_int(field, value)
        number = int(value)
    else:
        text = str(value).strip().replace("\u00a0", " ")
        if _THOUSANDS.match(text):
            text = text.replace(".", "").replace(" ", "")
        if text.endswith((".0", ",0")):
            text = text[:-2]
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _bad_int(field, value)
        number = int(text)
    if minimum is not None and number < minimum:
        raise ValidationError(
            _("{field} {number} is below {minimum}.").format(
                field=field, number=number, minimum=minimum
            ),
            _("Write {minimum} or more.").format(minimum=minimum),
        )
    return number


def _bad_int(field: str, value: object) -> ValidationError:
    return ValidationError(
        _("{field} {value} is not a whole number.").format(field=field, value=shown_value(value)),
        _("Write e.g. 1200."),
    )


def parse_term(terms: tuple[Term, ...], value: object, field: str) -> str | None:
    """The code of a vocabulary term named by its code, German or English label or an alias."""
    if is_blank(value):
        return None
    term = find_term(terms, str(value))
    if term is None:
        allowed = ", ".join(t.label(language()) for t in terms)
        raise ValidationError(
            _("{field} {value} is not known.").format(field=field, value=shown_value(value)),
            _("Use one of: {allowed}.").format(allowed=allowed),
        )
    return term.code
