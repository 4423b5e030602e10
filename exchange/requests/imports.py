"""Requests in bulk: coordinators import needs from a CSV or XLSX sheet (for example the recommendations of
an assessment visit), one request a row, on behalf of the State each row names; all the rows or none.

The columns are the request's importable fields (requests/fields.py); every row goes through the same
rules as the request form and the API (create_request, hence schemas.RequestIn), inside its own SAVEPOINT
(core/imports.py, shared with the offers import). The preview rolls everything back and reports every
row's problems (row number as in the spreadsheet, column, message); the import saves the rows, submitted for
review, only when none has a problem, in one transaction. Multi-value columns hold codes separated by ";";
the header may name the columns in any of the six languages or by their codes."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask_babel import gettext as _
from openpyxl import Workbook

from exchange.core.imports import ImportResult, Problem, Sheet, finish, problems_of, try_in_savepoint
from exchange.jobs.imports import register_sheet
from exchange.requests.fields import REQUEST
from exchange.requests.operations import create_request

# Required columns: what a submitted request needs (the urgency has its default).
REQUIRED_COLUMNS = tuple(name for name in REQUEST.required if name != "urgency")
SHEET = Sheet("requests", tuple(REQUEST.import_fields), REQUIRED_COLUMNS, 10_000, 10 * 1024 * 1024)
COLUMNS = SHEET.columns
EXAMPLE_ROW = {
    "country": "KGZ",
    "title": "Legal advice on criminalising the financing of foreign terrorist fighters",
    "description": "The assessment visit recommended aligning the criminal code with resolution 2178 (2014): "
                   "expert review of the draft amendments and a workshop with prosecutors.",
    "content_language": "en",
    "themes": "legal-framework;financing",
    "modalities": "legislative-drafting;workshop",
    "languages": "ru;en",
    "urgency": "high",
    "visibility": "task_force",
    "publish_summary": "no",
    "beneficiary": "Ministry of Justice",
    "desired_start": "2026-04-01",
    "desired_end": "2026-09-30",
    "estimated_budget_usd": "40000",
}


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SHEET.headers())
    writer.writerow([EXAMPLE_ROW.get(c, "") for c in COLUMNS])
    return out.getvalue()


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET.name
    sheet.append(SHEET.headers())
    sheet.append([EXAMPLE_ROW.get(c, "") for c in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"
    notes = workbook.create_sheet(_("how to fill in"))
    label = SHEET.header_label
    for line in [
        (_("column"), _("what to write")),
        (label("country"), _("Required. The ISO 3166-1 alpha-3 code of the Member State the need is for (e.g. KGZ): "
                             "the request belongs to that State's focal points.")),
        (", ".join(label(c) for c in ("themes", "modalities", "languages")),
         _("Required. Codes separated by ';' (see the API's reference lists).")),
        (label("urgency"), _("low, medium, high or critical; empty: medium.")),
        (label("visibility"), _("task_force, providers or restricted; empty: task_force.")),
        (label("publish_summary"), _("yes to publish it on the public summary (the State's consent); empty: no.")),
        (", ".join(label(c) for c in ("desired_start", "desired_end")), _("Dates as YYYY-MM-DD.")),
        (label("estimated_budget_usd"), _("A whole number of US dollars.")),
        ("", _("The header row may name the columns in any of the six languages, or by their codes.")),
    ]:
        notes.append(list(line))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    return SHEET.read(filename, data)


def import_requests(user, rows: list[dict[str, str]], *, commit: bool = False,
                    progress: Callable[[int], None] | None = None,
                    before_commit: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Validate every row through create_request (each in a SAVEPOINT). With `commit` and no problem in any
    row, save them all (submitted for review) in one transaction (with what `before_commit(result)` adds to
    it: a background import's result); otherwise nothing is saved."""
    result = ImportResult(rows=len(rows))
    created = []
    for index, row in enumerate(rows):
        number = index + 2  # the header is row 1
        raw, early = SHEET.row_to_raw(row)
        result.problems.extend(Problem(number, column, message) for column, message in early)
        req, err = try_in_savepoint(lambda raw=raw: create_request(user, {**raw, "draft": False}))
        if err is None:
            created.append(req)
        else:
            result.problems.extend(problems_of(number, err, COLUMNS))
        if progress:
            progress(1)
    result.saved_ids = [r.id for r in created] if result.ok else []
    if not finish(commit, result.ok, before_commit and (lambda: before_commit(result))):
        result.saved_ids = []
    return result


def _import_for_job(user, rows, options, **kwargs) -> ImportResult:
    return import_requests(user, rows, **kwargs)


register_sheet("requests", _import_for_job)  # a large file: checked, then saved, by background jobs
