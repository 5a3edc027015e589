"""Where a catalogue is: a file path or a database URL, parsed, and shown with its
credentials masked."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from egov_cli.core.config import is_url
from egov_cli.core.errors import BadLocation
from egov_cli.i18n import N_, _


def to_url(target: str) -> str:
    """A SQLAlchemy URL for a file path or URL; bare ``postgresql://`` uses psycopg 3."""
    if not is_url(target):
        return "sqlite:///" + str(Path(target).expanduser().resolve()).replace("\\", "/")
    for plain in ("postgresql://", "postgres://"):
        if target.startswith(plain):
            return "postgresql+psycopg://" + target[len(plain) :]
    return target


#: The password of a URL's user part, as SQLAlchemy reads it (``scheme://user:password@``).
_USER_PASSWORD = re.compile(r"^(?P<head>[^:/?#]+://[^:/@]*:)(?P<password>[^@]*)(?=@)")
#: Words in the name of a URL query parameter whose value is a secret (libpq's ``password``
#: and ``sslpassword``, and the like of other drivers).
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token")
MASK = "***"


def mask_url(target: str) -> str:
    """A catalogue location as people may see it: every credential of a URL masked.

    The password of the user part and the value of every query parameter that holds a secret
    (``password``, ``sslpassword`` ...) become ``***``; the rest is shown as given. A
    ``passfile`` or ``service`` parameter names a file the driver reads; egov shows its name
    and never reads it. Works on URLs SQLAlchemy cannot parse too, for their error messages.
    """
    if not is_url(target):
        return target
    masked = _USER_PASSWORD.sub(lambda m: m.group("head") + MASK, target, count=1)
    base, sep, query = masked.partition("?")
    if not sep:
        return masked
    pieces = []
    for piece in query.split("&"):
        name, equals, _value = piece.partition("=")
        secret = any(word in unquote_plus(name).lower() for word in _SECRET_WORDS)
        pieces.append(f"{name}={MASK}" if equals and secret else piece)
    return base + sep + "&".join(pieces)


def describe(target: str) -> str:
    """The catalogue location for people: a path, or the URL with its credentials masked."""
    if not is_url(target):
        return str(Path(target).expanduser())
    return mask_url(target)


KNOWN_KINDS = N_(
    "egov keeps a catalogue in SQLite (a file path, or sqlite:///PATH) or in PostgreSQL "
    "(postgresql://USER@HOST/DATABASE; characters such as @ : / in the password %-encoded)."
)


def parse_url(target: str) -> URL:
    """The SQLAlchemy URL of a catalogue location; a malformed one is a usage error."""
    try:
        return make_url(to_url(target))
    except sa_exc.ArgumentError as exc:
        raise BadLocation(
            _("The catalogue location {location} is not a database URL.").format(
                location=mask_url(target)
            ),
            _(KNOWN_KINDS),
        ) from exc
    except ValueError as exc:
        port = _PORT.search(mask_url(target))
        raise BadLocation(
            _("The port {port!r} of the catalogue location {location} is not valid.").format(
                port=port.group(1), location=mask_url(target)
            )
            if port
            else _("A part of the catalogue location {location} is not valid.").format(
                location=mask_url(target)
            ),
            _("A port is a number, e.g. postgresql://egov@dbserver:5432/egov."),
        ) from exc


_PORT = re.compile(r"://(?:[^@/]*@)?[^/:?]*:([^/?]*)")


def sqlite_path(target: str) -> Path | None:
    """The database file of a SQLite catalogue, else None."""
    url = parse_url(target)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.query.get("uri") in ("true", "1") and url.database.startswith("file:"):
        # a SQLite URI filename (sqlite:///file:cat.db?mode=ro&uri=true): its path part
        return Path(unquote(urlsplit(url.database).path))
    return Path(url.database)


def opened_read_only(target: str) -> bool:
    """True for a SQLite URI filename opened read-only (``...?mode=ro&uri=true``)."""
    return is_url(target) and "ro" in parse_qs(urlsplit(target).query).get("mode", [])
