"""The closed vocabularies of the catalogue: stored code, German label, English label.

Codes are what the database stores and ``--json`` shows; labels are what people read and type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    de: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "de") -> str:
        return self.de if lang == "de" else self.en


STATUSES: tuple[Term, ...] = (
    Term("planned", "geplant", "planned", ("geplant", "offen", "planung")),
    Term(
        "in_progress", "in Umsetzung", "in progress", ("in arbeit", "umsetzung", "in bearbeitung")
    ),
    Term("pilot", "Pilot", "pilot", ("pilotbetrieb", "test")),
    Term("live", "live", "live", ("online", "produktiv", "in betrieb", "umgesetzt")),
    Term("deferred", "zurückgestellt", "deferred", ("verschoben", "pausiert")),
    Term("retired", "eingestellt", "retired", ("abgeschaltet", "entfallen")),
)

ADDRESSEES: tuple[Term, ...] = (
    Term("citizens", "Bürger", "citizens", ("buerger", "bürgerinnen und bürger", "b2c", "privat")),
    Term("businesses", "Unternehmen", "businesses", ("wirtschaft", "gewerbe", "b2b", "firmen")),
    Term("administration", "Verwaltung", "administration", ("behörden", "b2g", "intern")),
)

PROVISIONS: tuple[Term, ...] = (
    Term("own", "Eigenentwicklung", "own", ("eigen", "selbst", "kommune")),
    Term(
        "state",
        "zentraler Landesdienst",
        "central state service",
        ("land", "landesdienst", "freistaat"),
    ),
    Term("efa", "EfA-Nachnutzung", "EfA reuse", ("efa", "einer für alle")),
    Term("third_party", "Drittanbieter", "third party", ("dritte", "anbieter", "hersteller")),
)

AUTHENTICATIONS: tuple[Term, ...] = (
    Term("none", "keine", "none", ("ohne", "-")),
    Term("basic", "Benutzername/Passwort", "username/password", ("basis", "passwort", "login")),
    Term("elster", "ELSTER-Zertifikat", "ELSTER certificate", ("elster",)),
    Term(
        "eid_substantial", "eID substanziell", "eID substantial", ("substanziell", "substantiell")
    ),
    Term("eid_high", "eID hoch", "eID high", ("hoch", "ausweis", "online-ausweis", "npa")),
)


def find_term(terms: tuple[Term, ...], text: str) -> Term | None:
    """The term whose code, label or alias matches ``text`` (ignoring case and spacing)."""
    from egov_cli.values.fold import fold

    key = fold(text)
    for term in terms:
        if key in {fold(term.code), fold(term.de), fold(term.en), *map(fold, term.aliases)}:
            return term
    return None


def codes(terms: tuple[Term, ...]) -> list[str]:
    return [t.code for t in terms]


def label_of(terms: tuple[Term, ...], code: str | None, lang: str = "de") -> str:
    if code is None:
        return ""
    for term in terms:
        if term.code == code:
            return term.label(lang)
    return code
