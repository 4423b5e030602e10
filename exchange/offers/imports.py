"""Bulk import of offers from CSV or XLSX: the template, reading an upload, and an all-or-nothing import.

The columns are the offer's importable fields (offers/fields.py). Every row goes through the same rules
as the offer form (create_offer, hence schemas.OfferIn), each inside its own SAVEPOINT. A preview rolls everything back and reports every
row's problems (row number as in the spreadsheet, column, message); the import saves the rows only
when none has a problem, in one transaction. Multi-value columns hold codes separated by ";".
The template's header row names the columns in the person's language (the fields' labels); an upload's
header may name them so in any of the six languages, or by their codes (`title`, `themes`…).
Between the preview and the confirmation the parsed rows wait in a file under instance/imports/,
named by a random token and bound to the user who uploaded them (core/imports.py: the stash, the SAVEPOINT
a row and the all-or-nothing finish, shared with the other imports).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask_babel import gettext as _
from openpyxl import Workbook

from exchange.core.fields import Kind
from exchange.core.imports import (  # noqa: F401 (the stash: offers.imports' names for its views)
    ImportResult,
    Problem,
    Sheet,
    UploadError,
    drop_stash,
    finish,
    load_stash,
    problems_of,
    stash_rows,
    try_in_savepoint,
)
from exchange.offers.fields import OFFER
from exchange.offers.operations import create_offer
from exchange.offers.schemas import OFFER_REQUIRED

COLUMNS = [f.name for f in OFFER.import_fields]
MULTI_VALUE = tuple(f.name for f in OFFER.import_fields if f.kind == Kind.CODES)
INTEGERS = tuple(f.name for f in OFFER.import_fields if f.kind in (Kind.NUMBER, Kind.MONEY))
EXAMPLE_ROW = {
    "organisation": "UNODC",
    "title": "Countering the financing of terrorism: FIU analysts' training",
    "description": "Two-week course for financial intelligence unit analysts on detecting and analysing "
                   "suspicious transactions linked to terrorism financing, with a follow-up mentoring visit.",
    "content_language": "en",
    "themes": "financing;criminal-justice",
    "modalities": "training;expert-advice",
    "languages": "en;ru",
    "countries": "KAZ;KGZ",
    "regions": "143",
    "available_from": "2026-01-15",
    "available_until": "2026-12-31",
    "capacity": "3",
    "budget_usd": "120000",
    "contact_name": "Programme officer",
    "contact_email": "cft-programme@example.org",
}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
TOKEN_LIFETIME_SECONDS = 3600


SHEET = Sheet("offers", tuple(OFFER.import_fields), OFFER_REQUIRED, MAX_ROWS, MAX_BYTES)


# --------------------------------------------------------------------------------------------
# The template, its header row in the current language.

def headers() -> list[str]:
    """The template's header row: each column's label in the current language."""
    return SHEET.headers()


def header_label(column: str) -> str:
    """A column's name as the template's header writes it in the current language (the code if none)."""
    return SHEET.header_label(column)


def column_names() -> dict[str, str]:
    """What an upload's header cell may say → the column (core/imports.Sheet.column_names)."""
    return SHEET.column_names()


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerow([EXAMPLE_ROW[c] for c in COLUMNS])
    return out.getvalue()


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "offers"
    sheet.append(headers())
    sheet.append([EXAMPLE_ROW[c] for c in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    notes = workbook.create_sheet(_("how to fill in"))
    for line in [
        (_("column"), _("what to write")),
        (header_label("organisation"), _("The provider's code (e.g. UNODC). Providers: leave empty or write your "
                                         "own code. Coordinators: or choose the provider on the upload page.")),
        (header_label("content_language"), _("The ISO 639-1 code of the language the title and description are "
                                             "written in (e.g. fr); empty: detected from the text.")),
        (", ".join(header_label(c) for c in ("themes", "modalities", "languages")),
         _("Required. Codes separated by ';' (see the API's reference lists).")),
        (", ".join(header_label(c) for c in ("countries", "regions")),
         _("ISO3 country codes and UN M49 region codes separated by ';'. Both empty: anywhere.")),
        (", ".join(header_label(c) for c in ("available_from", "available_until")), _("Dates as YYYY-MM-DD.")),
        (header_label("capacity"), _("How many requests at once (a whole number); empty: no limit.")),
        (header_label("budget_usd"), _("A whole number of US dollars.")),
        ("", _("The header row may name the columns in any of the six languages, or by their codes.")),
    ]:
        notes.append(list(line))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Reading an upload.

def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The data rows of an uploaded CSV or XLSX file as column → text (core/imports.Sheet.read)."""
    return SHEET.read(filename, data)


# --------------------------------------------------------------------------------------------
# Rows → offers.

def row_to_raw(row: dict[str, str], default_organisation: str | None) -> tuple[dict, list[tuple[str, str]]]:
    """What the offer form would send for this row, and the problems found before validation."""
    raw, problems = SHEET.row_to_raw(row, skip=("organisation",))
    organisation = (row.get("organisation") or "").strip() or default_organisation
    if organisation:
        raw["organisation"] = organisation
    return raw, problems


def import_offers(user, rows: list[dict[str, str]], *, default_organisation: str | None = None,
                  commit: bool = False, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate every row (each in a SAVEPOINT through create_offer). With `commit` and no
    problem in any row, save them all in one transaction; otherwise nothing is saved."""
    result = ImportResult(rows=len(rows))
    created = []
    for index, row in enumerate(rows):
        number = index + 2  # the header is row 1
        raw, early = row_to_raw(row, default_organisation)
        result.problems.extend(Problem(number, column, message) for column, message in early)
        offer, err = try_in_savepoint(lambda raw=raw: create_offer(user, raw))
        if err is None:
            created.append(offer)
        else:
            result.problems.extend(problems_of(number, err, COLUMNS))
        if progress:
            progress(1)
    if finish(commit, result.ok):
        result.saved_ids = [o.id for o in created]
    return result
