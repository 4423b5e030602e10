"""Spreadsheet templates people fill in, for every bulk import (offers now; the requests' bulk import can use
the same): a sheet of the reference codes with their names in the reader's language, drop-down lists and
type checks on the columns (openpyxl data validations, which Excel and LibreOffice show), and the near miss
behind an unknown code ("english" → `en`, "Kazakstan" → `KAZ`) to suggest it.

Nothing here knows offers or requests: a caller describes its columns (`Column`) and gets a workbook."""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from exchange.core.i18n import LANGUAGES, speaking
from exchange.reference import data
from exchange.reference.names import name as reference_name

# The reference tables a template's columns take codes from, and the kind reference/names.py names them by.
TABLE_KINDS = {"themes": "theme", "modalities": "modality", "languages": "language", "countries": "country",
               "regions": "region", "providers": "organisation"}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


@dataclass(frozen=True)
class Column:
    """One column of a template: its code (what the import reads), its header in the reader's language, what
    it takes (`codes` of a reference table, one `code`, a `date`, a whole `number`, or `text`), whether it is
    required, its width, and the example's value."""

    name: str
    header: str
    takes: str = "text"            # text, codes, code, date, number
    table: str = ""                # codes/code: the reference table (see TABLE_KINDS)
    required: bool = False
    example: object = ""
    width: int = 18
    minimum: int | None = None


@dataclass
class CodeList:
    """The codes of one reference table with their names, as the codes sheet holds them."""

    table: str
    codes: list[tuple[str, str]] = field(default_factory=list)


def code_lists(tables: Iterable[str], providers: Sequence[tuple[str, str]] = ()) -> list[CodeList]:
    """The codes of each table with their names in the current language (providers: given as (code, name))."""
    lists = []
    for table in tables:
        if table == "providers":
            lists.append(CodeList(table, list(providers)))
            continue
        kind = TABLE_KINDS[table]
        key = "iso3" if table == "countries" else "code"
        rows = _rows(table)
        lists.append(CodeList(table, [(row[key], reference_name(kind, row[key], row["name"])) for row in rows]))
    return lists


def _rows(table: str) -> list[dict[str, str]]:
    return {"themes": data.load_themes, "modalities": data.load_modalities, "languages": data.load_languages,
            "countries": data.load_countries, "regions": data.load_regions}[table]()


TABLE_TITLES = {
    "themes": lambda: _("Themes"), "modalities": lambda: _("Kinds of assistance"),
    "languages": lambda: _("Languages"), "countries": lambda: _("Countries"),
    "regions": lambda: _("Regions (UN M49)"), "providers": lambda: _("Providers"),
}


