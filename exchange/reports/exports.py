"""Exports of every list (requests, offers, matches, the needs matrix, the audit trail) as CSV and XLSX.

The request and offer columns come from the records' field specs (requests/fields.py, offers/fields.py).
Each export reads what the viewer may see (access.py) with the list's own filter object (RequestFilters,
OfferFilters, MatchFilters, AuditFilters, ReportFilters: the same query arguments, read the same way, as the
list pages and the API), and writes the same columns to either format: beside each column of codes (themes,
countries, the status…) a column of their names in the reader's language. The XLSX workbook has column widths,
a frozen header row with an auto-filter, and real dates and numbers (not text). Text that a
spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) is written
with a leading apostrophe in CSV and as a plain string (never a formula) in XLSX.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from exchange.audit.filters import AuditFilters
from exchange.audit.models import AuditEvent
from exchange.audit.queries import filter_audit, sort_audit
from exchange.core.access import may_see_audit
from exchange.core.errors import Forbidden
from exchange.core.extensions import db
from exchange.core.fields import Kind
from exchange.core.statuses import MatchStatus
from exchange.matches.delivery import totals_in_usd
from exchange.matches.filters import MatchFilters
from exchange.matches.models import Match
from exchange.matches.policy import may_read_provider_note, visible_matches
from exchange.matches.queries import filter_matches
from exchange.offers.fields import OFFER
from exchange.offers.filters import OfferFilters
from exchange.offers.models import Offer
from exchange.offers.policy import visible_offers
from exchange.offers.queries import filter_offers, sort_offers
from exchange.people.models import User
from exchange.reference.names import name as reference_name
from exchange.reports.filters import ReportFilters
from exchange.reports.matrix import compute_matrix, matrix_rows_for_export
from exchange.requests.fields import REQUEST
from exchange.requests.filters import RequestFilters
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import visible_requests
from exchange.requests.queries import filter_requests, sort_requests

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500
KINDS = ("requests", "offers", "matches", "matrix", "audit")
MAX_AUDIT_ROWS = 100_000


@dataclass
class Table:
    """An export: a name, a header and the rows (lazily produced)."""

    name: str
    header: list[str]
    rows: Iterable[list]
    sheet: str = ""        # the XLSX sheet's name, in the reader's language (default: `name`)
    widths: list[int] | None = None   # the XLSX columns' widths (characters), a column each


# The reference kind (reference/names.py) naming the codes of a field, by its reference table or name.
NAMED_KINDS = {"countries": "country", "regions": "region", "languages": "language", "themes": "theme",
               "modalities": "modality", "organisation": "organisation", "country": "country"}
WIDTHS = {Kind.LONG_TEXT: 60, Kind.TEXT: 36, Kind.CODES: 18, Kind.CODE: 12, Kind.DATE: 12, Kind.DATETIME: 19,
          Kind.NUMBER: 10, Kind.MONEY: 14, Kind.CHOICE: 14, Kind.EMAIL: 28}


def _names_of(kind: str, value):
    if isinstance(value, (list, tuple)):
        return [reference_name(kind, code) for code in value]
    return reference_name(kind, value) if value else None


def spec_columns(spec) -> tuple[list[str], Callable[[object], list], list[int]]:
    """A record's export columns from its field spec: each field's (by its name), and beside a field of codes or
    of a choice the names of its values in the reader's language (headed by the field's label). Returns the
    header, the row of a record and the widths."""
    header, getters, widths = [], [], []
    for f in spec.export_fields:
        header.append(f.name)
        getters.append(f.value_of)
        widths.append(WIDTHS.get(f.kind, 16))
        kind = (NAMED_KINDS.get(f.reference) or NAMED_KINDS.get(f.name)) if f.kind in (Kind.CODE, Kind.CODES) else None
        if kind:
            header.append(str(f.label))
            getters.append(lambda record, f=f, kind=kind: _names_of(kind, f.value_of(record)))
            widths.append(40 if f.kind == Kind.CODES else 24)
        elif f.kind == Kind.CHOICE and f.choices:
            header.append(str(f.label))
            getters.append(lambda record, f=f: str(f.choices[f.value_of(record)]) if f.value_of(record) in f.choices
                           else f.value_of(record))
            widths.append(20)
    return header, (lambda record: [get(record) for get in getters]), widths


def plain(value):
    """A cell value as CSV/XLSX can hold it: dates as ISO text, lists joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _in_chunks(stmt) -> Iterator:
    """Rows of `stmt` in pages of CHUNK_ROWS (each page one query, its relationships loaded with it).
    `stmt` must be in a total order (the sort_* orders end on the id), or pages could overlap."""
    offset = 0
    while True:
        batch = db.session.scalars(stmt.limit(CHUNK_ROWS).offset(offset)).unique().all()
        yield from batch
        if len(batch) < CHUNK_ROWS:
            return
        offset += CHUNK_ROWS


