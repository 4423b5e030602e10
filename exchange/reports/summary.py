"""The report summary (issue 17): counts of requests kept current as records change, so that the needs matrix
and the office's dashboard read a few hundred grouped rows instead of every request.

One table, `report_counts`: each row is how many requests share one key — a *facet* with its code, and the
requests' country, visibility class and status (the columns the access policy's classes need,
requests.policy.request_scope_classes, so each role's scope is still answered from it):

- `cell`     theme × country (the matrix's cells; only the statuses the matrix counts);
- `cellall`  the same summed over the visibility classes, by the matrix's column ("open", "matched",
             "delivered") in `status`: what the Task Force office (who sees every class) reads;
- `theme`    theme; `pillar` pillar (a request on two themes of one pillar counts once in it);
- `month`    month of submission ("2025-03"; of creation when not submitted): the dashboard's axis;
- `country`  the requesting country (the dashboard's regions and totals);
- `first`, `delivery`  working days from submission to the first proposed match, to the first completed
             delivery (a histogram: code = the number of days), for the median and 90th percentile;
- `offer`    matches per offer and match status (code = the offer's id): the dashboard's take-up;
- `cover`    where active offers with capacity left can deliver, for the matrix's gaps: code = a theme,
             `visibility` = the kind of place ("country", "area" or "anywhere"), `country_iso3` = the country
             or the M49 area, `status` = the offers' `available_until` ("" when open-ended); n = offers.

Kept in the same transaction as the change: before each flush the contributions of the requests it touches
(a request, its themes, one of its matches) are read from the database, after the flush read again, and the
difference is added to the counts (`INSERT … ON CONFLICT DO UPDATE SET n = n + …`, keys in order, so two
writers wait on each other instead of deadlocking). Writes that go past the ORM (Core bulk inserts, a seed)
are caught up by `flask reports rebuild-summaries` (`rebuild_all`); the migration that made the table
filled it the same way.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections import Counter
from collections.abc import Iterable, Iterator

from sqlalchemy import Integer, String, UniqueConstraint, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus
from exchange.core.working_days import working_days_between
from exchange.matches.models import Match
from exchange.offers.models import Offer, offer_countries, offer_regions, offer_themes
from exchange.reference.models import Theme
from exchange.requests.models import AssistanceRequest, request_themes

# The statuses the matrix counts (matrix.py: open, matched, delivered).
CELL_STATUSES = frozenset({RequestStatus.OPEN, RequestStatus.MATCHED, RequestStatus.IN_DELIVERY,
                           RequestStatus.COMPLETED})
CELL_COLUMN = {RequestStatus.OPEN: "open", RequestStatus.MATCHED: "matched", RequestStatus.IN_DELIVERY: "matched",
               RequestStatus.COMPLETED: "delivered"}
FACETS = ("offer", "cell", "cellall", "theme", "pillar", "month", "country", "first", "delivery", "cover")
Key = tuple[str, str, str, str, str]          # facet, code, country, visibility, status


class ReportCount(db.Model):
    """How many requests share one key (facet, code, country, visibility, status)."""

    __tablename__ = "report_counts"
    __table_args__ = (UniqueConstraint("facet", "code", "country_iso3", "visibility", "status",
                                       name="uq_report_counts_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facet: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(40), default="")
    country_iso3: Mapped[str] = mapped_column(String(3), default="")
    visibility: Mapped[str] = mapped_column(String(12), default="")
    status: Mapped[str] = mapped_column(String(12), default="")
    n: Mapped[int] = mapped_column(Integer, default=0)


# ------------------------------------------------------------------------------------------------
# Month of a timestamp, in SQL ("2025-03"), the same on both engines.

class month_of(FunctionElement):
    type = String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


# ------------------------------------------------------------------------------------------------
# Whether the reports read the summary (on, except where a test or the benchmark compares with the records).

_use = contextvars.ContextVar("report_summaries", default=True)


def in_use() -> bool:
    return _use.get()


@contextlib.contextmanager
def using_summaries(on: bool) -> Iterator[None]:
    """Compute the reports from the summary (True) or straight from the records (False) inside the block."""
    token = _use.set(on)
    try:
        yield
    finally:
        _use.reset(token)


# ------------------------------------------------------------------------------------------------
# What each request adds to the counts.

def _value(x) -> str:
    return str(getattr(x, "value", x) or "")


def contributions(connection_or_session, request_ids: Iterable[int] | None) -> Counter:
    """The keys the requests `request_ids` (all when None) add to, with how many times: three queries."""
    R = AssistanceRequest
    ids = None if request_ids is None else sorted(set(request_ids))
    total: Counter = Counter()
    if ids is not None and not ids:
        return total
    chunks = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        def only(column, chunk=chunk):
            return [] if chunk is None else [column.in_(chunk)]
        themes: dict[int, list[tuple[str, str]]] = {}
        for request_id, theme, pillar in connection_or_session.execute(
                select(request_themes.c.request_id, request_themes.c.theme_code, Theme.pillar)
                .join(Theme, Theme.code == request_themes.c.theme_code).where(*only(request_themes.c.request_id))):
            themes.setdefault(request_id, []).append((theme, pillar))
        firsts = {request_id: (proposed, completed) for request_id, proposed, completed in connection_or_session.execute(
            select(Match.request_id, func.min(Match.created_at), func.min(Match.completed_at))
            .where(*only(Match.request_id)).group_by(Match.request_id))}
        for request_id, country, visibility, status, submitted_at, created_at in connection_or_session.execute(
                select(R.id, R.country_iso3, R.visibility, R.status, R.submitted_at, R.created_at)
                .where(*only(R.id))):
            add_request(total, country, _value(visibility), _value(status), submitted_at, created_at,
                        themes.get(request_id, ()), firsts.get(request_id, (None, None)))
    return total


def add_request(total: Counter, country, visibility: str, status: str, submitted_at, created_at, themes,
                firsts) -> None:
    """Add one request's keys to `total` (the rules of the facets, in the module's docstring)."""
    country = country or ""
    for theme, _pillar in themes:
        if status in CELL_STATUSES:
            total[("cell", theme, country, visibility, status)] += 1
            total[("cellall", theme, country, "", CELL_COLUMN[status])] += 1
        total[("theme", theme, "", visibility, status)] += 1
    for pillar in {pillar for _theme, pillar in themes}:
        total[("pillar", pillar, "", visibility, status)] += 1
    when = submitted_at or created_at
    if when is not None:
        total[("month", when.strftime("%Y-%m"), "", visibility, status)] += 1
    total[("country", "", country, visibility, status)] += 1
    proposed, completed = firsts
    if submitted_at is not None:
        for facet, end in (("first", proposed), ("delivery", completed)):
            if end is not None:
                days = max(working_days_between(submitted_at, end), 0)
                total[(facet, str(days), "", visibility, status)] += 1


def offer_contributions(connection_or_session, offer_ids: Iterable[int] | None) -> Counter:
    """The `offer` and `cover` keys the offers `offer_ids` (all when None) add to: its matches by status, and,
    for an active offer with capacity left, one to each of its themes × places (five queries)."""
    ids = None if offer_ids is None else sorted(set(offer_ids))
    total: Counter = Counter()
    if ids is not None and not ids:
        return total
    chunks = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        def only(column, chunk=chunk):
            return [] if chunk is None else [column.in_(chunk)]
        load: Counter = Counter()
        for offer_id, match_status, n in connection_or_session.execute(
                select(Match.offer_id, Match.status, func.count()).where(*only(Match.offer_id))
                .group_by(Match.offer_id, Match.status)):
            total[("offer", str(offer_id), "", "", _value(match_status))] += n
            if match_status in MatchStatus.BUSY:
                load[offer_id] += n
        live = {offer_id: (until.isoformat() if until else "") for offer_id, capacity, until in
                connection_or_session.execute(select(Offer.id, Offer.capacity, Offer.available_until).where(
                    *only(Offer.id), Offer.status == OfferStatus.ACTIVE))
                if capacity is None or capacity > load.get(offer_id, 0)}
        if not live:
            continue
        places: dict[int, list[tuple[str, str]]] = {}
        for offer_id, iso3 in connection_or_session.execute(
                select(offer_countries.c.offer_id, offer_countries.c.country_iso3).where(
                    *only(offer_countries.c.offer_id))):
            places.setdefault(offer_id, []).append(("country", iso3))
        for offer_id, area in connection_or_session.execute(
                select(offer_regions.c.offer_id, offer_regions.c.region_code).where(*only(offer_regions.c.offer_id))):
            places.setdefault(offer_id, []).append(("area", area))
        for offer_id, theme in connection_or_session.execute(
                select(offer_themes.c.offer_id, offer_themes.c.theme_code).where(*only(offer_themes.c.offer_id))):
            if offer_id not in live:
                continue
            for kind, code in places.get(offer_id) or [("anywhere", "")]:
                total[("cover", theme, code, kind, live[offer_id])] += 1
    return total


def apply(connection, delta: Counter) -> None:
    """Add `delta` to the counts (one upsert per changed key, in key order)."""
    rows = [{"facet": k[0], "code": k[1], "country_iso3": k[2], "visibility": k[3], "status": k[4], "n": n}
            for k, n in sorted(delta.items()) if n]
    if not rows:
        return
    table = ReportCount.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=["facet", "code", "country_iso3", "visibility", "status"],
                                      set_={"n": table.c.n + stmt.excluded.n})
    for row in rows:
        connection.execute(stmt, row)


def rebuild_all(connection=None) -> int:
    """Recompute every count from the records (the backfill; after writes that went past the ORM). Returns the
    number of rows written."""
    connection = connection if connection is not None else db.session.connection()
    totals = contributions(connection, None) + offer_contributions(connection, None)
    connection.execute(delete(ReportCount.__table__))
    rows = [{"facet": k[0], "code": k[1], "country_iso3": k[2], "visibility": k[3], "status": k[4], "n": n}
            for k, n in sorted(totals.items()) if n]
    for start in range(0, len(rows), 2_000):
        connection.execute(ReportCount.__table__.insert(), rows[start:start + 2_000])
    return len(rows)


# ------------------------------------------------------------------------------------------------
# Kept current in the transaction of the change.

_TOUCHED = "report_summary_touched"
_BEFORE = "report_summary_before"
REQUEST_FIELDS = ("country_iso3", "visibility", "status", "submitted_at", "created_at", "themes")
MATCH_FIELDS = ("request_id", "created_at", "completed_at", "offer_id", "status")
OFFER_FIELDS = ("status", "capacity", "available_until", "themes", "countries", "regions")


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _before_flush(session: Session, _context, _instances) -> None:
    touched_objects = []
    old_ids: set[int] = set()
    old_offers: set[int] = set()
    rebuild = False
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, AssistanceRequest):
            new = obj in session.new
            if new or obj in session.deleted or _changed(obj, REQUEST_FIELDS):
                touched_objects.append(obj)
                if not new and obj.id is not None:
                    old_ids.add(obj.id)
        elif isinstance(obj, Match):
            if obj in session.new or obj in session.deleted or _changed(obj, MATCH_FIELDS):
                touched_objects.append(obj)
                old_request = inspect(obj).attrs.request_id.history.deleted
                linked = obj.__dict__.get("request")
                old_ids.update(i for i in (*old_request, obj.request_id, getattr(linked, "id", None))
                               if i is not None)
                old_offer = inspect(obj).attrs.offer_id.history.deleted
                linked_offer = obj.__dict__.get("offer")
                old_offers.update(i for i in (*old_offer, obj.offer_id, getattr(linked_offer, "id", None))
                                  if i is not None)
        elif isinstance(obj, Offer):
            new = obj in session.new
            if new or obj in session.deleted or _changed(obj, OFFER_FIELDS):
                touched_objects.append(obj)
                if not new and obj.id is not None:
                    old_offers.add(obj.id)
        elif isinstance(obj, Theme) and obj not in session.new and _changed(obj, ("pillar",)):
            rebuild = True
    if rebuild:
        session.info["report_summary_rebuild"] = True
    if not touched_objects:
        return
    with session.no_autoflush:
        before = contributions(session, old_ids) if old_ids else Counter()
        if old_offers:
            before += offer_contributions(session, old_offers)
    session.info.setdefault(_TOUCHED, []).append((touched_objects, old_ids, old_offers, before))


def _after_flush(session: Session, _context) -> None:
    if session.info.pop("report_summary_rebuild", False):
        session.info.pop(_TOUCHED, None)
        rebuild_all(session.connection())
        return
    pending = session.info.pop(_TOUCHED, None)
    if not pending:
        return
    for objects, old_ids, old_offers, before in pending:
        ids, offers = set(old_ids), set(old_offers)
        for obj in objects:
            if isinstance(obj, (AssistanceRequest, Offer)):
                if obj.id is not None:
                    (ids if isinstance(obj, AssistanceRequest) else offers).add(obj.id)
                continue
            for attribute, into in (("request", ids), ("offer", offers)):
                linked = getattr(obj, f"{attribute}_id") or getattr(obj.__dict__.get(attribute), "id", None)
                if linked is not None:
                    into.add(linked)
        with session.no_autoflush:
            after = contributions(session, ids) if ids else Counter()
            if offers:
                after += offer_contributions(session, offers)
        delta = Counter(after)
        delta.subtract(before)
        apply(session.connection(), delta)


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop("report_summary_rebuild", None)


_hooked = False


def install() -> None:
    """Listen on the application's session (once per process)."""
    global _hooked
    if not _hooked:
        _hooked = True
        event.listen(db.session, "before_flush", _before_flush)
        event.listen(db.session, "after_flush", _after_flush)
        event.listen(db.session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))


