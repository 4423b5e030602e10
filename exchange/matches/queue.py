"""The case queue of the Task Force office: every live request (in triage or under way) as one dense row, its
filters (`QueueFilters`, read from the page's query string), the views everyone has ("mine", "overdue",
"waiting on the State"…) beside each coordinator's saved ones, the order of its columns, the next action of
each case, and the bulk actions (start review, assign, ask a standard question) made record by record: each
record's change is all or nothing (a savepoint), and the answer says which were done and why the others
were refused. How long the office has held a case is requests/clock.py's rule."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from exchange.core.errors import ExchangeError, ValidationFailed
from exchange.core.extensions import db
from exchange.core.filters import one, sort
from exchange.core.i18n import LANGUAGES, page_language
from exchange.core.paging import COUNT_CAP, count_up_to
from exchange.core.statuses import MatchStatus, RequestStatus
from exchange.matches.models import Match
from exchange.people.models import User
from exchange.reference.names import name as reference_name
from exchange.requests.clock import OVERDUE_AFTER_WORKING_DAYS, is_overdue
from exchange.requests.filters import RequestFilters
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import assign_request, request_move
from exchange.requests.policy import request_scope
from exchange.requests.queries import URGENCY_ORDER, case_owners, filter_requests

PER_PAGE = 50
QUEUE_SORTS = {"waiting": _l("Waiting time"), "reference": _l("Reference"), "state": _l("State"),
               "title": _l("Title"), "urgency": _l("Urgency"), "status": _l("Status"), "owner": _l("Owner")}
ORDERS = ("desc", "asc")

# The views everyone has, as the filters they stand for ("me": the reader).
BUILT_IN_VIEWS = {
    "mine": (_l("Mine"), "owner=me"),
    "my-overdue": (_l("My overdue cases"), "owner=me&overdue=1"),
    "overdue": (_l("Overdue"), "overdue=1"),
    "waiting-state": (_l("Waiting on the State"), "status=needs_info"),
    "unassigned": (_l("No owner"), "owner=none"),
}

# The questions a coordinator may ask many States at once (written in the language of each request).
STANDARD_QUESTIONS = {
    "documents": _l("Please attach the needs assessment, or any document that describes the need."),
    "beneficiary": _l("Please say who will benefit: the institution, the unit and how many people."),
    "dates": _l("Please give the dates or the period in which the assistance is needed."),
    "funding": _l("Please say whether national or other funding is available for this, and how much."),
    "contact": _l("Please name a contact person in the beneficiary institution (name, role and e-mail)."),
}

BULK_ACTIONS = ("review", "assign", "assign-me", "ask")


def _owner_value(value: str) -> None:
    if value not in ("me", "none") and not value.isdigit():
        from exchange.core.filters import FilterProblem
        raise FilterProblem(_("Choose an owner from the list."))


@dataclass(frozen=True)
class QueueFilters(RequestFilters):
    """The request list's filters (the live statuses by default), and the owner, overdue cases only, the
    column to sort by and its direction."""

    owner: str = one("Case owner: me, none, or a user id.", lower=True, longest=12, check=_owner_value)
    overdue: str = one("1: only the cases the office has held longer than the overdue limit.", longest=1)
    sort: str = sort(QUEUE_SORTS)
    order: str = one("desc or asc.", lower=True, longest=4)


@dataclass
class QueueRow:
    """One case of the queue (the request itself is loaded for the page's rows only)."""

    id: int
    status: RequestStatus
    waited: int
    paused: bool
    req: AssistanceRequest | None = None
    live_matches: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return is_overdue(self.waited)


def owner_choices() -> list[User]:
    """The coordinators who may own a case, by name."""
    return case_owners()


_EPOCH_MONDAY = date(1970, 1, 5)

# Working days from that Monday to the day a case's clock started, less the days it had banked: for a running
# clock, office days = (working days from that Monday to today) - this, so the longest wait is the smallest
# value. The same text as the expression index of migration h17b_queue_clock (the database then reads the
# queue's default order from the index): change both together (tests/web/test_case_queue_at_scale.py reads
# the plan).
_DAYS = {"sqlite": "CAST(julianday(date(clock_since)) - 2440591.5 AS INTEGER)",
         "postgresql": "(CAST(clock_since AS DATE) - DATE '1970-01-05')"}
CLOCK_ANCHOR_SQL = {dialect: f"(({days}) / 7) * 5 + CASE WHEN ({days}) % 7 >= 4 THEN 5 ELSE ({days}) % 7 + 1 END"
                             f" - clock_days" for dialect, days in _DAYS.items()}


def _working_day_number(day: date) -> int:
    """Working days from a Monday long ago up to `day` (inclusive): `working_days_between(a, b)` is
    `number(b) - number(a)` whenever b is after a (the same count, as a difference the database can take)."""
    weeks, rest = divmod((day - _EPOCH_MONDAY).days, 7)
    return weeks * 5 + min(rest + 1, 5)


def clock_anchor_sql():
    """`_working_day_number(clock_since) - clock_days` of each request, in SQL (the indexed expression)."""
    dialect = db.session.get_bind().dialect.name
    text = CLOCK_ANCHOR_SQL[dialect if dialect in CLOCK_ANCHOR_SQL else "postgresql"]
    return literal_column(f"({text})", Integer)


def office_days_sql(now: datetime):
    """`clock.office_days` of each request, as a SQL expression (the queue sorts, filters and counts by it):
    the banked days while the clock stops, else the banked days and those of the run since it started."""
    R = AssistanceRequest
    running = literal(_working_day_number(now.date())) - clock_anchor_sql()
    return case((R.clock_since.is_(None), R.clock_days), (running > R.clock_days, running), else_=R.clock_days)


def overdue_sql(now: datetime):
    """`clock.is_overdue(office_days)` in SQL, as two index ranges (the banked days, the running clock's
    anchor): over the limit when the banked days are, or when the run since the clock started is."""
    R = AssistanceRequest
    limit = OVERDUE_AFTER_WORKING_DAYS
    return or_(R.clock_days > limit, and_(R.clock_since.is_not(None),
                                          clock_anchor_sql() < literal(_working_day_number(now.date()) - limit)))


def overdue_branches(now: datetime) -> tuple:
    """`overdue_sql` as the stopped clocks' condition and the running clocks' (a clock runs from a moment
    past, so its office days exceed its banked ones): each one index range."""
    R = AssistanceRequest
    limit = OVERDUE_AFTER_WORKING_DAYS
    return ((R.clock_since.is_(None), R.clock_days > limit),
            (R.clock_since.is_not(None), clock_anchor_sql() < literal(_working_day_number(now.date()) - limit)))


def _where(stmt, user, filters: QueueFilters, now: datetime):
    """The cases `filters` selects (the live ones unless a status is chosen), among those `user` may see."""
    R = AssistanceRequest
    stmt = stmt.where(request_scope(user))
    if not filters.status:
        # the live statuses are most cases: read as a filter, not an index (the clock's indexes give the order)
        stmt = stmt.where(func.coalesce(R.status, "").in_(RequestStatus.LIVE))
    stmt = filter_requests(stmt, filters)
    if filters.owner == "me":
        stmt = stmt.where(R.owner_id == user.id)
    elif filters.owner == "none":
        stmt = stmt.where(R.owner_id.is_(None))
    elif filters.owner:
        stmt = stmt.where(R.owner_id == int(filters.owner))
    if filters.overdue:
        stmt = stmt.where(overdue_sql(now))
    return stmt


def queue(user, filters: QueueFilters, page: int, now: datetime) -> dict:
    """The page of the queue `filters` selects, in its order: {"rows", "total", "page", "pages", "overdue",
    "descending", "more"}. The database filters, sorts and cuts the page (the office's days computed in SQL,
    `office_days_sql`), and counts the cases and the overdue ones up to COUNT_CAP ("1,000+" beyond, `more`
    saying which count is capped; `pages` is then None and `has_next` says whether a next page exists): the
    page costs the same few statements, and reads the same few rows, for 20 or 100,000 live requests."""
    R = AssistanceRequest
    days = office_days_sql(now)
    matching = _where(select(R.id), user, filters, now)
    total, total_capped = count_up_to(matching, COUNT_CAP)
    if filters.overdue:
        overdue, overdue_capped = total, total_capped
    else:  # the stopped clocks and the running ones counted apart: each an index range the database stops in
        counts = [count_up_to(matching.where(*branch), COUNT_CAP) for branch in overdue_branches(now)]
        overdue = sum(n for n, _capped in counts)
        overdue_capped = overdue > COUNT_CAP or any(capped for _n, capped in counts)
    more = {"total": total_capped, "overdue": overdue_capped}
    pages = None if more["total"] else max(1, -(-total // PER_PAGE))
    page = min(page, pages) if pages else page
    descending = (filters.order or ("desc" if filters.sort in ("waiting", "urgency") else "asc")) == "desc"
    found = _page_rows(user, filters, days, now, descending, page)
    if not found and page > 1 and pages is None:  # past the end of a long queue: its last page
        exact = db.session.scalar(select(func.count()).select_from(matching.subquery()))
        page = max(1, -(-exact // PER_PAGE))
        found = _page_rows(user, filters, days, now, descending, page)
    shown = [QueueRow(row.id, RequestStatus(row.status), row.waited, bool(row.paused)) for row in found[:PER_PAGE]]
    _load(shown)
    return {"rows": shown, "total": total, "page": page, "pages": pages,
            "has_next": len(found) > PER_PAGE, "overdue": min(overdue, COUNT_CAP), "more": more,
            "descending": descending}


def _page_rows(user, filters: QueueFilters, days, now: datetime, descending: bool, page: int) -> list:
    """The page's cases (and one more, to know whether a next page exists), in the order chosen. By waiting
    time (the default) the running clocks and the stopped ones are read in two branches, each in the order of
    its index (the clock's anchor, the banked days), and only as far as the page: the database never sorts
    every live case."""
    R = AssistanceRequest
    since = func.coalesce(R.submitted_at, R.created_at)
    columns = (R.id, R.status, days.label("waited"), R.clock_since.is_(None).label("paused"), since.label("since"))
    offset, wanted = (page - 1) * PER_PAGE, PER_PAGE + 1

    def ordered(*keys):
        return [k.desc() if descending else k.asc() for k in keys]

    if filters.sort in ("", None, "waiting"):
        anchor = clock_anchor_sql()
        running = (_where(select(*columns), user, filters, now).where(R.clock_since.is_not(None))
                   .order_by(anchor.asc() if descending else anchor.desc(), *ordered(since, R.id))
                   .limit(offset + wanted).subquery())
        stopped = (_where(select(*columns), user, filters, now).where(R.clock_since.is_(None))
                   .order_by(*ordered(R.clock_days, since, R.id)).limit(offset + wanted).subquery())
        both = union_all(select(running), select(stopped)).subquery()
        stmt = select(both).order_by(*ordered(both.c.waited, both.c.since, both.c.id))
    else:
        keys = [*_sort_keys(filters.sort, days), R.id]
        stmt = _where(select(*columns), user, filters, now).order_by(*ordered(*keys))
    return db.session.execute(stmt.limit(wanted).offset(offset)).all()


def _sort_keys(column: str, days) -> list:
    """The SQL expressions that order the cases by `column` (ascending; the query reverses them for a
    descending order). A State's or an owner's name is ranked in the reader's language here, once per name."""
    R = AssistanceRequest
    if column == "state":
        from exchange.reference.models import Country
        names = {iso3: reference_name("country", iso3).casefold()
                 for iso3 in db.session.scalars(select(Country.iso3))}
        ranked = sorted(set(names.values()))
        rank = {iso3: ranked.index(n) for iso3, n in names.items()}
        return [case(rank, value=R.country_iso3, else_=len(ranked))] if rank else [R.country_iso3]
    if column == "owner":
        names = {u.id: u.display_name.casefold() for u in owner_choices()}
        ranked = sorted(set(names.values()))
        rank = {user_id: ranked.index(n) for user_id, n in names.items()}
        return [case(rank, value=R.owner_id, else_=len(ranked))] if rank else [literal(0)]
    if column == "reference":
        return []
    if column == "title":
        return [func.lower(R.title)]
    if column == "urgency":
        return [-case(URGENCY_ORDER, value=R.urgency, else_=9), days]
    if column == "status":
        return [case({s.value: i for i, s in enumerate(RequestStatus)}, value=R.status, else_=len(RequestStatus))]
    return [days, func.coalesce(R.submitted_at, R.created_at)]


def _load(rows: list[QueueRow]) -> None:
    ids = [row.id for row in rows]
    if not ids:
        return
    R = AssistanceRequest
    records = {r.id: r for r in db.session.scalars(select(R).where(R.id.in_(ids)).options(
        selectinload(R.country), selectinload(R.themes), selectinload(R.owner)))}
    live: dict[int, list[str]] = {}
    for request_id, status in db.session.execute(select(Match.request_id, Match.status).where(
            Match.request_id.in_(ids), Match.status.in_(MatchStatus.LIVE))):
        live.setdefault(request_id, []).append(status)
    for row in rows:
        row.req, row.live_matches = records[row.id], live.get(row.id, [])


def next_action(row: QueueRow) -> str:
    """What the case waits for, in words (the queue's last column)."""
    status = row.status
    if status == RequestStatus.SUBMITTED:
        return _("Start the review")
    if status == RequestStatus.IN_REVIEW:
        return _("Decide: accept, ask or reject")
    if status == RequestStatus.NEEDS_INFO:
        return _("Waiting on the State's answer")
    if status == RequestStatus.OPEN:
        if MatchStatus.PROPOSED in row.live_matches:
            return _("Waiting on a provider's answer")
        return _("Propose offers") if not row.live_matches else _("Waiting on a provider")
    if status == RequestStatus.MATCHED:
        return _("Waiting on the provider to start")
    if status == RequestStatus.IN_DELIVERY:
        return _("Waiting on the provider's report")
    return _("Nothing: the case has ended")


@dataclass
class BulkResult:
    """What a bulk action did: the references done, and those refused with the reason."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def bulk_action(user, action: str, request_ids: list[int], form: dict) -> BulkResult:
    """Make `action` on each of these requests, each in a savepoint of its own: a refused record (not visible,
    not in a status that allows it, changed by someone else meanwhile, bad input) is left exactly as it was
    and named with the reason; the others are done."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed(_("Choose what to do with the cases you ticked."), {"action": [_("Choose an action.")]})
    if action == "ask" and form.get("question") not in STANDARD_QUESTIONS:
        raise ValidationFailed(_("Choose the question to ask."), {"question": [_("Choose a question.")]})
    if not request_ids:
        raise ValidationFailed(_("Tick the cases to act on first."), {"request_id": [_("Tick at least one case.")]})
    result = BulkResult()
    R = AssistanceRequest
    found = {r.id: r for r in db.session.scalars(select(R).where(R.id.in_(request_ids), request_scope(user)))}
    for request_id in dict.fromkeys(request_ids):
        reference = R.reference_for(request_id)
        req = found.get(request_id)
        if req is None:
            result.refused.append((reference, _("No such request.")))
            continue
        try:
            with db.session.begin_nested():
                _one(user, action, req, form)
        except ExchangeError as err:
            result.refused.append((reference, err.message))
        except StaleDataError:
            result.refused.append((reference, _("It was changed by someone else meanwhile.")))
        else:
            result.done.append(reference)
    return result


def _one(user, action: str, req: AssistanceRequest, form: dict) -> None:
    if action == "review":
        request_move("review")(user, req, {})
    elif action == "assign-me":
        assign_request(user, req, {"owner_id": user.id})
    elif action == "assign":
        assign_request(user, req, {"owner_id": form.get("owner_id", "")})
    elif action == "ask":
        question = STANDARD_QUESTIONS[form["question"]]
        with force_locale(req.content_language if req.content_language in LANGUAGES else page_language()):
            words = str(question)  # in the language the State wrote in, else the coordinator's
        request_move("request-info")(user, req, {"message": words})


def queue_query():
    """The requests in triage, oldest submission first (the coordinator's home lists the first few)."""
    return (select(AssistanceRequest)
            .options(selectinload(AssistanceRequest.country), selectinload(AssistanceRequest.themes))
            .where(AssistanceRequest.status.in_(RequestStatus.IN_TRIAGE))
            .order_by(func.coalesce(AssistanceRequest.submitted_at, AssistanceRequest.created_at),
                      AssistanceRequest.id))