def template_workbook(sheet_title: str, columns: Sequence[Column], notes: Sequence[tuple[str, str]],
                      providers: Sequence[tuple[str, str]] = ()) -> Workbook:
    """A template: the data sheet (header row frozen, widths, the example row with real dates and numbers,
    a drop-down on every coded column and type checks on dates and numbers), the codes sheet (every table
    the columns use: code and name in the reader's language) and the notes ("how to fill in")."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([c.header for c in columns])
    sheet.append([c.example if c.example not in (None, "") else None for c in columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index)
        head.font, head.fill = Font(bold=True), HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = column.width
        if column.takes == "date":
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    tables = [c.table for c in columns if c.table]
    ranges = _codes_sheet(workbook, code_lists(dict.fromkeys(tables), providers))
    last = 1000  # the rows the checks cover: the template's limit is MAX_ROWS of its import
    for index, column in enumerate(columns, start=1):
        cells = f"{get_column_letter(index)}2:{get_column_letter(index)}{last}"
        check = _validation(column, ranges.get(column.table))
        if check is not None:
            sheet.add_data_validation(check)
            check.add(cells)
    notes_sheet = workbook.create_sheet(_("how to fill in"))
    notes_sheet.append([_("column"), _("what to write")])
    for line in notes:
        notes_sheet.append(list(line))
    notes_sheet.column_dimensions["A"].width, notes_sheet.column_dimensions["B"].width = 32, 100
    for cell in notes_sheet[1]:
        cell.font = Font(bold=True)
    return workbook


def codes_sheet_title() -> str:
    return _("codes")


def _codes_sheet(workbook: Workbook, lists: list[CodeList]) -> dict[str, str]:
    """Two columns a table (code, name); returns each table's range of codes, for the drop-downs."""
    sheet = workbook.create_sheet(codes_sheet_title())
    ranges = {}
    for position, codes in enumerate(lists):
        code_col, name_col = position * 3 + 1, position * 3 + 2
        title = TABLE_TITLES[codes.table]()
        sheet.cell(row=1, column=code_col, value=title).font = Font(bold=True)
        sheet.cell(row=1, column=name_col, value=_("name")).font = Font(bold=True)
        for row, (code, label) in enumerate(codes.codes, start=2):
            sheet.cell(row=row, column=code_col, value=code).number_format = "@"
            sheet.cell(row=row, column=name_col, value=label)
        sheet.column_dimensions[get_column_letter(code_col)].width = 20
        sheet.column_dimensions[get_column_letter(name_col)].width = 40
        letter = get_column_letter(code_col)
        ranges[codes.table] = (f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${max(2, len(codes.codes) + 1)}")
    sheet.freeze_panes = "A2"
    return ranges


def _validation(column: Column, codes_range: str | None) -> DataValidation | None:
    if column.takes in ("codes", "code") and codes_range:
        many = column.takes == "codes"
        # Several codes separated by ";" are allowed (a list check would refuse them): the drop-down offers one
        # code, a note says the rest, and the import checks every code.
        return DataValidation(
            type="list", formula1=f"={codes_range}", allow_blank=not column.required,
            showErrorMessage=not many, showInputMessage=True,
            promptTitle=column.header[:32],
            prompt=(_("Choose a code, or write several separated by ; (see the codes sheet).") if many
                    else _("Choose a code from the list (see the codes sheet)."))[:255],
            errorTitle=column.header[:32], error=_("Choose a code from the list (see the codes sheet).")[:255])
    if column.takes == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                              showErrorMessage=True, errorTitle=column.header[:32],
                              error=_("Enter a date, e.g. 2027-03-31.")[:255])
    if column.takes == "number":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(column.minimum or 0),
                              allow_blank=True, showErrorMessage=True, errorTitle=column.header[:32],
                              error=_("Enter a whole number.")[:255])
    return None


# --------------------------------------------------------------------------------------------
# Near misses: the code someone meant by what they wrote.

def _key(text: str) -> str:
    """Casefolded, accents and punctuation dropped: "Côte d’Ivoire" and "cote divoire" are one key."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_NAMES: dict[str, dict[str, str]] = {}


def _names(table: str) -> dict[str, str]:
    """Every way of naming a code of `table` (its code, its name in each of the six languages, a language's
    own name, a country's two-letter code) → the code. Built once a process."""
    if table not in _NAMES:
        kind = TABLE_KINDS[table]
        key = "iso3" if table == "countries" else "code"
        names: dict[str, str] = {}
        rows = _rows(table)
        for language in LANGUAGES:
            with speaking(language):
                for row in rows:
                    names.setdefault(_key(reference_name(kind, row[key], row["name"])), row[key])
        for row in rows:
            names.setdefault(_key(row["name"]), row[key])
            for extra in ("native_name", "iso2"):
                if row.get(extra):
                    names.setdefault(_key(row[extra]), row[key])
            names[_key(row[key])] = row[key]
        names.pop("", None)
        _NAMES[table] = names
    return _NAMES[table]


def suggestion(table: str, written: str, known: Iterable[str] | None = None) -> str | None:
    """The code someone probably meant by `written` in a column of `table` ("english" → "en", "Kazakstan" →
    "KAZ"), or None. `known`: the codes the import accepts (a suggestion is one of them)."""
    if table not in TABLE_KINDS or table == "providers" or not written:
        return None
    names = _names(table)
    allowed = set(known) if known is not None else None
    key = _key(written)
    found = names.get(key)
    if found is None:
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
        found = names[close[0]] if close else None
    if found is None or (allowed is not None and found not in allowed) or found == written:
        return None
    return found