# ------------------------------------------------------------------------------------------------
# Reading: each role's scope as the classes the counts answer plus the requests counted one by one.

def sees_every_class(user) -> bool:
    """Whether `user`'s scope is every request of every visibility class in each counted status (the Task
    Force office's): then the `cellall` rows answer the matrix."""
    from exchange.core.statuses import Visibility
    from exchange.requests.policy import request_scope_classes
    classes, complete = request_scope_classes(user)
    return complete and all(CELL_STATUSES <= set(classes.get(v, ())) for v in Visibility)


def scope_parts(user):
    """(condition on ReportCount: the counts `user` may see whole; condition on AssistanceRequest: the rest of
    the user's scope, to count from the records, or None when there is none). The rest is read through
    request_scope itself, so it never holds what the user may not see; for a provider it is looked for only
    among the requests shared with its organisation or matched with its offers (the grants of the policy)."""
    from sqlalchemy import and_, false, not_, or_, union

    from exchange.core.statuses import Role
    from exchange.matches.policy import match_scope
    from exchange.requests.models import request_shares
    from exchange.requests.policy import request_scope, request_scope_classes

    classes, complete = request_scope_classes(user)
    C, R = ReportCount, AssistanceRequest
    whole = or_(*(and_(C.visibility == str(v), C.status.in_([str(s) for s in statuses]))
                  for v, statuses in classes.items())) if classes else false()
    if complete:
        return whole, None
    covered = or_(*(and_(R.visibility == v, R.status.in_(statuses)) for v, statuses in classes.items())) \
        if classes else false()
    rest = and_(request_scope(user), not_(covered))
    if user.role == Role.PROVIDER:
        rest = and_(rest, R.id.in_(union(
            select(request_shares.c.request_id).where(request_shares.c.organisation_id == user.organisation_id),
            select(Match.request_id).where(match_scope(user)))))
    return whole, rest
