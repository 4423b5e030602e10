"""Money and results across matches, for the dashboard's money panel and the progress report: US dollars pledged,
committed and disbursed (each entry converted at the rate recorded with it) by pillar, region, provider and year,
and the result indicators of the deliveries, by pillar. Counted over the matches the viewer may see
(matches.policy.match_scope), so money is seen by exactly those who may see its match.

Definitions: an entry counts in the period when its date (`match_funding.date`) is in it; a match whose request
names themes of two pillars counts in both (as the requests by pillar do); the region is the UN M49 region of the
requesting State; the provider is the offer's organisation; results count when their match's delivery was
completed in the period (or, with no period, whenever)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exchange.core.extensions import db
from exchange.core.statuses import FundingStage, MatchStatus
from exchange.matches.models import FundingEntry, Match, MatchResult
from exchange.matches.policy import match_scope
from exchange.offers.models import Offer
from exchange.people.models import Organisation
from exchange.reference.models import PILLARS, Country, Region, Theme
from exchange.reference.names import name as reference_name
from exchange.reports.filters import ReportFilters
from exchange.requests.models import AssistanceRequest, request_themes
from exchange.requests.queries import requests_in_areas, requests_in_pillars

STAGES = tuple(str(stage) for stage in FundingStage)


def _zero() -> dict[str, Decimal]:
    return {stage: Decimal(0) for stage in STAGES}


@dataclass
class MoneyRow:
    """US dollars by stage for one pillar, region, provider or year."""

    key: str
    name: str
    usd: dict[str, Decimal] = field(default_factory=_zero)


@dataclass
class MoneyTotals:
    total: dict[str, Decimal]
    entries: int
    by_pillar: list[MoneyRow]
    by_region: list[MoneyRow]
    by_provider: list[MoneyRow]
    by_year: list[MoneyRow]

    def chart_spec(self, labels: dict[str, str]) -> dict:
        """A Chart.js bar chart of the US dollars by pillar and stage (the table beside it holds the same)."""
        colours = {"pledged": "#8d6e63", "committed": "#005a9c", "disbursed": "#2e7d32"}
        return {"type": "bar", "data": {"labels": [f"{row.key} — {row.name}" for row in self.by_pillar], "datasets": [
            {"label": labels[stage], "data": [float(row.usd[stage]) for row in self.by_pillar],
             "backgroundColor": colours[stage]} for stage in STAGES]},
            "options": {"scales": {"y": {"beginAtZero": True}}}}


@dataclass
class PillarResults:
    pillar: str
    name: str
    results: list[MatchResult]


def _entry_conditions(user, filters: ReportFilters) -> list:
    where = [match_scope(user)]
    if filters.start:
        where.append(FundingEntry.on >= filters.start)
    if filters.end:
        where.append(FundingEntry.on <= filters.end)
    if filters.region:
        where.append(requests_in_areas([filters.region]))
    if filters.pillar:
        where.append(requests_in_pillars([filters.pillar]))
    return where


def _pillars_of(request_ids: set[int]) -> dict[int, set[str]]:
    pillars: dict[int, set[str]] = defaultdict(set)
    if request_ids:
        for request_id, pillar in db.session.execute(
                select(request_themes.c.request_id, Theme.pillar).join(Theme, Theme.code == request_themes.c.theme_code)
                .where(request_themes.c.request_id.in_(request_ids))):
            pillars[request_id].add(pillar)
    return pillars


def _rows(amounts: dict[str, dict[str, Decimal]], names: dict[str, str], by_name: bool = True) -> list[MoneyRow]:
    rows = [MoneyRow(key, names.get(key, key), usd) for key, usd in amounts.items()]
    return sorted(rows, key=(lambda r: r.name.casefold()) if by_name else (lambda r: r.key))


def money_totals(user, filters: ReportFilters | None = None) -> MoneyTotals:
    """US dollars by stage over the funding entries of the matches `user` may see (one query for the entries,
    one for their requests' pillars)."""
    filters = filters or ReportFilters()
    R = AssistanceRequest
    rows = db.session.execute(
        select(FundingEntry.stage, FundingEntry.usd_amount, FundingEntry.on, R.id, Country.region_code,
               Organisation.code, Organisation.name)
        .join(Match, Match.id == FundingEntry.match_id).join(R, R.id == Match.request_id)
        .join(Country, Country.iso3 == R.country_iso3).join(Offer, Offer.id == Match.offer_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(*_entry_conditions(user, filters))).all()
    pillars_of = _pillars_of({row[3] for row in rows})
    total = _zero()
    by_pillar: dict[str, dict] = {p: _zero() for p in PILLARS if not filters.pillar or p == filters.pillar}
    by_region: dict[str, dict] = defaultdict(_zero)
    by_provider: dict[str, dict] = defaultdict(_zero)
    by_year: dict[str, dict] = defaultdict(_zero)
    provider_names: dict[str, str] = {}
    for stage, usd, on, request_id, region, org_code, org_name in rows:
        stage = str(stage)
        total[stage] += usd
        for pillar in pillars_of.get(request_id, ()):
            if pillar in by_pillar:
                by_pillar[pillar][stage] += usd
        by_region[region][stage] += usd
        by_provider[org_code][stage] += usd
        by_year[str(on.year)][stage] += usd
        provider_names[org_code] = org_name
    region_names = {code: reference_name("region", code, name) for code, name in db.session.execute(
        select(Region.code, Region.name).where(Region.code.in_(list(by_region))))} if by_region else {}
    providers = {code: reference_name("organisation", code, name) for code, name in provider_names.items()}
    return MoneyTotals(
        total=total, entries=len(rows),
        by_pillar=[MoneyRow(p, str(PILLARS[p]), usd) for p, usd in by_pillar.items()],
        by_region=_rows(by_region, region_names), by_provider=_rows(by_provider, providers),
        by_year=_rows(by_year, {}, by_name=False))


def results_by_pillar(user, start: date | None = None, end: date | None = None) -> list[PillarResults]:
    """The result indicators of the deliveries `user` may see that were completed in the period, grouped by the
    pillars of their requests' themes (pillars with none left out)."""
    filters = ReportFilters(start=start, end=end)
    results = list(db.session.scalars(
        select(MatchResult).join(Match, Match.id == MatchResult.match_id)
        .where(match_scope(user), Match.status == MatchStatus.COMPLETED, *filters.period(Match.completed_at))
        .options(selectinload(MatchResult.match).selectinload(Match.request).selectinload(AssistanceRequest.country),
                 selectinload(MatchResult.match).selectinload(Match.offer).selectinload(Offer.organisation))
        .order_by(MatchResult.match_id, MatchResult.id)))
    pillars_of = _pillars_of({r.match.request_id for r in results})
    grouped: dict[str, list[MatchResult]] = defaultdict(list)
    for result in results:
        for pillar in sorted(pillars_of.get(result.match.request_id, ())):
            grouped[pillar].append(result)
    return [PillarResults(p, str(PILLARS[p]), grouped[p]) for p in PILLARS if grouped.get(p)]


def stage_labels() -> dict[str, str]:
    """Each stage and its label in the reader's language, in the stages' order."""
    return {str(stage): stage.label for stage in FundingStage}
