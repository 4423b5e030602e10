"""What every bulk import shares (offers and requests from spreadsheets, activities from IATI files): a
spreadsheet described by its field spec's import columns (`Sheet`: the header row in any of the six languages
or by codes, CSV or XLSX, checked columns, a row as the form would send it), a problem found in a row, each row tried through its area's own operation inside a SAVEPOINT, all rows saved in
one transaction or none, and the parsed rows kept between the preview and the confirmation.

The rows wait in a file under instance/imports/, named by a random token and bound to the user who uploaded
them, for an hour. Knows nothing of the areas: each passes its operation in."""
from __future__ import annotations

import io
import json
import secrets
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlite_utils import Database
from sqlite_utils.utils import Format, rows_from_file

from exchange.core.errors import ExchangeError, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import Field, Kind
from exchange.core.i18n import LANGUAGES, speaking

TOKEN_LIFETIME_SECONDS = 3600


@dataclass
class Problem:
    row: int          # as numbered in the file: a spreadsheet's header is row 1; an IATI file's activities from 1
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

    def as_dict(self) -> dict:
        """What a background import keeps of it (jobs/imports.py), plain JSON."""
        return {"rows": self.rows, "problems": [[p.row, p.column, p.message] for p in self.problems],
                "saved_ids": list(self.saved_ids)}

    @classmethod
    def from_dict(cls, data: dict) -> ImportResult:
        return cls(rows=int(data.get("rows", 0)), problems=[Problem(*p) for p in data.get("problems", [])],
                   saved_ids=list(data.get("saved_ids", [])))


class UploadError(ExchangeError):
    """The file cannot be read as the import's sheet."""
    code, status = "validation_error", 422


# --------------------------------------------------------------------------------------------
# A spreadsheet of records: its columns are a field spec's import fields.

def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Sheet:
    """The spreadsheet of one import: its XLSX sheet's name, its columns (import fields of a spec) and the
    columns it must have."""

    name: str
    fields: tuple[Field, ...]
    required: tuple[str, ...]
    max_rows: int = 2000
    max_bytes: int = 5 * 1024 * 1024

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def headers(self) -> list[str]:
        """The template's header row: each column's label in the current language."""
        return [str(f.label) for f in self.fields]

    def header_label(self, column: str) -> str:
        """A column's name as the template's header writes it in the current language (the code if none)."""
        return next((str(f.label) for f in self.fields if f.name == column), column)

    def column_names(self) -> dict[str, str]:
        """What an upload's header cell may say (case and spaces aside) → the column: the code, or the label
        in any of the six languages (a template filled in in French goes back in as it is)."""
        names = {_header_key(c): c for c in self.columns}
        for code in LANGUAGES:
            with speaking(code):
                names.update((_header_key(str(f.label)), f.name) for f in self.fields)
        return names

    def _column(self, names: dict[str, str], header: str) -> str:
        key = _header_key(header)
        return names.get(key, key)

    def _read_csv(self, data: bytes) -> list[dict[str, str]]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UploadError(_("The CSV file is not UTF-8 text: save it as “CSV UTF-8”."),
                              {"file": [_("Not UTF-8 text.")]}) from None
        rows, _format = rows_from_file(io.BytesIO(text.encode("utf-8")), format=Format.CSV)
        names = self.column_names()
        return [{self._column(names, k or ""): cell_text(v) for k, v in row.items()} for row in rows]

    def _read_xlsx(self, data: bytes) -> list[dict[str, str]]:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook[self.name] if self.name in workbook.sheetnames else workbook.worksheets[0]
            lines = sheet.iter_rows(values_only=True)
            names = self.column_names()
            header = [self._column(names, cell_text(v)) for v in next(lines, [])]
            rows = [{name: cell_text(v) for name, v in zip(header, values, strict=False) if name} for values in lines]
            workbook.close()
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, IndexError):
            raise UploadError(_("The file is not a readable XLSX workbook."),
                              {"file": [_("Not an XLSX workbook.")]}) from None
        return rows

    def read(self, filename: str, data: bytes) -> list[dict[str, str]]:
        """The data rows of an uploaded CSV or XLSX file as column → text (blank lines dropped).

        The rows are loaded into an in-memory SQLite table (sqlite-utils) to check the columns in one place."""
        if not data:
            raise UploadError(_("The file is empty."), {"file": [_("Choose a CSV or XLSX file with a header row.")]})
        if len(data) > self.max_bytes:
            megabytes = self.max_bytes // (1024 * 1024)
            raise UploadError(_("The file is too large (%(num)s MB at most).", num=megabytes),
                              {"file": [_("At most %(num)s MB.", num=megabytes)]})
        name = (filename or "").lower()
        if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
            rows = self._read_xlsx(data)
        elif name.endswith((".csv", ".txt")) or not name:
            rows = self._read_csv(data)
        else:
            raise UploadError(_("Upload a .csv or .xlsx file."), {"file": [_("Only CSV and XLSX files.")]})
        rows = [row for row in rows if any(v for v in row.values())]
        if not rows:
            raise UploadError(_("The file has no data rows under its header."), {"file": [_("No rows to import.")]})
        if len(rows) > self.max_rows:
            raise UploadError(_("At most %(limit)s rows per file.", limit=self.max_rows),
                              {"file": [_("%(count)s rows: split the file.", count=len(rows))]})
        table = Database(memory=True)
        table["rows"].insert_all(rows, alter=True)
        present = set(table["rows"].columns_dict)
        missing = [c for c in self.required if c not in present]
        unknown = sorted(present - set(self.columns))
        if missing or unknown:
            message = []
            if missing:
                message.append(_("The header row does not match the template: missing column(s): %(columns)s.",
                                 columns=", ".join(self.header_label(c) for c in missing)))
            if unknown:
                message.append(_("The header row does not match the template: unknown column(s): %(columns)s.",
                                 columns=", ".join(unknown)))
            raise UploadError(" ".join(message), {"file": [_("Download the template and keep its header row.")]})
        return [{c: (row.get(c) or "") for c in self.columns} for row in rows]

    def row_to_raw(self, row: dict[str, str], skip: Iterable[str] = ()) -> tuple[dict, list[tuple[str, str]]]:
        """What the record's form would send for this row (codes split on ";", whole numbers read), and the
        problems found before validation; the columns in `skip` are the import's own to read."""
        raw: dict = {}
        problems: list[tuple[str, str]] = []
        for f in self.fields:
            if f.name in skip:
                continue
            value = (row.get(f.name) or "").strip()
            if f.kind == Kind.CODES:
                codes = [c.strip() for c in value.replace(",", ";").split(";") if c.strip()]
                raw[f.name] = [c.upper() for c in codes] if f.reference == "countries" else \
                    [c.lower() for c in codes] if f.reference in ("themes", "modalities", "languages") else codes
            elif f.kind in (Kind.NUMBER, Kind.MONEY):
                if value:
                    try:
                        raw[f.name] = int(value.replace(" ", "").replace(",", ""))
                    except ValueError:
                        problems.append((f.name, _("Write a whole number.")))
            elif f.kind == Kind.BOOLEAN:
                raw[f.name] = value.casefold() in TRUE_WORDS
            elif f.kind == Kind.CODE and value:
                raw[f.name] = value.upper() if f.upper else value.lower() if f.reference == "languages" else value
            elif value:
                raw[f.name] = value
        return raw, problems


