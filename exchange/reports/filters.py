"""Parsing the filters the reports share (M49 region, pillar, period): clean values or ValidationFailed."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.filters import in_period
from exchange.reference.models import PILLARS, Country, Region


@dataclass(frozen=True)
class ReportFilters:
    """What a report is restricted to. `end` is inclusive (the whole day)."""

    region: str | None = None
    pillar: str | None = None
    start: date | None = None
    end: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links and exports)."""
        args = {"region": self.region, "pillar": self.pillar,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}
        return {k: v for k, v in args.items() if v}

    def period(self, column) -> list:
        """Conditions putting `column` (a timestamp) in the period (queries.in_period); none if it is open."""
        return in_period(column, self.start, self.end)


def _date(value: str, label: str, problems: dict) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.setdefault(label, []).append("Use a date like 2025-01-31.")
        return None


def parse_filters(args: Mapping[str, str], *, fields: tuple[str, ...] = ("region", "pillar", "start", "end")
                  ) -> ReportFilters:
    """Read region (an M49 code), pillar (I-IV), start and end (ISO dates) from query arguments."""
    problems: dict[str, list[str]] = {}
    region = (args.get("region") or "").strip() if "region" in fields else ""
    pillar = (args.get("pillar") or "").strip().upper() if "pillar" in fields else ""
    if region and (len(region) > 3 or db.session.get(Region, region) is None):
        problems["region"] = ["Unknown region: use a UN M49 code such as 143 (Central Asia) or 002 (Africa)."]
    if pillar and pillar not in PILLARS:
        problems["pillar"] = ["Choose a pillar of the Strategy: I, II, III or IV."]
    start = _date((args.get("start") or "").strip(), "start", problems) if "start" in fields else None
    end = _date((args.get("end") or "").strip(), "end", problems) if "end" in fields else None
    if start and end and end < start:
        problems["end"] = ["The end must not be before the start."]
    if problems:
        raise ValidationFailed("Some filters are not valid.", problems)
    return ReportFilters(region=region or None, pillar=pillar or None, start=start, end=end)


def region_choices() -> list[tuple[str, str]]:
    """M49 areas that contain at least one Member State, for filter menus (code, name)."""
    used = set()
    for row in db.session.execute(select(Country.region_code, Country.sub_region_code,
                                         Country.intermediate_region_code)):
        used.update(code for code in row if code)
    regions = db.session.scalars(select(Region).where(Region.code.in_(used)).order_by(Region.name))
    return [(r.code, f"{r.name} ({r.code})") for r in regions]
