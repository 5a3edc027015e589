"""A service workbook's frame: opening it (text stays text), its few cell formats (header,
text, date, level shading), the print set-up of a sheet and closing it (an OS error becomes a
FileError naming the file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core.errors import FileError
from egov_cli.core.files import GuardedFile
from egov_cli.i18n import _

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

#: Fills for the maturity levels, lowest to highest; a scale of any length picks from these.
LEVEL_FILLS = ("#F4CCCC", "#FCE5CD", "#FFF2CC", "#D9EAD3", "#B6D7A8", "#93C47D")
HEADER_FILL = "#1F4E78"
DATE_FORMATS = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}


@dataclass
class Styles:
    """The few format objects a workbook uses (created once, shared by every cell)."""

    header: Any
    text: Any
    date: Any
    wrap: Any
    title: Any
    bold: Any
    levels: list[Any]


def open_workbook(target: Path | GuardedFile, lang: str = "de") -> Any:
    """An xlsxwriter workbook streaming rows to disk; text is never turned into formulas,
    links or numbers, so a name such as ``=HYPERLINK(...)`` is a text cell."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_FORMATS[lang],
        },
    )


def make_styles(workbook: Any, scale: Scale, lang: str) -> Styles:
    fills = _level_fills(len(scale.levels))
    return Styles(
        header=workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": HEADER_FILL,
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        ),
        text=workbook.add_format({"num_format": "@"}),
        date=workbook.add_format({"num_format": DATE_FORMATS[lang]}),
        wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
        title=workbook.add_format({"bold": True, "font_size": 13}),
        bold=workbook.add_format({"bold": True}),
        levels=[workbook.add_format({"bg_color": fill}) for fill in fills],
    )


def _level_fills(count: int) -> list[str]:
    if count <= 1:
        return list(LEVEL_FILLS[-1:]) * count
    last = len(LEVEL_FILLS) - 1
    return [LEVEL_FILLS[round(i * last / (count - 1))] for i in range(count)]


def print_setup(sheet: Any, title: str, lang: str) -> None:
    """Print the sheet as a document: A4 landscape, fit to the page's width (as many pages
    down as it takes), margins, the sheet's name and the date at the top and page numbers at
    the foot."""
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    sheet.set_header(f"&L&8 {title.replace('&', '&&')}&R&8&D")
    sheet.set_footer("&R&8" + ("Seite &P von &N" if lang == "de" else "Page &P of &N"))


def close_workbook(workbook: Any, path: Path) -> None:
    """Finish the workbook; an OS error becomes a FileError naming the file."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except FileCreateError as exc:
        if exc.args and isinstance(exc.args[0], OSError):
            raise exc.args[0] from None  # a full disk, say: described where the file is written
        raise FileError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc),
            _("Check the disk space and the folder's permissions; nothing was written."),
        ) from exc
