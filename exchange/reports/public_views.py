"""The public summary's page and CSV, without sign-in (`/public`, `/public/summary.csv`): thin views over
reports/public.py, which holds the one rule of what is published."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from exchange.core.access import PUBLIC, allow
from exchange.reference.models import PILLARS
from exchange.reports.public import MEASURE_LABELS, public_summary, summary_csv

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/public")
@allow(PUBLIC)
def summary():
    data = public_summary()
    return render_template("public/summary.html", data=data, charts=data.chart_specs(), pillars=PILLARS,
                           measures=MEASURE_LABELS)


@bp.route("/public/summary.csv")
@allow(PUBLIC)
def summary_csv_file():
    return Response(summary_csv(public_summary()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="public-summary.csv"'})
