"""The needs matrix: per country (grouped by M49 region) and theme, how many needs are open, matched
and delivered, counting only the requests the viewer may see, and where needs meet no offer (the gaps).

How it counts (the same for the page, the API and the exports):
- a request is counted in every theme it names (a request on two themes adds one to each column);
- **open**: accepted by a coordinator into `open` and not matched yet (status `open`; a request with
  only a *proposed* match stays open);
- **matched**: a provider has accepted a match (status `matched`) or delivery has started (`in_delivery`);
- **delivered**: status `completed`;
- requests still in triage (submitted, in review, needing information), drafts, and ended ones
  (rejected, withdrawn, closed) are not counted;
- a **gap** is a cell with open needs and no active offer (visible to the viewer, not past its
  `available_until`, with capacity left) on that theme that can be delivered in that country (listed
  country, listed M49 area containing it, or anywhere).

Filters: region (an M49 code; countries whose region, sub-region or intermediate region it is),
pillar (the themes of that pillar), and a period on `submitted_at`.
Four grouped queries in all, whatever the size of the matrix; the counts are read from the report summary
(reports/summary.py), kept current as requests change, so their cost does not grow with the requests.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import and_, case, func, select

from exchange.core.extensions import db
from exchange.core.statuses import RequestStatus
from exchange.matches.queries import offers_taking_requests
from exchange.offers.models import Offer, offer_countries, offer_regions, offer_themes
from exchange.offers.policy import offer_scope, offer_scope_covers_active
from exchange.reference.models import Country, Region, Theme
from exchange.reference.queries import countries_in
from exchange.reports import summary
from exchange.reports.filters import ReportFilters
from exchange.requests.models import AssistanceRequest, request_themes
from exchange.requests.policy import request_scope

OPEN_STATUSES = (RequestStatus.OPEN,)
MATCHED_STATUSES = (RequestStatus.MATCHED, RequestStatus.IN_DELIVERY)
DELIVERED_STATUSES = (RequestStatus.COMPLETED,)
COLUMN_OF_STATUS = {**{s: "open" for s in OPEN_STATUSES}, **{s: "matched" for s in MATCHED_STATUSES},
                    **{s: "delivered" for s in DELIVERED_STATUSES}}
COLUMN_OF_VALUE = {str(s): column for s, column in COLUMN_OF_STATUS.items()}  # plain strings: quicker to look up
STATUSES_OF_COLUMN = {"open": OPEN_STATUSES, "matched": MATCHED_STATUSES, "delivered": DELIVERED_STATUSES}
COLUMNS = ("open", "matched", "delivered")


@dataclass
class Cell:
    open: int = 0
    matched: int = 0
    delivered: int = 0
    gap: bool = False

    @property
    def total(self) -> int:
        return self.open + self.matched + self.delivered

    def as_dict(self) -> dict:
        return {"open": self.open, "matched": self.matched, "delivered": self.delivered}


@dataclass
class Row:
    country: str           # ISO3
    name: str
    region: str            # M49 region code (continent level)
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells.values() if c.gap)


@dataclass
class RegionGroup:
    code: str
    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class ThemeColumn:
    code: str
    name: str
    pillar: str


@dataclass
class Matrix:
    themes: list[ThemeColumn]
    groups: list[RegionGroup]
    filters: ReportFilters

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def gap_count(self) -> int:
        return sum(row.gaps for row in self.rows)

    def totals(self) -> dict[str, Cell]:
        result = {t.code: Cell() for t in self.themes}
        for row in self.rows:
            for code, cell in row.cells.items():
                for column in COLUMNS:
                    setattr(result[code], column, getattr(result[code], column) + getattr(cell, column))
        return result

    def gaps(self) -> list[tuple[Row, ThemeColumn, Cell]]:
        """Every gap cell, by region, country and theme."""
        return [(row, theme, row.cells[theme.code]) for row in self.rows for theme in self.themes
                if row.cells[theme.code].gap]

    def as_api(self) -> dict:
        """The API's shape: {"themes": [codes], "rows": [{"country", "cells": {theme: {open, matched,
        delivered}}}]} (plus the country's name, region and each cell's gap flag)."""
        return {
            "themes": [t.code for t in self.themes],
            "rows": [{"country": row.country, "name": row.name, "region": row.region,
                      "cells": {code: cell.as_dict() | {"gap": cell.gap} for code, cell in row.cells.items()}}
                     for row in self.rows],
        }


@dataclass(frozen=True)
class MatrixView:
    """How the page shows a matrix, kept in its address with the filters: the regions folded (`fold`, M49
    codes separated by commas) and whether only the countries with a gap are shown (`show=gaps`)."""

    folded: frozenset[str] = frozenset()
    gaps_only: bool = False

    @classmethod
    def from_params(cls, params, matrix: Matrix) -> MatrixView:
        known = {group.code for group in matrix.groups}
        folded = frozenset(code for code in str(params.get("fold", ""))[:400].split(",") if code in known)
        return cls(folded, params.get("show") == "gaps")

    def fold_value(self, code: str) -> str:
        """The `fold` argument with region `code` folded or unfolded (the other way round from now)."""
        return ",".join(sorted(self.folded ^ {code}))

    def rows_of(self, group: RegionGroup) -> list[Row]:
        return [row for row in group.rows if row.gaps] if self.gaps_only else group.rows


def theme_columns(pillar: str | None) -> list[ThemeColumn]:
    stmt = select(Theme).order_by(Theme.pillar, Theme.code)
    if pillar:
        stmt = stmt.where(Theme.pillar == pillar)
    return [ThemeColumn(t.code, t.label, t.pillar) for t in db.session.scalars(stmt)]


def counted_requests_filter(user, filters: ReportFilters):
    """SQL conditions on AssistanceRequest (joined to Country): the requests the matrix counts. The page, the
    API and the export all count through compute_matrix, hence through these."""
    R = AssistanceRequest
    conditions = [request_scope(user), R.status.in_(list(COLUMN_OF_STATUS))]
    if filters.region:
        conditions.append(countries_in([filters.region]))
    return and_(*conditions, *filters.period(R.submitted_at))


def _by_column(status, n):
    """sum(n) of each column (open, matched, delivered), in SQL: one row per (country, theme)."""
    return [func.sum(case((status.in_([str(s) for s in STATUSES_OF_COLUMN[column]]), n), else_=0))
            for column in COLUMNS]


def _add(cells: dict[tuple[str, str], Cell], rows) -> None:
    for country, theme, *numbers in rows:
        cell = cells[(country, theme)]
        cell.open += numbers[0] or 0
        cell.matched += numbers[1] or 0
        cell.delivered += numbers[2] or 0


def _direct_counts(user, filters: ReportFilters, theme_codes: list[str], *extra) -> list:
    """The counts straight from the records (a request on a theme once: request_themes' key)."""
    R = AssistanceRequest
    return db.session.execute(
        select(R.country_iso3, request_themes.c.theme_code, *_by_column(R.status, 1))
        .join(request_themes, request_themes.c.request_id == R.id)
        .join(Country, Country.iso3 == R.country_iso3)
        .where(counted_requests_filter(user, filters), request_themes.c.theme_code.in_(theme_codes), *extra)
        .group_by(R.country_iso3, request_themes.c.theme_code)).all()


def _counts(user, filters: ReportFilters, theme_codes: list[str]) -> dict[tuple[str, str], Cell]:
    """Open, matched and delivered per (country, theme). From the summary (reports/summary.py: the classes of
    requests the user sees whole, plus the rest of the user's scope counted from the records) unless a period
    is asked for, which the summary does not keep: then from the records."""
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    if not summary.in_use() or filters.start or filters.end:
        _add(cells, _direct_counts(user, filters, theme_codes))
        return cells
    whole, rest = summary.scope_parts(user)
    C = summary.ReportCount
    if summary.sees_every_class(user):
        where = [C.facet == "cellall", C.code.in_(theme_codes)]
        columns = [func.sum(case((C.status == column, C.n), else_=0)) for column in COLUMNS]
    else:
        where = [C.facet == "cell", C.code.in_(theme_codes), whole]
        columns = _by_column(C.status, C.n)
    if filters.region:
        where.append(C.country_iso3.in_(select(Country.iso3).where(countries_in([filters.region]))))
    _add(cells, db.session.execute(select(C.country_iso3, C.code, *columns).where(*where)
                                   .group_by(C.code, C.country_iso3)).all())
    if rest is not None:
        _add(cells, _direct_counts(user, filters, theme_codes, rest))
    return cells


@dataclass
class Coverage:
    """Where active offers can deliver, per theme: listed countries, listed M49 areas, or anywhere."""

    anywhere: set[str] = field(default_factory=set)                       # themes
    countries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # theme → ISO3
    areas: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))      # theme → M49

    def covers(self, theme: str, country: Country | None, iso3: str) -> bool:
        if theme in self.anywhere or iso3 in self.countries[theme]:
            return True
        return country is not None and any(a in self.areas[theme] for a in country.areas)


