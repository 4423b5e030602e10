"""The filters the reports share (M49 region, pillar, period): a typed object read alike by the report pages,
the matrix API, the exports and the command line (`ReportFilters.from_params`: clean values or ValidationFailed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.filters import FilterProblem, ListFilters, day, end_not_before_start, in_period, one
from exchange.reference.models import PILLARS, Country, Region

DATE_PROBLEM = _l("Use a date like 2025-01-31.")


def _known_region(code: str) -> None:
    if len(code) > 3 or db.session.get(Region, code) is None:
        raise FilterProblem(str(_l("Unknown region: use a UN M49 code such as 143 (Central Asia) or 002 (Africa).")))


def _known_pillar(pillar: str) -> None:
    if pillar not in PILLARS:
        raise FilterProblem(str(_l("Choose a pillar of the Strategy: I, II, III or IV.")))


@dataclass(frozen=True)
class ReportFilters(ListFilters):
    """What a report is restricted to ("" or None: not restricted). `end` is inclusive (the whole day)."""

    region: str = one("UN M49 code: only countries whose region, sub-region or intermediate region it is.",
                      check=_known_region)
    pillar: str = one("I, II, III or IV: only its themes.", upper=True, check=_known_pillar)
    start: date | None = day("ISO date: only requests submitted on or after it.", message=DATE_PROBLEM)
    end: date | None = day("ISO date: only requests submitted on or before it.", message=DATE_PROBLEM)

    def checked(self, problems):
        return end_not_before_start(self, problems, "end", str(_l("The end must not be before the start.")))

    def period(self, column) -> list:
        """Conditions putting `column` (a timestamp) in the period (core.filters.in_period); none if it is open."""
        return in_period(column, self.start, self.end)


def region_choices() -> list[tuple[str, str]]:
    """M49 areas that contain at least one Member State, for filter menus (code, name)."""
    used = set()
    for row in db.session.execute(select(Country.region_code, Country.sub_region_code,
                                         Country.intermediate_region_code)):
        used.update(code for code in row if code)
    regions = db.session.scalars(select(Region).where(Region.code.in_(used)))
    return sorted(((r.code, f"{r.label} ({r.code})") for r in regions), key=lambda choice: choice[1])
