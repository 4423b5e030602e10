"""Views across records in the API: the needs matrix, the IATI activity export and the public summary."""
from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app
from flask_login import current_user
from flask_smorest import Blueprint

from exchange.core.access import PUBLIC, allow
from exchange.core.statuses import Role
from exchange.reports import iati
from exchange.reports.filters import ReportFilters
from exchange.reports.matrix import compute_matrix
from exchange.reports.public import public_summary

bp = Blueprint("api_views", __name__, url_prefix="/api/v1", description="Views across records")


MatrixArgs = ma.Schema.from_dict(ReportFilters.api_fields(), name="MatrixArgs")


class MatrixCellOut(ma.Schema):
    open = ma.fields.Integer(metadata={"description": "Requests accepted into `open`, not matched yet."})
    matched = ma.fields.Integer(metadata={"description": "Requests `matched` or `in_delivery`."})
    delivered = ma.fields.Integer(metadata={"description": "Requests `completed`."})
    gap = ma.fields.Boolean(metadata={"description": "Open needs and no active offer with capacity left on "
                                                     "this theme that can deliver in this country."})


class MatrixRowOut(ma.Schema):
    country = ma.fields.String(metadata={"description": "ISO 3166-1 alpha-3."})
    name = ma.fields.String()
    region = ma.fields.String(metadata={"description": "The country's M49 region."})
    cells = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(MatrixCellOut),
                           metadata={"description": "Theme code → counts; every theme listed in `themes`."})


class MatrixOut(ma.Schema):
    themes = ma.fields.List(ma.fields.String())
    rows = ma.fields.List(ma.fields.Nested(MatrixRowOut))


@bp.route("/matrix")
@allow(*Role)
@bp.arguments(MatrixArgs, location="query")
@bp.response(200, MatrixOut)
def matrix(args):
    """The needs matrix: per country and theme, requests open, matched and delivered.

    Counts only the requests the caller may see; a request counts in each of its themes. Rows are the
    countries with something to count. An unknown region or pillar, or a bad date, answers 422."""
    return compute_matrix(current_user, ReportFilters.from_params(args)).as_api()


@bp.route("/exports/iati-activities.xml")
@allow(*Role)
@bp.response(200, content_type="application/xml", description="IATI 2.03 `iati-activities` document.")
def iati_activities():
    """Delivered and ongoing assistance as IATI 2.03 activity XML.

    One `iati-activity` per match in delivery or completed that the caller may see. The header
    `X-IATI-Activities` gives their number (with none, the document holds no activity)."""
    document, count = iati.export_for(current_user, current_app.config.get("IATI_ORGANISATION_REFS"))
    return Response(document, mimetype="application/xml", headers={"X-IATI-Activities": str(count)})


def _counts(schema_name: str, **extra) -> type[ma.Schema]:
    return ma.Schema.from_dict({**extra, "requests": ma.fields.Integer(), "matches": ma.fields.Integer(
        metadata={"description": "Matches accepted by their provider (accepted, in delivery, completed)."}),
        "delivered": ma.fields.Integer(metadata={"description": "Completed matches."})}, name=schema_name)


class PublicRecordOut(ma.Schema):
    reference = ma.fields.String()
    title = ma.fields.String()
    country = ma.fields.String(metadata={"description": "ISO 3166-1 alpha-3."})
    themes = ma.fields.List(ma.fields.String())
    year = ma.fields.Integer(metadata={"description": "Year of submission."})
    status = ma.fields.String()
    content_language = ma.fields.String(allow_none=True)


class PublicSummaryOut(ma.Schema):
    totals = ma.fields.Nested(_counts("PublicTotalsOut"))
    by_country = ma.fields.List(ma.fields.Nested(_counts("PublicCountryOut", country=ma.fields.String(), name=ma.fields.String())))
    by_theme = ma.fields.List(ma.fields.Nested(_counts("PublicThemeOut", theme=ma.fields.String(), name=ma.fields.String(),
                                                       pillar=ma.fields.String())))
    by_year = ma.fields.List(ma.fields.Nested(_counts("PublicYearOut", year=ma.fields.Integer())))
    items = ma.fields.List(ma.fields.Nested(_counts("PublicItemOut", country=ma.fields.String(), theme=ma.fields.String(),
                                                    year=ma.fields.Integer())),
                           metadata={"description": "One item a country, theme and year."})
    records = ma.fields.List(ma.fields.Nested(PublicRecordOut),
                             metadata={"description": "The published requests (their States consented)."})


@bp.route("/public/summary")
@allow(PUBLIC)
@bp.response(200, PublicSummaryOut)
@bp.doc(security=[])
def public_summary_api():
    """The public summary, without a token: counts by country, theme and year.

    Only requests whose State consented (`publish_summary: true`), accepted by the Task Force office (open
    and after) and not restricted count; drafts, requests in triage, rejected and withdrawn ones never do.
    A request counts once in each of its themes. Names follow `Accept-Language`."""
    return public_summary().as_api()
