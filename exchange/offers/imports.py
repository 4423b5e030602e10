"""Bulk import of offers from CSV or XLSX: the template, reading an upload, and an all-or-nothing import.

The columns are the offer's importable fields (offers/fields.py). Every row goes through the same rules
as the offer form (create_offer, hence schemas.OfferIn), each inside its own SAVEPOINT. A preview rolls everything back and reports every
row's problems (row number as in the spreadsheet, column, message); the import saves the rows only
when none has a problem, in one transaction. Multi-value columns hold codes separated by ";".
The template's header row names the columns in the person's language (the fields' labels); an upload's
header may name them so in any of the six languages, or by their codes (`title`, `themes`…).
Between the preview and the confirmation the parsed rows wait in a file under instance/imports/,
named by a random token and bound to the user who uploaded them.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlite_utils import Database
from sqlite_utils.utils import Format, rows_from_file

from exchange.core.errors import ExchangeError, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import Kind
from exchange.core.i18n import LANGUAGES, speaking
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
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
TOKEN_LIFETIME_SECONDS = 3600


class UploadError(ExchangeError):
    """The file cannot be read as an offers sheet."""
    code, status = "validation_error", 422


@dataclass
class Problem:
    row: int          # as numbered in the spreadsheet: the header is row 1
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    saved_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems})


# --------------------------------------------------------------------------------------------
# The template, its header row in the current language.

def headers() -> list[str]:
    """The template's header row: each column's label in the current language."""
    return [str(f.label) for f in OFFER.import_fields]


def header_label(column: str) -> str:
    """A column's name as the template's header writes it in the current language (the code if none)."""
    return str(OFFER[column].label) if column in OFFER.by_name else column


def _header_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def column_names() -> dict[str, str]:
    """What an upload's header cell may say (case and spaces aside) → the column: the code, or the label in
    any of the six languages (a template filled in in French goes back in as it is)."""
    names = {_header_key(c): c for c in COLUMNS}
    for code in LANGUAGES:
        with speaking(code):
            names.update((_header_key(str(f.label)), f.name) for f in OFFER.import_fields)
    return names


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
    writer.writerow([_text(example[c]) for c in COLUMNS])
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

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(_("The CSV file is not UTF-8 text: save it as “CSV UTF-8”."),
                          {"file": [_("Not UTF-8 text.")]}) from None
    rows, _format = rows_from_file(io.BytesIO(text.encode("utf-8")), format=Format.CSV)
    names = column_names()
    return [{_column(names, k or ""): _text(v) for k, v in row.items()} for row in rows]


def _column(names: dict[str, str], header: str) -> str:
    """The column a header cell names (see column_names); an unknown one as written, in lower case."""
    key = _header_key(header)
    return names.get(key, key)


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook["offers"] if "offers" in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        names = column_names()
        header = [_column(names, _text(v)) for v in next(lines, [])]
        rows = [{name: _text(v) for name, v in zip(header, values, strict=False) if name} for values in lines]
        workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, IndexError):
        raise UploadError(_("The file is not a readable XLSX workbook."),
                          {"file": [_("Not an XLSX workbook.")]}) from None
    return rows


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The data rows of an uploaded CSV or XLSX file as column → text (blank lines dropped).

    The rows are loaded into an in-memory SQLite table (sqlite-utils) to check the columns in one place."""
    if not data:
        raise UploadError(_("The file is empty."), {"file": [_("Choose a CSV or XLSX file with a header row.")]})
    if len(data) > MAX_BYTES:
        raise UploadError(_("The file is too large (5 MB at most)."), {"file": [_("At most 5 MB.")]})
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(data)
    else:
        raise UploadError(_("Upload a .csv or .xlsx file."), {"file": [_("Only CSV and XLSX files.")]})
    rows = [row for row in rows if any(v for v in row.values())]
    if not rows:
        raise UploadError(_("The file has no data rows under its header."), {"file": [_("No rows to import.")]})
    if len(rows) > MAX_ROWS:
        raise UploadError(_("At most %(limit)s rows per file.", limit=MAX_ROWS),
                          {"file": [_("%(count)s rows: split the file.", count=len(rows))]})
    sheet = Database(memory=True)
    sheet["rows"].insert_all(rows, alter=True)
    present = set(sheet["rows"].columns_dict)
    missing = [c for c in OFFER_REQUIRED if c not in present]
    unknown = sorted(present - set(COLUMNS))
    if missing or unknown:
        message = []
        if missing:
            message.append(_("The header row does not match the template: missing column(s): %(columns)s.",
                             columns=", ".join(header_label(c) for c in missing)))
        if unknown:
            message.append(_("The header row does not match the template: unknown column(s): %(columns)s.",
                             columns=", ".join(unknown)))
        raise UploadError(" ".join(message), {"file": [_("Download the template and keep its header row.")]})
    return [{c: (row.get(c) or "") for c in COLUMNS} for row in rows]


