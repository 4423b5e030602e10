"""Bulk import of offers from CSV or XLSX: the template, reading an upload, and an all-or-nothing import.

The columns are the offer's importable fields (offers/fields.py). Every row goes through the same rules
as the offer form (create_offer, hence schemas.OfferIn), each inside its own SAVEPOINT. A preview rolls everything back and reports every
row's problems (row number as in the spreadsheet, column, message); the import saves the rows only
when none has a problem, in one transaction. Multi-value columns hold codes separated by ";".
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

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlite_utils import Database
from sqlite_utils.utils import Format, rows_from_file

from exchange.core.errors import ExchangeError, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import Kind
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
# The template.

def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW[c] for c in COLUMNS])
    return out.getvalue()


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "offers"
    sheet.append(COLUMNS)
    sheet.append([EXAMPLE_ROW[c] for c in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    notes = workbook.create_sheet("how to fill in")
    for line in [
        ("column", "what to write"),
        ("organisation", ("The provider's code (e.g. UNODC). Providers: leave empty or write your own code. "
                         "Coordinators: or choose the provider on the upload page.")),
        ("themes, modalities, languages", "Required. Codes separated by ';' (see the API's reference lists)."),
        ("countries, regions", ("ISO3 country codes and UN M49 region codes separated by ';'. Both empty: "
                               "anywhere.")),
        ("available_from, available_until", "Dates as YYYY-MM-DD."),
        ("capacity", "How many requests at once (a whole number); empty: no limit."),
        ("budget_usd", "A whole number of US dollars."),
    ]:
        notes.append(list(line))
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
        raise UploadError("The CSV file is not UTF-8 text: save it as \"CSV UTF-8\".",
                          {"file": ["Not UTF-8 text."]}) from None
    rows, _ = rows_from_file(io.BytesIO(text.encode("utf-8")), format=Format.CSV)
    return [{(k or "").strip().lower(): _text(v) for k, v in row.items()} for row in rows]


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook["offers"] if "offers" in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_text(v).lower() for v in next(lines, [])]
        rows = [{name: _text(v) for name, v in zip(header, values, strict=False) if name} for values in lines]
        workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, IndexError):
        raise UploadError("The file is not a readable XLSX workbook.", {"file": ["Not an XLSX workbook."]}) from None
    return rows


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The data rows of an uploaded CSV or XLSX file as column → text (blank lines dropped).

    The rows are loaded into an in-memory SQLite table (sqlite-utils) to check the columns in one place."""
    if not data:
        raise UploadError("The file is empty.", {"file": ["Choose a CSV or XLSX file with a header row."]})
    if len(data) > MAX_BYTES:
        raise UploadError("The file is too large (5 MB at most).", {"file": ["At most 5 MB."]})
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(data)
    else:
        raise UploadError("Upload a .csv or .xlsx file.", {"file": ["Only CSV and XLSX files."]})
    rows = [row for row in rows if any(v for v in row.values())]
    if not rows:
        raise UploadError("The file has no data rows under its header.", {"file": ["No rows to import."]})
    if len(rows) > MAX_ROWS:
        raise UploadError(f"At most {MAX_ROWS} rows per file.", {"file": [f"{len(rows)} rows: split the file."]})
    sheet = Database(memory=True)
    sheet["rows"].insert_all(rows, alter=True)
    present = set(sheet["rows"].columns_dict)
    missing = [c for c in OFFER_REQUIRED if c not in present]
    unknown = sorted(present - set(COLUMNS))
    if missing or unknown:
        message = []
        if missing:
            message.append(f"missing column(s): {', '.join(missing)}")
        if unknown:
            message.append(f"unknown column(s): {', '.join(unknown)}")
        raise UploadError("The header row does not match the template: " + "; ".join(message) + ".",
                          {"file": ["Download the template and keep its header row."]})
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
            raw[column] = codes
        elif column in INTEGERS:
            if value:
                try:
                    raw[column] = int(value.replace(" ", "").replace(",", ""))
                except ValueError:
                    problems.append((column, "Write a whole number."))
        elif column == "organisation":
            if value or default_organisation:
                raw[column] = value or default_organisation
        elif value:
            raw[column] = value
    return raw, problems


def _problems_of(row_number: int, err: ExchangeError) -> list[Problem]:
    if err.fields:
        return [Problem(row_number, column if column in COLUMNS else "—", message)
                for column, messages in err.fields.items() for message in messages]
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
        result.problems.extend(Problem(number, column, message) for column, message in early)
        savepoint = db.session.begin_nested()
        try:
            offer = create_offer(user, raw)
            savepoint.commit()
            created.append(offer)
        except ExchangeError as err:
            savepoint.rollback()
            result.problems.extend(_problems_of(number, err))
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
        raise ValidationFailed("This import has expired: upload the file again.", {"file": ["Upload again."]})
    path = _folder(instance_path) / f"{int(user_id)}-{token}.json"
    try:
        stash = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationFailed("This import has expired: upload the file again.", {"file": ["Upload again."]}) \
            from None
    if time.time() - stash.get("at", 0) > TOKEN_LIFETIME_SECONDS:
        path.unlink(missing_ok=True)
        raise ValidationFailed("This import has expired: upload the file again.", {"file": ["Upload again."]})
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
