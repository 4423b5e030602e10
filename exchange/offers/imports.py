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
from datetime import date

from flask_babel import gettext as _

from exchange.core.fields import Kind
from exchange.core.imports import (  # noqa: F401 (the stash: offers.imports' names for its views)
    ImportResult,
    Problem,
    Sheet,
    UploadError,
    cell_text,
    drop_stash,
    finish,
    load_stash,
    problems_of,
    stash_rows,
    try_in_savepoint,
)
from exchange.jobs.imports import register_sheet
from exchange.offers.fields import OFFER
from exchange.offers.operations import create_offer
from exchange.offers.schemas import OFFER_REQUIRED
from exchange.reference import sheets
from exchange.reference.names import name as reference_name
from exchange.reference.schemas import reference_codes

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
MAX_ROWS = 10_000  # above IMPORT_JOB_ROWS an import runs as background jobs (jobs/imports.py)
MAX_BYTES = 10 * 1024 * 1024
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


def example_row(organisation: str | None = None) -> dict:
    """The template's example row, for the provider `organisation` (the downloader's own, when it posts for
    itself): dates and numbers as such, so that a spreadsheet shows them as dates and numbers."""
    return {**EXAMPLE_ROW, "organisation": organisation or EXAMPLE_ROW["organisation"],
            "available_from": date(2026, 1, 15), "available_until": date(2026, 12, 31), "capacity": 3,
            "budget_usd": 120000}


def template_csv(organisation: str | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    example = example_row(organisation)
    writer.writerow([cell_text(example[c]) for c in COLUMNS])
    return out.getvalue()


# What each column takes, for the template's checks and drop-downs (reference/sheets.py).
_TAKES = {Kind.CODES: "codes", Kind.CODE: "code", Kind.DATE: "date", Kind.NUMBER: "number", Kind.MONEY: "number"}
_WIDTHS = {"title": 40, "description": 60, "contact_email": 30, "contact_name": 24}


def template_columns(organisation: str | None = None) -> list[sheets.Column]:
    example = example_row(organisation)
    return [sheets.Column(
        f.name, str(f.label), _TAKES.get(f.kind, "text"),
        table=("providers" if f.name == "organisation" else f.reference) if f.kind in (Kind.CODE, Kind.CODES) else "",
        required=f.required, example=example[f.name], width=_WIDTHS.get(f.name, 18),
        minimum=f.minimum) for f in OFFER.import_fields]


def template_xlsx(organisation: str | None = None, providers: list[tuple[str, str]] | None = None) -> bytes:
    """The offers template in the reader's language: the offers sheet (header, the example row for
    `organisation`, drop-downs of the codes), the codes sheet (`providers`: (code, name) the provider column
    offers) and how to fill it in."""
    notes = [
        (header_label("organisation"), _("The provider's code (e.g. UNODC). Providers: leave empty or write your "
                                         "own code. Coordinators: or choose the provider on the upload page.")),
        (header_label("content_language"), _("The ISO 639-1 code of the language the title and description are "
                                             "written in (e.g. fr); empty: detected from the text.")),
        (", ".join(header_label(c) for c in ("themes", "modalities", "languages")),
         _("Required. Codes separated by ';': the sheet “%(sheet)s” lists them with their names.",
           sheet=sheets.codes_sheet_title())),
        (", ".join(header_label(c) for c in ("countries", "regions")),
         _("ISO3 country codes and UN M49 region codes separated by ';'. Both empty: anywhere.")),
        (", ".join(header_label(c) for c in ("available_from", "available_until")), _("Dates as YYYY-MM-DD.")),
        (header_label("capacity"), _("How many requests at once (a whole number); empty: no limit.")),
        (header_label("budget_usd"), _("A whole number of US dollars.")),
        ("", _("The header row may name the columns in any of the six languages, or by their codes.")),
    ]
    workbook = sheets.template_workbook("offers", template_columns(organisation), notes, providers or [])
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
    for column in MULTI_VALUE:
        problems.extend(_near_misses(column, raw.get(column, [])))
    if raw.get("content_language"):
        raw["content_language"] = raw["content_language"].lower()
        problems.extend(_near_misses("content_language", [raw["content_language"]]))
    organisation = (row.get("organisation") or "").strip() or default_organisation
    if organisation:
        raw["organisation"] = organisation
    return raw, problems


SUGGESTED = "suggested"  # a problem's tag: every unknown code of its column has its near miss told


def _near_misses(column: str, codes: list[str]) -> list[tuple[str, str]]:
    """For each code of a column that is not one, the code meant when its name says it ("english" in the
    languages column: "Did you mean “en” (English)?"), as (column, message) problems; when every unknown code of
    the column has one, the last problem's column is tagged so that the schema's "Unknown …" is not said too."""
    table = OFFER[column].reference
    known = reference_codes(table)
    unknown = [code for code in codes if code not in known]
    problems = []
    for code in unknown:
        meant = sheets.suggestion(table, code, known)
        if meant:
            problems.append((column, _("“%(written)s” is not a code of this column. Did you mean “%(code)s” "
                                       "(%(name)s)?", written=code, code=meant,
                                       name=reference_name(sheets.TABLE_KINDS[table], meant))))
    if unknown and len(problems) == len(unknown):
        problems.append((f"{column}:{SUGGESTED}", ""))
    return problems




def import_offers(user, rows: list[dict[str, str]], *, default_organisation: str | None = None,
                  commit: bool = False, progress: Callable[[int], None] | None = None,
                  before_commit: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Validate every row (each in a SAVEPOINT through create_offer). With `commit` and no
    problem in any row, save them all in one transaction (with what `before_commit(result)` adds to it: a
    background import's result); otherwise nothing is saved."""
    result = ImportResult(rows=len(rows))
    created = []
    for index, row in enumerate(rows):
        number = index + 2  # the header is row 1
        raw, early = row_to_raw(row, default_organisation)
        told = {column.split(":")[0] for column, _m in early if column.endswith(f":{SUGGESTED}")}
        early = [(column, message) for column, message in early if not column.endswith(f":{SUGGESTED}")]
        told |= {column for column, _m in early if column in INTEGERS}
        result.problems.extend(Problem(number, column, message) for column, message in early)
        offer, err = try_in_savepoint(lambda raw=raw: create_offer(user, raw))
        if err is None:
            created.append(offer)
        else:
            result.problems.extend(problems_of(number, err, COLUMNS, told))
        if progress:
            progress(1)
    result.saved_ids = [o.id for o in created] if result.ok else []
    if not finish(commit, result.ok, before_commit and (lambda: before_commit(result))):
        result.saved_ids = []
    return result


def _import_for_job(user, rows, options, **kwargs) -> ImportResult:
    return import_offers(user, rows, default_organisation=options.get("organisation"), **kwargs)


register_sheet("offers", _import_for_job)  # a large file: checked, then saved, by background jobs
