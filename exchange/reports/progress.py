"""The progress report for a period: requests received, triaged, matched and delivered; by pillar and
region; median times; and the needs matrix's gaps. Counts only what the viewer may see.

Definitions (all on the period, both ends inclusive):
- received: requests submitted in the period (`submitted_at`);
- triaged: requests a coordinator accepted, rejected or asked for information about in the period (from the
  audit trail; a request triaged twice counts once);
- matched: matches a provider accepted in the period (`accepted_at`);
- delivered: matches completed in the period (`completed_at`);
- times: for the requests received in the period, submission to first proposal and to delivery (median
  and 90th percentile, in working days, as on the dashboard and in triage);
- gaps: the matrix (requests submitted in the period) cells with open needs and no offer to meet them;
- money: US dollars pledged, committed and disbursed by entries dated in the period, by pillar, region, provider
  and year; results: the indicators of the deliveries completed in the period, by pillar (reports/money.py).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.matches.policy import match_scope
from exchange.reference.models import PILLARS, Country, Region
from exchange.reports.dashboards import Duration, count_by_pillar, submission_durations
from exchange.reports.filters import ReportFilters
from exchange.reports.matrix import Matrix, compute_matrix
from exchange.reports.money import MoneyTotals, PillarResults, money_totals, results_by_pillar
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import request_scope

TRIAGE_ACTIONS = ("request.accept", "request.reject", "request.request-info")


@dataclass
class ProgressReport:
    start: date
    end: date
    received: int
    triaged: int
    matched: int
    delivered: int
    received_by_pillar: dict[str, int]
    by_region: list[dict]                  # code, name, received, matched, delivered
    to_first_proposal: Duration
    to_delivery: Duration
    matrix: Matrix
    money: MoneyTotals
    results: list[PillarResults]

    @property
    def gaps(self):
        return self.matrix.gaps()


def compute_progress(user, start: date, end: date) -> ProgressReport:
    filters = ReportFilters(start=start, end=end)
    R = AssistanceRequest
    visible = request_scope(user)

    received = and_(visible, *filters.period(R.submitted_at))
    received_rows = db.session.execute(select(R.id, R.submitted_at, R.country_iso3).where(received)).all()
    submitted = {rid: at for rid, at, _ in received_rows}

    triaged = db.session.scalar(
        select(func.count(func.distinct(AuditEvent.record_id))).where(
            AuditEvent.record_type == "request", AuditEvent.action.in_(TRIAGE_ACTIONS),
            *filters.period(AuditEvent.at), AuditEvent.record_id.in_(select(R.id).where(visible))))

    matches = match_scope(user)
    matched_rows = db.session.execute(select(Match.id, R.country_iso3).join(R, R.id == Match.request_id).where(
        matches, visible, *filters.period(Match.accepted_at))).all()
    delivered_rows = db.session.execute(select(Match.id, R.country_iso3).join(R, R.id == Match.request_id).where(
        matches, visible, *filters.period(Match.completed_at))).all()

    pillar_counts = count_by_pillar(received)

    countries = {iso3 for _, _, iso3 in received_rows} | {iso3 for _, iso3 in matched_rows} | \
        {iso3 for _, iso3 in delivered_rows}
    region_of = dict(db.session.execute(select(Country.iso3, Country.region_code).where(
        Country.iso3.in_(countries))).all()) if countries else {}
    region_names = ({region.code: region.label for region in db.session.scalars(select(Region))}
                    if countries else {})
    received_by_region = Counter(region_of.get(iso3) for _, _, iso3 in received_rows)
    matched_by_region = Counter(region_of.get(iso3) for _, iso3 in matched_rows)
    delivered_by_region = Counter(region_of.get(iso3) for _, iso3 in delivered_rows)
    by_region = sorted(({"code": code, "name": region_names.get(code) or _("Other"),
                         "received": received_by_region[code], "matched": matched_by_region[code],
                         "delivered": delivered_by_region[code]} for code in set(region_of.values())),
                       key=lambda r: r["name"])

    to_first_proposal, to_delivery = submission_durations(submitted, matches, received)

    return ProgressReport(
        start=start, end=end, received=len(received_rows), triaged=triaged or 0, matched=len(matched_rows),
        delivered=len(delivered_rows), received_by_pillar={p: pillar_counts.get(p, 0) for p in PILLARS},
        by_region=by_region, to_first_proposal=to_first_proposal, to_delivery=to_delivery,
        matrix=compute_matrix(user, filters), money=money_totals(user, filters),
        results=results_by_pillar(user, start, end))
