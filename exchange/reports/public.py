"""The public summary (no sign-in): counts of requests, matches and delivered assistance by country, theme and
year, from the requests whose State consented (`publish_summary`, off by default) — and nothing else.

One rule says what is published (`published_condition`): consented, accepted by the Task Force office
(open and after; never a draft, a request in triage, rejected or withdrawn) and not restricted. The titles
shown are those of the same requests only. A request counts once in the totals, by country and by year,
and once in each of its themes. A match counts when it was accepted by its provider (accepted, in delivery or
completed), in the year it was proposed; delivered assistance is a completed match, in its year of
completion. The page, the CSV and `GET /api/v1/public/summary` all read `public_summary()`.
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus, RequestStatus, Visibility
from exchange.reference.names import name as reference_name
from exchange.reference.queries import reference_rows
from exchange.requests.models import AssistanceRequest

PUBLISHED_STATUSES = RequestStatus.ACCEPTED
COUNTED_MATCHES = (MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)
MEASURES = ("requests", "matches", "delivered")


def published_condition():
    """The one rule: which requests the public summary may count and name."""
    return and_(AssistanceRequest.publish_summary.is_(True),
                AssistanceRequest.status.in_(PUBLISHED_STATUSES),
                AssistanceRequest.visibility != Visibility.RESTRICTED)


def published_requests() -> list[AssistanceRequest]:
    stmt = (select(AssistanceRequest).where(published_condition()).order_by(AssistanceRequest.id)
            .options(joinedload(AssistanceRequest.country), selectinload(AssistanceRequest.themes),
                     selectinload(AssistanceRequest.matches)))
    return list(db.session.scalars(stmt).unique())


@dataclass
class PublicSummary:
    totals: Counter = field(default_factory=Counter)
    by_country: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_theme: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_year: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # (country, theme, year, measure) → n: the CSV's rows and the API's `items`.
    cells: Counter = field(default_factory=Counter)
    records: list[dict] = field(default_factory=list)

    def add(self, measure: str, country: str, themes: list[str], year: int) -> None:
        self.totals[measure] += 1
        self.by_country[country][measure] += 1
        self.by_year[year][measure] += 1
        for theme in themes or ["—"]:
            self.by_theme[theme][measure] += 1
            self.cells[(country, theme, year, measure)] += 1

    # -- what the page, the API and the CSV show ---------------------------------------------------

    def country_rows(self) -> list[dict]:
        rows = [{"country": code, "name": reference_name("country", code, code),
                 **{m: self.by_country[code][m] for m in MEASURES}} for code in self.by_country]
        return sorted(rows, key=lambda r: (-r["requests"], r["name"]))

    def theme_rows(self) -> list[dict]:
        themes = {t.code: t for t in reference_rows("themes")}
        rows = [{"theme": code, "name": reference_name("theme", code, themes[code].name) if code in themes else code,
                 "pillar": themes[code].pillar if code in themes else "",
                 **{m: self.by_theme[code][m] for m in MEASURES}} for code in self.by_theme]
        return sorted(rows, key=lambda r: (-r["requests"], r["name"]))

    def year_rows(self) -> list[dict]:
        return [{"year": year, **{m: self.by_year[year][m] for m in MEASURES}} for year in sorted(self.by_year)]

    def items(self) -> list[dict]:
        keys = sorted({(c, t, y) for c, t, y, _m in self.cells})
        return [{"country": c, "theme": t, "year": y, **{m: self.cells[(c, t, y, m)] for m in MEASURES}}
                for c, t, y in keys]

    def as_api(self) -> dict:
        return {"totals": {m: self.totals[m] for m in MEASURES}, "by_country": self.country_rows(),
                "by_theme": self.theme_rows(), "by_year": self.year_rows(), "items": self.items(),
                "records": self.records}

    def chart_specs(self) -> dict[str, dict]:
        """Chart.js configurations (static/js/charts.js); the tables beside them hold the same figures."""
        colours = {"requests": "#005a9c", "matches": "#b35900", "delivered": "#2e7d32"}

        def bars(rows: list[dict], label_key: str, horizontal: bool = False) -> dict:
            spec = {"type": "bar", "data": {"labels": [str(r[label_key]) for r in rows], "datasets": [
                {"label": str(MEASURE_LABELS[m]), "data": [r[m] for r in rows], "backgroundColor": colours[m]}
                for m in MEASURES]}, "options": {"scales": {"y": {"beginAtZero": True}}}}
            if horizontal:
                spec["options"] = {"indexAxis": "y", "scales": {"x": {"beginAtZero": True}}}
            return spec
        return {"by_year": bars(self.year_rows(), "year"),
                "by_theme": bars(self.theme_rows(), "name", horizontal=True),
                "by_country": bars(self.country_rows()[:20], "name", horizontal=True)}


MEASURE_LABELS = {"requests": _l("Requests"), "matches": _l("Matches"), "delivered": _l("Delivered")}


def public_summary() -> PublicSummary:
    summary = PublicSummary()
    for req in published_requests():
        themes = req.theme_codes
        year = (req.submitted_at or req.created_at).year
        summary.add("requests", req.country_iso3, themes, year)
        for match in req.matches:
            if match.status in COUNTED_MATCHES:
                summary.add("matches", req.country_iso3, themes, match.created_at.year)
            if match.status == MatchStatus.COMPLETED and match.completed_at:
                summary.add("delivered", req.country_iso3, themes, match.completed_at.year)
        summary.records.append({"reference": req.reference, "title": req.title, "country": req.country_iso3,
                                "themes": themes, "year": year, "status": str(req.status),
                                "content_language": req.content_language})
    return summary


def summary_csv(summary: PublicSummary) -> str:
    """One row a country, theme and year: requests, matches, delivered (codes, so that it sorts and joins)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["country", "theme", "year", *MEASURES])
    for item in summary.items():
        writer.writerow([item["country"], item["theme"], item["year"], *(item[m] for m in MEASURES)])
    return out.getvalue()