def _coverage_from_summary(theme_codes: list[str], today: date) -> Coverage:
    """The same from the report summary's `cover` rows (one query, bounded by themes × places)."""
    C = summary.ReportCount
    coverage = Coverage()
    for theme, kind, code in db.session.execute(
            select(C.code, C.visibility, C.country_iso3).distinct()
            .where(C.facet == "cover", C.n > 0, C.code.in_(theme_codes),
                   (C.status == "") | (C.status >= today.isoformat()))):
        if kind == "anywhere":
            coverage.anywhere.add(theme)
        else:
            (coverage.countries if kind == "country" else coverage.areas)[theme].add(code)
    return coverage


def offer_coverage(user, theme_codes: list[str], today: date | None = None) -> Coverage:
    """Three grouped queries (distinct pairs, bounded by themes × places, not by offers): the themes, countries
    and M49 areas of the offers the viewer may see that can take a request now (the matching engine's rules:
    active, not expired, capacity left)."""
    from sqlalchemy import exists
    today = today or date.today()
    if summary.in_use() and offer_scope_covers_active(user):
        return _coverage_from_summary(theme_codes, today)
    live = select(Offer.id).where(offer_scope(user), offers_taking_requests(today)).scalar_subquery()
    T = offer_themes.c
    themes = [T.offer_id.in_(live), T.theme_code.in_(theme_codes)]
    coverage = Coverage()
    coverage.anywhere.update(db.session.scalars(select(T.theme_code).distinct().where(
        *themes, ~exists().where(offer_countries.c.offer_id == T.offer_id),
        ~exists().where(offer_regions.c.offer_id == T.offer_id))))
    for theme, iso3 in db.session.execute(select(T.theme_code, offer_countries.c.country_iso3).distinct()
                                          .join(offer_countries, offer_countries.c.offer_id == T.offer_id)
                                          .where(*themes)):
        coverage.countries[theme].add(iso3)
    for theme, area in db.session.execute(select(T.theme_code, offer_regions.c.region_code).distinct()
                                          .join(offer_regions, offer_regions.c.offer_id == T.offer_id)
                                          .where(*themes)):
        coverage.areas[theme].add(area)
    return coverage


