"""Hostile input files, built on demand (no committed binaries).

Each builder writes one file into a folder and returns its path. The workbooks start from a
small valid one written by xlsxwriter and have one part replaced or patched.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

HEADER = ["LeiKa-Schlüssel", "Leistung"]
KEY = "99050012104000"
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


def valid_workbook(path: Path, rows: list[list[str]] | None = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    for r, row in enumerate([HEADER, *(rows if rows is not None else [[KEY, "Gewerbe"]])]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return path


def _rezip(src: Path, dst: Path, replace: dict[str, Callable[[bytes], bytes]]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in replace:
                data = replace[info.filename](data)
            zout.writestr(info.filename, data)
    return dst


def not_a_zip(folder: Path) -> Path:
    path = folder / "kein-zip.xlsx"
    path.write_bytes(b"LeiKa-Schluessel;Leistung\n99050012104000;Gewerbe\n")
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "leer.xlsx"
    path.write_bytes(b"")
    return path


def truncated_zip(folder: Path) -> Path:
    whole = valid_workbook(folder / "abgeschnitten.xlsx")
    whole.write_bytes(whole.read_bytes()[:-300])  # the end (the zip's directory) is missing
    return whole


def zip_bomb(folder: Path) -> Path:
    """A sheet holding one cell of 64 MB of the same letter: 64 KB packed."""
    base = valid_workbook(folder / "basis.xlsx")

    def inflate(data: bytes) -> bytes:
        head, tail = data.split(b"</sheetData>")
        cell = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"A" * (64 << 20)
        return head + cell + b"</t></is></c></row></sheetData>" + tail

    path = _rezip(base, folder / "bombe.xlsx", {"xl/worksheets/sheet1.xml": inflate})
    base.unlink()
    return path


def huge_declared_size(folder: Path) -> Path:
    """A small archive whose directory claims a sheet of 4 GB (patched header fields)."""
    path = valid_workbook(folder / "riesig.xlsx")
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, 0xFFFF_FFF0)  # uncompressed size
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    return path


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [<!ENTITY l0 "ha">'
    + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"".join(b"&l%d;" % (i - 1) for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>"
)


def entity_bomb(folder: Path) -> Path:
    base = valid_workbook(folder / "basis.xlsx")

    def laugh(data: bytes) -> bytes:
        body = data[data.index(b"?>") + 2 :]
        return BILLION_LAUGHS + body.replace(b"<t>Gewerbe</t>", b"<t>&l9;</t>")

    path = _rezip(base, folder / "entitaeten.xlsx", {"xl/sharedStrings.xml": laugh})
    base.unlink()
    return path


def _cfb(stream_names: list[str]) -> bytes:
    """A minimal OLE (compound file) image: header and one directory sector with the names."""
    header = bytearray(512)
    header[:8] = CFB_SIGNATURE
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # version, byte order, 512 B
    struct.pack_into("<I", header, 48, 0)  # first directory sector
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", *stream_names][:4]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128 : i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
    return bytes(header + directory)


def encrypted_workbook(folder: Path) -> Path:
    path = folder / "passwort.xlsx"
    path.write_bytes(_cfb(["EncryptionInfo", "EncryptedPackage"]))
    return path


def renamed_xls(folder: Path) -> Path:
    path = folder / "alt.xlsx"
    path.write_bytes(_cfb(["Workbook", "\x05SummaryInformation"]))
    return path


def unknown_ole(folder: Path) -> Path:
    path = folder / "ole.xlsx"
    path.write_bytes(_cfb(["Contents"]))
    return path


def empty_workbook(folder: Path) -> Path:
    path = folder / "leere-mappe.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Tabelle1")
    book.close()
    return path


def declared_dimension(folder: Path) -> Path:
    """Two real rows, but the sheet's dimension says A1:Z1048576."""
    base = valid_workbook(folder / "basis.xlsx")

    def widen(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:Z1048576"/>', data)

    path = _rezip(base, folder / "dimension.xlsx", {"xl/worksheets/sheet1.xml": widen})
    base.unlink()
    return path


def far_cell(folder: Path, column: int = 16383) -> Path:
    """One stray cell in the last row (and, by default, the last column) of the sheet."""
    path = folder / "ferne-zelle.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, [KEY, "Gewerbe"])
    sheet.write_string(1_048_575, column, "x")
    book.close()
    return path


def _text_cell(ref: str, text: str) -> str:
    return f'<c{ref} t="inlineStr"><is><t>{text}</t></is></c>'


def hand_written_rows(folder: Path, name: str, rows: str) -> Path:
    """A workbook whose sheet holds the header row and then ``rows`` (sheet XML) as given: what
    a hand-made generator or a tampered file may hold, and Excel never writes."""
    base = valid_workbook(folder / "basis.xlsx")
    header = "".join(
        _text_cell(f' r="{letter}1"', text) for letter, text in zip("AB", HEADER, strict=True)
    )

    def replace(data: bytes) -> bytes:
        start = data.index(b"<sheetData>") + len(b"<sheetData>")
        end = data.index(b"</sheetData>")
        return data[:start] + f'<row r="1">{header}</row>{rows}'.encode() + data[end:]

    path = _rezip(base, folder / name, {"xl/worksheets/sheet1.xml": replace})
    base.unlink()
    return path


def far_cell_written_oddly(folder: Path, cell: str) -> Path:
    """A cell in the last row and column, written as ``cell`` (sheet XML) gives it."""
    return hand_written_rows(folder, "seltsam.xlsx", '<row r="1048576">' + cell + "</row>")


def row_of_eight_digits(folder: Path) -> Path:
    cell = _text_cell(' r="B99999999"', "x")
    return hand_written_rows(folder, "achtstellig.xlsx", '<row r="99999999">' + cell + "</row>")


def cells_without_reference(folder: Path, row: int, count: int) -> Path:
    """Row ``row`` with ``count`` cells without a reference (each takes the next column)."""
    cells = "".join(_text_cell("", f"x{n}") for n in range(count))
    return hand_written_rows(folder, "ohne-bezug.xlsx", f'<row r="{row}">{cells}</row>')


def csv_file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def long_shared_string(folder: Path, length: int = 60_000_000) -> Path:
    """A workbook whose one text cell holds ``length`` characters (in the shared strings, where
    a sheet's own checks do not see it): varied letters, so that it packs no better than text."""
    import random

    letters = bytes(b"abcdefghijklmnopqrstuvwxyz "[i % 27] for i in range(256))
    text = random.Random(5).randbytes(length).translate(letters)
    base = valid_workbook(folder / "basis.xlsx", [[KEY, "PLATZHALTER"]])
    path = _rezip(
        base,
        folder / "lange-zelle.xlsx",
        {"xl/sharedStrings.xml": lambda data: data.replace(b"PLATZHALTER", text)},
    )
    base.unlink()
    return path


def column_beyond_xfd(folder: Path) -> Path:
    """A cell one column right of Excel's last (XFD) in a sheet of two rows."""
    cell = _text_cell(' r="XFE2"', "x")
    return hand_written_rows(folder, "zu-breit.xlsx", f'<row r="2">{cell}</row>')


def wide_csv(folder: Path, fields: int = 5_000_000) -> Path:
    """A CSV line of ``fields`` fields (semicolons)."""
    return csv_file(
        folder,
        "breit.csv",
        "LeiKa-Schlüssel;Leistung\n".encode() + KEY.encode() + b";Gewerbe" + b";" * fields + b"\n",
    )


def wide_csv_header(folder: Path, fields: int = 20_000) -> Path:
    """A CSV header of ``fields`` columns."""
    header = ";".join(["LeiKa-Schlüssel", "Leistung", *(f"S{n}" for n in range(fields))])
    return csv_file(folder, "breiter-kopf.csv", f"{header}\n{KEY};Gewerbe\n".encode())


def long_csv_cell(folder: Path, length: int = 60_000_000) -> Path:
    """A CSV file whose one cell holds ``length`` characters."""
    return csv_file(
        folder,
        "lange-zelle.csv",
        f"LeiKa-Schlüssel;Leistung\n{KEY};".encode() + b"x" * length + b"\n",
    )