# --------------------------------------------------------------------------------------------
# Rows → offers.

def row_to_raw(row: dict[str, str], default_organisation: str | None) -> tuple[dict, list[tuple[str, str]]]:
    """What the offer form would send for this row, and the problems found before validation."""
    raw: dict = {}
    problems: list[tuple[str, str]] = []
    for column in COLUMNS:
        value = (row.get(column) or "").strip()
        if column in MULTI_VALUE:
            codes = [c.strip() for c in value.replace(",", ";").split(";") if c.strip()]
            if column in ("countries",):
                codes = [c.upper() for c in codes]
            if column in ("themes", "modalities", "languages"):
                codes = [c.lower() for c in codes]
            problems.extend(_near_misses(column, codes))
            raw[column] = codes
        elif column in INTEGERS:
            if value:
                try:
                    raw[column] = int(value.replace(" ", "").replace(",", ""))
                except ValueError:
                    problems.append((column, _("Write a whole number.")))
        elif column == "content_language":
            if value:
                raw[column] = value.lower()
                problems.extend(_near_misses(column, [value.lower()]))
        elif column == "organisation":
            if value or default_organisation:
                raw[column] = value or default_organisation
        elif value:
            raw[column] = value
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


def _problems_of(row_number: int, err: ExchangeError, told: set[str] = frozenset()) -> list[Problem]:
    """A row's refusal as problems; a column already `told` of (a near miss suggested) is not told twice."""
    if err.fields:
        return [Problem(row_number, column if column in COLUMNS else "—", message)
                for column, messages in err.fields.items() if column not in told for message in messages]
    return [Problem(row_number, "—", err.message)]


def import_offers(user, rows: list[dict[str, str]], *, default_organisation: str | None = None,
                  commit: bool = False, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate every row (each in a SAVEPOINT through create_offer). With `commit` and no
    problem in any row, save them all in one transaction; otherwise nothing is saved."""
    result = ImportResult(rows=len(rows))
    created = []
    for index, row in enumerate(rows):
        number = index + 2  # the header is row 1
        raw, early = row_to_raw(row, default_organisation)
        told = {column.split(":")[0] for column, _m in early if column.endswith(f":{SUGGESTED}")}
        early = [(column, message) for column, message in early if not column.endswith(f":{SUGGESTED}")]
        told |= {column for column, _m in early if column in INTEGERS}
        result.problems.extend(Problem(number, column, message) for column, message in early)
        savepoint = db.session.begin_nested()
        try:
            offer = create_offer(user, raw)
            savepoint.commit()
            created.append(offer)
        except ExchangeError as err:
            savepoint.rollback()
            result.problems.extend(_problems_of(number, err, told))
        if progress:
            progress(1)
    if commit and result.ok:
        db.session.commit()
        result.saved_ids = [o.id for o in created]
    else:
        db.session.rollback()
    return result


# --------------------------------------------------------------------------------------------
# Keeping the parsed rows between the preview and the confirmation.

def _folder(instance_path: str) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash_rows(instance_path: str, user_id: int, rows: list[dict], meta: dict) -> str:
    """Keep the rows for one hour; returns the token the confirmation form carries."""
    token = secrets.token_urlsafe(24)
    path = _folder(instance_path) / f"{user_id}-{token}.json"
    path.write_text(json.dumps({"rows": rows, "meta": meta, "at": time.time()}), encoding="utf-8")
    _sweep(instance_path)
    return token


def load_stash(instance_path: str, user_id: int, token: str) -> tuple[list[dict], dict]:
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token) or len(token) > 64:
        raise ValidationFailed(_("This import has expired: upload the file again."), {"file": [_("Upload again.")]})
    path = _folder(instance_path) / f"{int(user_id)}-{token}.json"
    try:
        stash = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationFailed(_("This import has expired: upload the file again."), {"file": [_("Upload again.")]}) \
            from None
    if time.time() - stash.get("at", 0) > TOKEN_LIFETIME_SECONDS:
        path.unlink(missing_ok=True)
        raise ValidationFailed(_("This import has expired: upload the file again."), {"file": [_("Upload again.")]})
    return stash["rows"], stash.get("meta", {})


def drop_stash(instance_path: str, user_id: int, token: str) -> None:
    if token and all(ch.isalnum() or ch in "-_" for ch in token):
        (_folder(instance_path) / f"{int(user_id)}-{token}.json").unlink(missing_ok=True)


def _sweep(instance_path: str) -> None:
    cutoff = time.time() - TOKEN_LIFETIME_SECONDS
    for path in _folder(instance_path).glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            pass