def compute_matrix(user, filters: ReportFilters | None = None) -> Matrix:
    """The matrix for `user`: only the requests (and, for gaps, the offers) this user may see."""
    filters = filters or ReportFilters()
    themes = theme_columns(filters.pillar)
    codes = [t.code for t in themes]
    counts = _counts(user, filters, codes) if codes else {}
    iso3s = sorted({country for country, _ in counts})
    countries = {c.iso3: c for c in db.session.scalars(select(Country).where(Country.iso3.in_(iso3s)))} \
        if iso3s else {}
    region_names = ({region.code: region.label for region in db.session.scalars(select(Region))}
                    if iso3s else {})
    coverage = offer_coverage(user, codes) if counts else Coverage()

    groups: dict[str, RegionGroup] = {}
    for iso3 in iso3s:
        country = countries.get(iso3)
        region = country.region_code if country else ""
        group = groups.setdefault(region, RegionGroup(region, region_names.get(region) or _("Other")))
        row = Row(iso3, country.label if country else iso3, region)
        for code in codes:
            cell = counts.get((iso3, code), Cell())
            cell.gap = cell.open > 0 and not coverage.covers(code, country, iso3)
            row.cells[code] = cell
        group.rows.append(row)
    ordered = sorted(groups.values(), key=lambda g: g.name)
    for group in ordered:
        group.rows.sort(key=lambda r: r.name)
    return Matrix(themes=themes, groups=ordered, filters=filters)


def matrix_export_header() -> list[str]:
    """The matrix export's column names in the current language (English: region, country, …)."""
    return [pgettext("export column", "region"), pgettext("export column", "country"),
            pgettext("export column", "country_name"), pgettext("export column", "theme"),
            pgettext("export column", "pillar"), pgettext("export column", "open"),
            pgettext("export column", "matched"), pgettext("export column", "delivered"),
            pgettext("export column", "gap")]


def matrix_rows_for_export(matrix: Matrix) -> tuple[list[str], list[list]]:
    """The matrix in long form (one line per country and theme with something to count), its header and the
    gap flag in the current language."""
    header = matrix_export_header()
    yes, no = pgettext("gap", "yes"), pgettext("gap", "no")
    rows = []
    for group in matrix.groups:
        for row in group.rows:
            for theme in matrix.themes:
                cell = row.cells[theme.code]
                if cell.total:
                    rows.append([group.name, row.country, row.name, theme.code, theme.pillar, cell.open,
                                 cell.matched, cell.delivered, yes if cell.gap else no])
    return header, rows