# What a yes/no column may say for yes (any other value, or none, is no).
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "oui", "sí", "si", "да", "是", "نعم"})


def problems_of(row_number: int, err: ExchangeError, columns: Iterable[str],
                told: Iterable[str] = ()) -> list[Problem]:
    """An operation's refusal as problems of one row (a field outside `columns` is written "—"); the columns
    already `told` of before validation (a near miss suggested, a number not read) are not told twice."""
    known, told = set(columns), set(told)
    if err.fields:
        return [Problem(row_number, column if column in known else "—", message)
                for column, messages in err.fields.items() if column not in told for message in messages]
    return [Problem(row_number, "—", err.message)]


def try_in_savepoint(apply: Callable[[], Any]) -> tuple[Any, ExchangeError | None]:
    """Run one row's operation in a SAVEPOINT: its result, or the refusal (and the row's work undone)."""
    savepoint = db.session.begin_nested()
    try:
        result = apply()
        savepoint.commit()
        return result, None
    except ExchangeError as err:
        savepoint.rollback()
        return None, err


def finish(commit: bool, ok: bool, before_commit: Callable[[], None] | None = None) -> bool:
    """Save everything the rows did when asked to and nothing was refused; otherwise undo it all.
    `before_commit` adds its own writes to that transaction (a background import's result and its claimed
    key: jobs/imports.py)."""
    if commit and ok:
        if before_commit is not None:
            before_commit()
        db.session.commit()
        return True
    db.session.rollback()
    return False


# --------------------------------------------------------------------------------------------
# Keeping the parsed rows between the preview and the confirmation.

def _folder(instance_path: str) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _expired() -> ValidationFailed:
    return ValidationFailed(_("This import has expired: upload the file again."), {"file": [_("Upload again.")]})


def stash_rows(instance_path: str, user_id: int, rows: list[dict], meta: dict) -> str:
    """Keep the rows for one hour; returns the token the confirmation form carries."""
    token = secrets.token_urlsafe(24)
    path = _folder(instance_path) / f"{user_id}-{token}.json"
    path.write_text(json.dumps({"rows": rows, "meta": meta, "at": time.time()}), encoding="utf-8")
    _sweep(instance_path)
    return token


def load_stash(instance_path: str, user_id: int, token: str) -> tuple[list[dict], dict]:
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token) or len(token) > 64:
        raise _expired()
    path = _folder(instance_path) / f"{int(user_id)}-{token}.json"
    try:
        stash = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _expired() from None
    if time.time() - stash.get("at", 0) > TOKEN_LIFETIME_SECONDS:
        path.unlink(missing_ok=True)
        raise _expired()
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
