"""Pages across records: the needs matrix, dashboards, the progress report, and the exports (CSV, XLSX,
IATI XML). Thin views: parse the filters, compute through exchange/reports (which reads through the
access policy), render or send."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.core.access import allow
from exchange.core.errors import ValidationFailed
from exchange.core.statuses import RequestStatus, Role
from exchange.reference.models import PILLARS
from exchange.reports import dashboards, exports, iati, money
from exchange.reports import matrix as matrix_module
from exchange.reports import progress as progress_module
from exchange.reports.filters import ReportFilters, region_choices
from exchange.reports.matrix_html import CellWriter

bp = Blueprint("reports", __name__, template_folder="templates")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(fields=("region", "pillar", "start", "end")) -> tuple[ReportFilters, dict[str, list[str]]]:
    """The report filters from the query string, or empty filters and the errors to show beside the fields."""
    try:
        return ReportFilters.from_params(request.args, only=fields), {}
    except ValidationFailed as err:
        return ReportFilters(), err.fields


def _refuse_if_invalid(errors: dict[str, list[str]]) -> None:
    """Files are not sent for filters that are not valid: a 422 that names each field's problem."""
    if errors:
        raise ValidationFailed(_("Some filters are not valid: %(problems)s", problems="; ".join(
            f"{k}: {' '.join(str(m) for m in v)}" for k, v in errors.items())), errors)


def _filter_context(filters: ReportFilters, errors: dict) -> dict:
    return {"filters": filters, "errors": errors, "typed": request.args, "regions": region_choices(),
            "pillars": PILLARS}


def requests_list_link():
    """`link(**filters)`: the requests list with these filters. The list's address is built once; the matrix
    links thousands of cells, and building each through the URL map took half its time."""
    base = url_for("requests.index")

    def link(**params) -> str:
        query = urlencode({k: v for k, v in params.items() if v}, doseq=True)
        return f"{base}?{query}" if query else base
    return link


@bp.route("/matrix")
@allow(*Role)
def matrix():
    filters, errors = _filters()
    result = matrix_module.compute_matrix(current_user, filters)
    view = matrix_module.MatrixView.from_params(request.args, result)
    return render_template("reports/matrix.html", matrix=result, view=view,
                           list_url=requests_list_link(), statuses_of=matrix_module.STATUSES_OF_COLUMN,
                           cells=CellWriter(result, url_for("requests.index"), {
                               "open": _("open"), "matched": _("matched"), "delivered": _("delivered"),
                               "gap": _("Gap"), "none": _("none")}),
                           view_url=matrix_view_link(), export_args=filters.as_args(),
                           **_filter_context(filters, errors))


def matrix_view_link():
    """`link(**changes)`: this matrix page with its query arguments (filters, folded regions, gaps only) changed
    as given (None drops one), so that every state of the page is an address to keep or share."""
    base = url_for("reports.matrix")
    current = {k: v for k, v in request.args.items() if v}

    def link(**changes) -> str:
        params = {**current, **changes}
        query = urlencode({k: v for k, v in params.items() if v}, doseq=True)
        return f"{base}?{query}" if query else base
    return link


@bp.route("/dashboard")
@allow(*Role)
def dashboard():
    filters, errors = _filters()
    data = dashboards.compute_dashboard(current_user, filters)
    return render_template("reports/dashboard.html", data=data, charts=data.chart_specs(),
                           status_labels=RequestStatus.labels(), month_label=dashboards.month_label,
                           money=money.money_totals(current_user, filters), stage_labels=money.stage_labels(),
                           **_filter_context(filters, errors))


def _progress_period() -> tuple[date, date, dict[str, list[str]]]:
    """The report's period from the query string (default: the last 90 days, today included), and the errors
    to show beside the fields."""
    today = date.today()
    filters, errors = _filters(fields=("start", "end"))
    return filters.start or today - timedelta(days=89), filters.end or today, errors


@bp.route("/reports/progress")
@allow(*Role.OFFICE)
def progress():
    start, end, errors = _progress_period()
    report = progress_module.compute_progress(current_user, start, end)
    return render_template("reports/progress.html", report=report, errors=errors, typed=request.args,
                           pillars=PILLARS, stage_labels=money.stage_labels())


@bp.route("/reports/progress.pdf")
@allow(*Role.OFFICE)
def progress_pdf():
    """The same report as a PDF file; a period that is not valid is refused (422), not replaced."""
    start, end, errors = _progress_period()
    _refuse_if_invalid(errors)
    from exchange.reports.progress_pdf import progress_pdf as render_pdf
    report = progress_module.compute_progress(current_user, start, end)
    return Response(render_pdf(report, date.today()), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="exchange-progress-{start.isoformat()}-{end.isoformat()}.pdf"',
        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------------------------
# Exports.

@bp.route("/exports")
@allow(*Role)
def exports_index():
    return render_template("reports/exports.html")


def _send(table: exports.Table, fmt: str):
    stamp = date.today().isoformat()
    filename = f"exchange-{table.name}-{stamp}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(stream_with_context(exports.csv_chunks(table)), mimetype="text/csv", headers=headers)
    return Response(exports.xlsx_bytes(table), mimetype=XLSX_TYPE, headers=headers)


def _export(kind: str, fmt: str):
    filters, errors = _filters()
    _refuse_if_invalid(errors)
    table = exports.table_for(kind, current_user, request.args, filters)  # each list reads its own filters
    return _send(table, fmt)


@bp.route("/exports/requests.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/exports/requests.csv", defaults={"fmt": "csv"})
@allow(*Role)
def export_requests(fmt):
    return _export("requests", fmt)


@bp.route("/exports/offers.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/exports/offers.csv", defaults={"fmt": "csv"})
@allow(*Role)
def export_offers(fmt):
    return _export("offers", fmt)


@bp.route("/exports/matches.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/exports/matches.csv", defaults={"fmt": "csv"})
@allow(*Role)
def export_matches(fmt):
    return _export("matches", fmt)


@bp.route("/exports/matrix.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/exports/matrix.csv", defaults={"fmt": "csv"})
@allow(*Role)
def export_matrix(fmt):
    return _export("matrix", fmt)


@bp.route("/exports/audit.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/exports/audit.csv", defaults={"fmt": "csv"})
@allow(*Role.OFFICE)
def export_audit(fmt):
    return _export("audit", fmt)


@bp.route("/exports/iati-activities.xml")
@allow(*Role)
def export_iati():
    """The same document as GET /api/v1/exports/iati-activities.xml, for a signed-in browser."""
    document, count = iati.export_for(current_user, current_app.config.get("IATI_ORGANISATION_REFS"))
    return Response(document, mimetype="application/xml", headers={
        "Content-Disposition": 'attachment; filename="exchange-iati-activities.xml"',
        "X-IATI-Activities": str(count), "Cache-Control": "no-store"})