def requests_table(user, filters: RequestFilters) -> Table:
    R = AssistanceRequest
    stmt = sort_requests(filter_requests(visible_requests(user), filters), filters.sort).options(
        selectinload(R.themes), selectinload(R.modalities), selectinload(R.languages), joinedload(R.organisation))

    header, row, widths = spec_columns(REQUEST)
    return Table("requests", header, (row(r) for r in _in_chunks(stmt)), _("Requests"), widths)


def offers_table(user, filters: OfferFilters) -> Table:
    O = Offer
    stmt = sort_offers(filter_offers(visible_offers(user), filters), filters.sort).options(
        selectinload(O.themes), selectinload(O.modalities), selectinload(O.languages), selectinload(O.countries),
        selectinload(O.regions), joinedload(O.organisation))

    header, row, widths = spec_columns(OFFER)
    return Table("offers", header, (row(o) for o in _in_chunks(stmt)), _("Offers"), widths)


def match_header() -> list[str]:
    """The matches export's column names in the current language (English: id, reference, status, …)."""
    return [pgettext("export column", "id"), pgettext("export column", "reference"),
            pgettext("export column", "status"), pgettext("export column", "request_id"),
            pgettext("export column", "request_reference"), pgettext("export column", "country"),
            pgettext("export column", "country_name"), pgettext("export column", "request_title"), pgettext("export column", "offer_id"),
            pgettext("export column", "offer_reference"), pgettext("export column", "provider"),
            pgettext("export column", "offer_title"), pgettext("export column", "score"),
            pgettext("export column", "note"), pgettext("export column", "created_at"),
            pgettext("export column", "accepted_at"), pgettext("export column", "started_at"),
            pgettext("export column", "completed_at"), pgettext("export column", "confirmed_at"),
            pgettext("export column", "decline_reason"), pgettext("export column", "outcome"),
            pgettext("export column", "rating"), pgettext("export column", "feedback"),
            pgettext("export column", "pledged_usd"), pgettext("export column", "committed_usd"),
            pgettext("export column", "disbursed_usd"), pgettext("export column", "results")]


def matches_table(user, filters: MatchFilters) -> Table:
    M = Match
    stmt = filter_matches(visible_matches(user), filters).order_by(M.id.desc()).options(
        joinedload(M.request), joinedload(M.offer).joinedload(Offer.organisation), selectinload(M.funding),
        selectinload(M.results))

    def rows():
        for m in _in_chunks(stmt):
            usd = totals_in_usd(m.funding)  # the money and results of a match are seen by who sees the match
            yield [m.id, m.reference, MatchStatus(m.status).label, m.request_id, m.request.reference, m.request.country_iso3,
                   reference_name("country", m.request.country_iso3), m.request.title, m.offer_id, m.offer.reference, m.offer.organisation.code, m.offer.title,
                   round(m.score, 3) if m.score is not None else None,
                   m.note if may_read_provider_note(user, m) else "", m.created_at, m.accepted_at,  # never the State's
                   m.started_at, m.completed_at, m.confirmed_at, m.decline_reason, m.outcome, m.rating, m.feedback,
                   usd["pledged"], usd["committed"], usd["disbursed"], len(m.results)]
    return Table("matches", match_header(), rows(), _("Matches"),
                 [8, 10, 14, 10, 12, 8, 28, 40, 8, 10, 12, 40, 8, 30, 19, 19, 19, 19, 19, 30, 40, 8, 30, 14, 14, 14, 8])


