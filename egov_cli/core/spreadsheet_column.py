"""What a column of the catalogue's spreadsheets is: its field, its headers in German and
English, the headers people write for it, its kind of value and its meaning in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from egov_cli.i18n import language
from egov_cli.values.fold import fold
from egov_cli.values.vocab import Term

# Kinds of value; the importer parses each with the matching egov_cli.values.parse parser.
KEY, TEXT, INT, DATE, FLAG, LEVEL, TERM, ID = (
    "key",
    "text",
    "int",
    "date",
    "flag",
    "level",
    "term",
    "id",
)


#: The field of the OZG ID: text, but only digits (parsed as a number of the OZG catalogue).
OZG_ID = "ozg_id"


@dataclass(frozen=True)
class Column:
    field: str
    de: str
    en: str
    kind: str
    help_de: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    terms: tuple[Term, ...] | None = None  # for kind TERM: the allowed values
    entity: str = "service"  # service, department or procedure: what the column describes
    width: int = 18  # a sensible spreadsheet column width
    #: Headers people write for the column, recognised by meaning: the import takes them as
    #: this column where the values fit (see ``egov_cli.imports.reading.headers``).
    synonyms: tuple[str, ...] = ()
    #: What the column means, in English (``help_de`` in German).
    help_en: str = ""

    def header(self, lang: str = "de") -> str:
        return self.de if lang == "de" else self.en

    def meaning(self, lang: str | None = None) -> str:
        """What the column means, in ``lang`` (default: the run's language)."""
        return self.help_de if (lang or language()) == "de" else self.help_en

    def match_keys(self) -> set[str]:
        return {fold(h) for h in (self.field, self.de, self.en, *self.aliases)}

    def synonym_keys(self) -> set[str]:
        return {fold(h) for h in self.synonyms} - self.match_keys()
