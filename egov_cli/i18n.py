"""The language egov speaks: German by default, English on request.

Message ids in the code are English; the German words come from the gettext catalog
``egov_cli/locale/de/LC_MESSAGES/egov.po`` (compiled to ``egov.mo`` when the wheel is built,
or on first use in a source checkout). One language per run: ``--lang``, else ``EGOV_LANG``,
else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else German. Only the catalog of the
run's language is read, and only when the first message is translated, so ``egov --help`` pays
for one small file and nothing else.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("de", "en")
DEFAULT: Final = "de"
DOMAIN: Final = "egov"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"

_language: str | None = None
_catalog: gettext.NullTranslations | None = None


def normalise(value: str | None) -> str | None:
    """``de``, ``de_DE.UTF-8``, ``EN`` ... as one of :data:`LANGUAGES`; None for anything else
    (``C``, ``POSIX``, a language egov does not speak)."""
    if not value:
        return None
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def resolve(option: str | None = None) -> str:
    """The run's language: ``option`` (``--lang``), ``EGOV_LANG``, the locale, German.

    A locale that names neither German nor English (``C``, ``POSIX``, ``fr_FR``) counts as
    unset: egov speaks German unless English is asked for.
    """
    for value in (option, os.environ.get("EGOV_LANG")):
        chosen = normalise(value)
        if chosen:
            return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        chosen = normalise(os.environ.get(variable))
        if chosen:
            return chosen
    return DEFAULT


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on (the catalog is read when the first message needs it)."""
    global _language, _catalog
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    if lang != _language:
        _language, _catalog = lang, None


def language() -> str:
    """The run's language (resolved from the environment if nobody has set it)."""
    if _language is None:
        set_language(resolve())
    assert _language is not None
    return _language


def _(message: str) -> str:
    """``message`` (an English message id) in the run's language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the run's language."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (help texts, constants:
    they are translated where they are shown, once the run's language is known)."""
    return message


def _translations() -> gettext.NullTranslations:
    global _catalog
    if _catalog is None:
        _catalog = load_catalog(language())
    return _catalog


def catalog_paths(lang: str) -> tuple[Path, Path]:
    """The ``.po`` source and the compiled ``.mo`` of ``lang``."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def load_catalog(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``; English needs none (the message ids are English).

    An installed wheel carries the compiled ``.mo`` only. A source checkout carries the
    ``.po``: where the ``.mo`` is missing or older, the ``.po`` is compiled (with Babel) and
    the result kept next to it when the folder is writable, so the next run reads it directly.
    """
    if lang == "en":
        return gettext.NullTranslations()
    po, mo = catalog_paths(lang)
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        data = compile_po(po)
        _keep(mo, data)
        import io

        return gettext.GNUTranslations(io.BytesIO(data))
    if not mo.exists():  # a broken install: say it in English rather than not at all
        return gettext.NullTranslations()
    with mo.open("rb") as file:
        return gettext.GNUTranslations(file)


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of the catalog ``po`` (fuzzy entries left out, as ``pybabel compile``
    does)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as file:
        catalog = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _keep(mo: Path, data: bytes) -> None:
    """Write ``data`` to ``mo`` atomically; a read-only install simply compiles again."""
    tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, mo)
    except OSError:
        tmp.unlink(missing_ok=True)