def matrix_table(user, filters: ReportFilters) -> Table:
    header, rows = matrix_rows_for_export(compute_matrix(user, filters))
    return Table("matrix", header, rows, _("Needs matrix"))


def audit_header() -> list[str]:
    """The audit export's column names in the current language (English: id, at, actor, …)."""
    return [pgettext("export column", "id"), pgettext("export column", "at"), pgettext("export column", "actor"),
            pgettext("export column", "action"), pgettext("export column", "record_type"),
            pgettext("export column", "record_id"), pgettext("export column", "summary"),
            pgettext("export column", "changes")]


def audit_table(user, filters: AuditFilters) -> Table:
    """The audit trail (coordinators and admins), newest first, with the audit trail page's filters."""
    if not may_see_audit(user):
        raise Forbidden(_("Only the Task Force office may export the audit trail."))
    A = AuditEvent
    stmt = sort_audit(filter_audit(select(A).options(joinedload(A.actor)), filters))
    stmt = stmt.limit(MAX_AUDIT_ROWS)

    system = _("system")

    def rows():
        for e in db.session.scalars(stmt):
            actor: User | None = e.actor
            yield [e.id, e.at, actor.email if actor else system, e.action, e.record_type, e.record_id,
                   e.summary, e.changes]
    return Table("audit", audit_header(), rows(), _("Audit trail"), [8, 19, 28, 22, 12, 10, 50, 60])


# --------------------------------------------------------------------------------------------
# Writers.

def csv_chunks(table: Table) -> Iterator[str]:
    """The CSV text in pieces (header first), for a streamed response. UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(table.header)
    for i, row in enumerate(table.rows, start=1):
        writer.writerow([neutralise(plain(v)) for v in row])
        if i % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(table: Table) -> str:
    return "".join(csv_chunks(table))


def sheet_title(name: str) -> str:
    """A name Excel takes for a sheet: at most 31 characters, none of : \\ / ? * [ ]."""
    return "".join(" " if c in ':\\/?*[]' else c for c in str(name))[:31].strip() or "Sheet"


def cell_value(value):
    """A cell value for XLSX: dates and times as such (shown as dates, sorted as dates), numbers as numbers,
    the rest as `plain` writes it."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, date):
        return value
    return plain(value)


def xlsx_bytes(table: Table, progress: Callable[[int], None] | None = None) -> bytes:
    """The table as an XLSX workbook: one sheet, a bold header row frozen with an auto-filter, column widths,
    real dates and numbers, every text cell a string (never a formula)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(table.sheet or table.name))
    widths = table.widths or [max(10, min(40, len(str(name)) + 2)) for name in table.header]
    for index, width in enumerate(widths[:len(table.header)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, row in enumerate(table.rows, start=1):
        cells = []
        for value in row:
            value = cell_value(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"   # never a formula, whatever the text starts with
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        if progress and count % CHUNK_ROWS == 0:
            progress(CHUNK_ROWS)
    if table.header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{count + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_for(kind: str, user, params: Mapping, filters: ReportFilters | None = None) -> Table:
    """The export `kind` with the list's filters read from `params` (the matrix's: `filters`, if read
    already); a filter that cannot be understood is refused (ValidationFailed) rather than left out of the
    file."""
    if kind == "requests":
        return requests_table(user, RequestFilters.from_params(params))
    if kind == "offers":
        return offers_table(user, OfferFilters.from_params(params))
    if kind == "matches":
        return matches_table(user, MatchFilters.from_params(params))
    if kind == "matrix":
        return matrix_table(user, filters if filters is not None else ReportFilters.from_params(params))
    if kind == "audit":
        return audit_table(user, AuditFilters.from_params(params))
    raise ValueError(kind)
