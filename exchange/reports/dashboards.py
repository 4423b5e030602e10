"""Dashboard figures: requests by status over time, by pillar, theme and region; how long it takes from
submission to the first proposal and to delivery (median and 90th percentile); offers' take-up; declined
matches and why. Everything is counted over what the viewer may see (access.py); a provider's and a
State's dashboards are narrowed further to their own work.

Times are computed in Python from timestamps: `requests.submitted_at` to the request's earliest
`matches.created_at` (first proposal) and to its earliest `matches.completed_at` (delivery), in working
days, counted as the triage queue counts them (core/working_days.py).

The charts tell the truth (issue 14): each status has its colour from its enum (core/statuses.py, the badges'
too), every month of the period is on the axis (those without requests too), offers are named by title.
The median is the usual one (mean of the two middle values for an even count); the 90th percentile is
the nearest-rank one: the smallest value with at least 90 % of the values at or below it.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, func, select, true

from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus, Role
from exchange.core.working_days import working_days_between
from exchange.matches.models import Match
from exchange.matches.policy import match_scope
from exchange.offers.models import Offer
from exchange.offers.policy import offer_scope, offer_scope_covers_active
from exchange.people.models import Organisation
from exchange.reference.models import PILLARS, Country, Region, Theme
from exchange.reference.names import name as reference_name
from exchange.reports import summary
from exchange.reports.filters import ReportFilters
from exchange.requests.models import AssistanceRequest, request_themes
from exchange.requests.policy import request_scope
from exchange.requests.queries import requests_in_areas, requests_in_pillars


def month_label(key: str) -> str:
    """A month ("2025-03") as the current locale names it: "Mar 2025", "mars 2025", "2025年3月"."""
    year, month = (int(part) for part in key.split("-"))
    return format_skeleton("yMMM", date(year, month, 1), locale=get_locale() or "en")


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def days_between(start: datetime | None, end: datetime | None) -> int | None:
    """Working days from `start` to `end` (core/working_days.py: the triage queue's count)."""
    if start is None or end is None:
        return None
    return working_days_between(start, end)


def every_month(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("2025-03"), both included: the axis shows months without data too."""
    year, month = (int(part) for part in first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def short_title(title: str, limit: int = 40) -> str:
    """A title short enough for a chart's axis (cut at a word, with an ellipsis)."""
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0] or title[:limit]
    return cut.rstrip(",;:—- ") + "…"


@dataclass
class Duration:
    """A set of durations in days, summarised; kept as a histogram (days → how many), so that the figures are
    computed from a few hundred rows whatever the number of requests."""

    label: str
    histogram: Counter = field(default_factory=Counter)

    def add(self, days: int, times: int = 1) -> None:
        self.histogram[days] += times

    @property
    def values(self) -> list[int]:
        return [days for days in sorted(self.histogram) for _ in range(self.histogram[days])]

    @property
    def count(self) -> int:
        return sum(self.histogram.values())

    def _nth(self, index: int) -> int:
        """The value at `index` (from 0) of the sorted values."""
        seen = 0
        for days in sorted(self.histogram):
            seen += self.histogram[days]
            if index < seen:
                return days
        raise IndexError(index)

    @property
    def median(self) -> float | None:
        """The usual median: the middle value, or the mean of the two middle values for an even count."""
        n = self.count
        if not n:
            return None
        if n % 2:
            return self._nth(n // 2)
        return (self._nth(n // 2 - 1) + self._nth(n // 2)) / 2

    @property
    def p90(self) -> float | None:
        """Nearest-rank 90th percentile (as `percentile`)."""
        n = self.count
        return self._nth(max(1, math.ceil(0.9 * n)) - 1) if n else None


@dataclass
class Dashboard:
    scope: str                                     # "all", "provider" or "state"
    by_month: dict[str, Counter]                   # "2025-03" → status → n
    statuses: list[str]                            # statuses present, in workflow order
    by_pillar: dict[str, int]
    by_theme: list[tuple[str, str, str, int]]      # code, name, pillar, n
    by_region: list[tuple[str, str, int]]          # code, name, n
    to_first_proposal: Duration
    to_delivery: Duration
    take_up: list[dict]
    declined_total: int
    decline_reasons: list[tuple[str, int]]
    request_total: int
    months: list[str] = field(default_factory=list)   # every month of the period, in order
    take_up_total: int = 0                            # offers in the take-up's scope (take_up: the top ones)

    def chart_specs(self) -> dict[str, dict]:
        """Chart.js configurations, drawn by static/js/charts.js; the tables beside them hold the same data."""
        months = self.months or sorted(self.by_month)
        palette = ["#005a9c", "#2e7d32", "#b35900", "#6a1b9a", "#00796b", "#c62828", "#455a64", "#8d6e63",
                   "#1565c0", "#558b2f", "#ad1457"]
        specs = {
            "by_month": {"type": "bar", "data": {"labels": [month_label(m) for m in months], "datasets": [
                {"label": str(RequestStatus(s).label), "data": [self.by_month.get(m, {}).get(s, 0) for m in months],
                 "backgroundColor": RequestStatus(s).colour, "borderColor": "#212529", "borderWidth": 1}
                for s in self.statuses]},
                "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}}},
            "by_pillar": {"type": "bar", "data": {"labels": [str(_l("Pillar %(pillar)s", pillar=p))
                                                             for p in self.by_pillar],
                                                  "datasets": [{"label": str(_l("Requests")),
                                                                "data": list(self.by_pillar.values()),
                                                                "backgroundColor": palette[0]}]},
                          "options": {"plugins": {"legend": {"display": False}}}},
            "by_theme": {"type": "bar", "data": {"labels": [name for _, name, _, _ in self.by_theme],
                                                 "datasets": [{"label": str(_l("Requests")),
                                                               "data": [n for *_, n in self.by_theme],
                                                               "backgroundColor": palette[1]}]},
                         "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}}},
            "by_region": {"type": "bar", "data": {"labels": [name for _, name, _ in self.by_region],
                                                  "datasets": [{"label": str(_l("Requests")),
                                                                "data": [n for *_, n in self.by_region],
                                                                "backgroundColor": palette[2]}]},
                          "options": {"plugins": {"legend": {"display": False}}}},
        }
        if self.take_up:
            top = self.take_up[:15]
            specs["take_up"] = {"type": "bar", "data": {"labels": [short_title(o["title"]) for o in top], "datasets": [
                {"label": str(_l("Matches (all)")), "data": [o["matches"] for o in top], "backgroundColor": palette[0]},
                {"label": str(_l("Taken on now")), "data": [o["live"] for o in top], "backgroundColor": palette[2]}]},
                "options": {"indexAxis": "y", "scales": {"x": {"beginAtZero": True}}}}
        return specs


def _request_condition(user):
    """Which requests the dashboard counts: what the viewer may see, narrowed to a provider's own work
    (requests matched with its offers); a State sees only its own already."""
    condition = request_scope(user)
    if user.role == Role.PROVIDER:
        condition = and_(condition, AssistanceRequest.id.in_(select(Match.request_id).where(match_scope(user))))
    return condition


def count_by_pillar(requests) -> dict[str, int]:
    """How many of the requests `requests` (a condition on AssistanceRequest) name a theme of each pillar
    (a request on themes of two pillars counts in both; pillars with none are absent)."""
    R = AssistanceRequest
    return dict(db.session.execute(
        select(Theme.pillar, func.count(func.distinct(R.id)))
        .join(request_themes, request_themes.c.theme_code == Theme.code)
        .join(R, R.id == request_themes.c.request_id).where(requests).group_by(Theme.pillar)).all())


def submission_durations(submitted: dict[int, datetime], matches, requests) -> tuple[Duration, Duration]:
    """Submission to first proposal and to delivery, in days, of the requests `requests` (a condition on
    AssistanceRequest; their submission times in `submitted`), from the matches `matches` (a condition on
    Match) made for them: the earliest `created_at` and the earliest `completed_at` of each request's
    matches (one grouped query)."""
    to_first_proposal, to_delivery = Duration(_l("Submission to first proposal")), \
        Duration(_l("Submission to delivery"))
    if not submitted:
        return to_first_proposal, to_delivery
    R = AssistanceRequest
    for request_id, first_proposed, first_completed in db.session.execute(
            select(Match.request_id, func.min(Match.created_at), func.min(Match.completed_at))
            .where(matches, Match.request_id.in_(select(R.id).where(requests)))
            .group_by(Match.request_id)):
        start = submitted.get(request_id)
        for duration, end in ((to_first_proposal, first_proposed), (to_delivery, first_completed)):
            days = days_between(start, end)
            if days is not None:
                duration.add(max(days, 0))
    return to_first_proposal, to_delivery


def _requests_from_summary(whole):
    """The requests' figures from the report summary (reports/summary.py), for a scope it answers whole (the
    Task Force office's, without filters): one grouped query over a few thousand rows, and the names."""
    C = summary.ReportCount
    by_month: dict[str, Counter] = defaultdict(Counter)
    by_theme: Counter = Counter()
    by_pillar: Counter = Counter()
    by_country: Counter = Counter()
    to_first_proposal, to_delivery = Duration(_l("Submission to first proposal")), \
        Duration(_l("Submission to delivery"))
    for facet, code, country, status, n in db.session.execute(
            select(C.facet, C.code, C.country_iso3, C.status, func.sum(C.n))
            .where(C.facet.in_(("theme", "pillar", "month", "country", "first", "delivery")), whole)
            .group_by(C.facet, C.code, C.country_iso3, C.status)):
        if not n:
            continue
        if facet == "month":
            by_month[code][RequestStatus(status)] += n
        elif facet == "theme":
            by_theme[code] += n
        elif facet == "pillar":
            by_pillar[code] += n
        elif facet == "country":
            by_country[country] += n
        else:
            (to_first_proposal if facet == "first" else to_delivery).add(int(code), n)
    theme_counts = [(code, name, pillar, by_theme[code]) for code, name, pillar in db.session.execute(
        select(Theme.code, Theme.name, Theme.pillar).order_by(Theme.pillar, Theme.code)) if by_theme[code]]
    regions: Counter = Counter()
    names: dict[str, str] = {}
    for iso3, code, name in db.session.execute(select(Country.iso3, Region.code, Region.name)
                                               .join(Region, Region.code == Country.region_code)):
        if by_country[iso3]:
            regions[code] += by_country[iso3]
            names[code] = name
    return (dict(by_month), sum(by_country.values()), theme_counts, dict(by_pillar),
            [(code, names[code], n) for code, n in regions.items()], to_first_proposal, to_delivery)


def _requests_from_records(user, condition, filters: ReportFilters):
    """The requests' figures straight from the records (filtered views, a State's, a provider's), grouped in
    SQL; only the requests with a match are read one by one (their working days)."""
    R = AssistanceRequest
    by_month: dict[str, Counter] = defaultdict(Counter)
    total = 0
    month = summary.month_of(func.coalesce(R.submitted_at, R.created_at))
    for key, status, n in db.session.execute(select(month, R.status, func.count(R.id)).where(condition)
                                             .group_by(month, R.status)):
        by_month[key][RequestStatus(status)] += n
        total += n
    theme_counts = db.session.execute(
        select(Theme.code, Theme.name, Theme.pillar, func.count(R.id))
        .join(request_themes, request_themes.c.theme_code == Theme.code)
        .join(R, R.id == request_themes.c.request_id).where(condition)
        .group_by(Theme.code, Theme.name, Theme.pillar).order_by(Theme.pillar, Theme.code)).all()
    pillar_counts = count_by_pillar(condition)
    region_counts = db.session.execute(
        select(Region.code, Region.name, func.count(R.id)).join(Country, Country.region_code == Region.code)
        .join(R, R.country_iso3 == Country.iso3).where(condition)
        .group_by(Region.code, Region.name)).all()
    matches = match_scope(user)
    submitted = dict(db.session.execute(select(R.id, R.submitted_at).where(
        condition, R.submitted_at.is_not(None), R.id.in_(select(Match.request_id).where(matches)))).all())
    to_first_proposal, to_delivery = submission_durations(submitted, matches, condition)
    return dict(by_month), total, theme_counts, pillar_counts, region_counts, to_first_proposal, to_delivery


TAKE_UP_ROWS = 50


def _take_up_row(offer_id, title, status, capacity, org, language, matches, live, completed, declined) -> dict:
    return {"id": offer_id, "reference": f"O-{offer_id:05d}", "title": title, "status": status,
            "status_label": OfferStatus(status).label, "content_language": language,
            "organisation": org, "capacity": capacity, "matches": matches, "live": live,
            "completed": completed, "declined": declined,
            "capacity_use": (live / capacity) if capacity else None}


def _take_up_from_records(offer_where) -> list[dict]:
    busy = [str(s) for s in MatchStatus.BUSY]
    rows = db.session.execute(
        select(Offer.id, Offer.title, Offer.status, Offer.capacity, Organisation.code, Offer.content_language,
               func.count(Match.id),
               func.coalesce(func.sum(case((Match.status.in_(busy), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Match.status == MatchStatus.COMPLETED, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Match.status == MatchStatus.DECLINED, 1), else_=0)), 0))
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .outerjoin(Match, Match.offer_id == Offer.id)
        .where(offer_where).group_by(Offer.id, Offer.title, Offer.status, Offer.capacity, Organisation.code,
                                     Offer.content_language)
        .order_by(func.count(Match.id).desc(), Offer.id).limit(TAKE_UP_ROWS))
    return [_take_up_row(*row) for row in rows]


def _take_up_from_summary(offer_where) -> list[dict]:
    """The same from the report summary's `offer` rows (matches per offer and status), for a viewer who sees
    every offer: the top offers by matches, then, if fewer have matches, those without by number."""
    C = summary.ReportCount
    offer_id = func.cast(C.code, Integer)
    total = func.sum(C.n)
    top = db.session.execute(select(offer_id, total).where(C.facet == "offer").group_by(C.code)
                             .having(total > 0).order_by(total.desc(), offer_id).limit(TAKE_UP_ROWS)).all()
    ids = [row[0] for row in top]
    by_status: dict[int, Counter] = defaultdict(Counter)
    if ids:
        for code, status, n in db.session.execute(select(C.code, C.status, C.n).where(
                C.facet == "offer", C.code.in_([str(i) for i in ids]))):
            by_status[int(code)][status] += n
    if len(ids) < TAKE_UP_ROWS:
        ids += list(db.session.scalars(select(Offer.id).where(offer_where, Offer.id.not_in(ids) if ids else true())
                                       .order_by(Offer.id).limit(TAKE_UP_ROWS - len(ids))))
    offers = {row[0]: row for row in db.session.execute(
        select(Offer.id, Offer.title, Offer.status, Offer.capacity, Organisation.code, Offer.content_language)
        .join(Organisation, Organisation.id == Offer.organisation_id).where(offer_where, Offer.id.in_(ids)))}
    rows = []
    for i in ids:
        if i in offers:
            counts = by_status.get(i, Counter())
            rows.append(_take_up_row(*offers[i], sum(counts.values()), sum(counts[str(s)] for s in MatchStatus.BUSY),
                                     counts[str(MatchStatus.COMPLETED)], counts[str(MatchStatus.DECLINED)]))
    return rows


def compute_dashboard(user, filters: ReportFilters | None = None) -> Dashboard:
    filters = filters or ReportFilters()
    R = AssistanceRequest
    scope = "all" if user.role in Role.OFFICE else ("provider" if user.role == Role.PROVIDER else "state")
    where = [_request_condition(user), *filters.period(R.submitted_at)]
    if filters.region:
        where.append(requests_in_areas([filters.region]))
    if filters.pillar:
        where.append(requests_in_pillars([filters.pillar]))
    condition = and_(*where)

    if summary.in_use() and not (filters.start or filters.end or filters.region or filters.pillar):
        whole, rest = summary.scope_parts(user)
        if rest is None and scope == "all":
            part = _requests_from_summary(whole)
        else:
            part = _requests_from_records(user, condition, filters)
    else:
        part = _requests_from_records(user, condition, filters)
    by_month, total, theme_counts, pillar_counts, region_counts, to_first_proposal, to_delivery = part

    statuses = [s for s in RequestStatus if any(s in counts for counts in by_month.values())]
    seen_months = sorted(by_month)
    first = filters.start.strftime("%Y-%m") if filters.start else (seen_months[0] if seen_months else None)
    last = filters.end.strftime("%Y-%m") if filters.end else (seen_months[-1] if seen_months else None)
    if seen_months:
        first, last = min(first, seen_months[0]), max(last, seen_months[-1])
    months = every_month(first, last) if first and last and len(every_month(first, last)) <= 600 else seen_months
    by_theme = [(code, reference_name("theme", code, name), pillar, n) for code, name, pillar, n in theme_counts
                if not filters.pillar or pillar == filters.pillar]
    by_pillar = {p: pillar_counts.get(p, 0) for p in PILLARS if not filters.pillar or p == filters.pillar}
    by_region = sorted(((code, reference_name("region", code, name), n) for code, name, n in region_counts),
                       key=lambda row: row[1])

    # 5. Offers' take-up: matches per offer and capacity in use (the Task Force office: all; a provider: its own),
    # the offers with the most matches first (TAKE_UP_ROWS of them; `take_up_total` counts them all).
    take_up: list[dict] = []
    take_up_total = 0
    if scope != "state":
        offer_where = offer_scope(user) if scope == "all" else Offer.organisation_id == user.organisation_id
        take_up_total = db.session.scalar(select(func.count(Offer.id)).where(offer_where)) or 0
        if summary.in_use() and scope == "all" and offer_scope_covers_active(user):
            take_up = _take_up_from_summary(offer_where)
        else:
            take_up = _take_up_from_records(offer_where)

    # 6. Declined matches and why.
    declined_where = [match_scope(user), Match.status == MatchStatus.DECLINED, *filters.period(Match.status_changed_at)]
    if scope == "provider":
        declined_where.append(Match.request_id.in_(select(R.id).where(condition)))
    reasons = db.session.execute(select(Match.decline_reason, func.count(Match.id)).where(*declined_where)
                                 .group_by(Match.decline_reason).order_by(func.count(Match.id).desc(),
                                                                          Match.decline_reason)).all()
    declined_total = sum(n for _, n in reasons)
    return Dashboard(scope=scope, by_month=dict(by_month), statuses=statuses, by_pillar=by_pillar,
                     by_theme=by_theme, by_region=by_region, to_first_proposal=to_first_proposal,
                     to_delivery=to_delivery, take_up=take_up, declined_total=declined_total,
                     decline_reasons=[(reason or _l("(no reason given)"), n) for reason, n in reasons[:25]],
                     request_total=total, months=months, take_up_total=take_up_total)
