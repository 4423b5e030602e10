"""The case queue's page is cut, sorted and counted by the database: the order of every column is the one
the office's rules give (the office clock of requests/clock.py, the reader's names of States and owners), the
counts stop at a cap ("more than …") with pages that still lead on, and the live region comes alone
(`?fragment=rows`) for the live script, for coordinators only, in as few statements as the page."""
from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import RequestStatus
from exchange.matches import queue as case_queue
from exchange.people.models import User
from exchange.reference.names import name as reference_name
from exchange.requests.clock import office_days
from exchange.requests.models import AssistanceRequest
from exchange.requests.queries import URGENCY_ORDER
from tests.factories import make_office
from tests.helpers import signed_in_client

ROW = re.compile(r'<tr id="case-(\d+)" data-request-id')


@pytest.fixture
def office(app, people):
    """120 live cases (three pages) of two States with owners, some overdue, and clocks of every kind:
    running from various days, stopped with days banked, urgencies spread."""
    with app.app_context():
        make_office(people, open_requests=120, coordinators=4)
        rnd = random.Random(5)
        now = utcnow()
        for req in db.session.scalars(select(AssistanceRequest)):
            req.clock_days = rnd.choice((0, 0, 2, 4, 7))
            req.urgency = rnd.choice(("low", "medium", "high", "critical"))
            if req.clock_since is not None:
                req.clock_since = now - timedelta(days=rnd.randint(0, 30), hours=rnd.randint(0, 23))
        db.session.commit()


def _python_order(user_id: int, sort: str, descending: bool) -> list[int]:
    """Every live case in the order the rules give, computed one by one in Python (what the queue did)."""
    now = utcnow()
    owners = {u.id: u.display_name.casefold() for u in case_queue.owner_choices()}
    order = list(RequestStatus)
    keys = {
        "waiting": lambda r, d: (d, r.submitted_at or r.created_at),
        "reference": lambda r, d: r.id,
        "title": lambda r, d: r.title.casefold(),
        "urgency": lambda r, d: (-URGENCY_ORDER.get(r.urgency, 9), d),
        "status": lambda r, d: order.index(r.status),
        "state": lambda r, d: reference_name("country", r.country_iso3).casefold(),
        "owner": lambda r, d: owners.get(r.owner_id, "\uffff"),
    }
    cases = db.session.scalars(select(AssistanceRequest).where(AssistanceRequest.status.in_(RequestStatus.LIVE)))
    keyed = [(keys[sort](r, office_days(r.clock_days, r.clock_since, now)), r.id) for r in cases]
    return [id_ for _key, id_ in sorted(keyed, reverse=descending)]


def test_every_column_orders_the_cases_as_the_rules_do(app, people, office):
    with app.app_context():
        user = db.session.get(User, people.coordinator.id)
        for sort, order in ((sort, order) for sort in case_queue.QUEUE_SORTS for order in ("asc", "desc")):
            expected = _python_order(user.id, sort, order == "desc")
            filters, problems = case_queue.QueueFilters.parse({"sort": sort, "order": order})
            assert not problems
            shown = []
            for page in (1, 2, 3):
                got = case_queue.queue(user, filters, page, utcnow())
                assert got["pages"] == 3 and got["total"] == 120
                shown += [row.id for row in got["rows"]]
            assert shown == expected, (sort, order)
            got = case_queue.queue(user, filters, 1, utcnow())
            waited = {row.id: row.waited for row in got["rows"]}
            for req in db.session.scalars(select(AssistanceRequest).where(AssistanceRequest.id.in_(waited))):
                assert waited[req.id] == office_days(req.clock_days, req.clock_since, utcnow())


def test_overdue_filter_and_count_follow_the_clock(app, people, clients, office):
    with app.app_context():
        now = utcnow()
        live = db.session.scalars(select(AssistanceRequest).where(AssistanceRequest.status.in_(RequestStatus.LIVE)))
        overdue = {r.id for r in live if office_days(r.clock_days, r.clock_since, now) > 5}
    assert 0 < len(overdue) < 120
    html = clients.coordinator.get("/triage?overdue=1").get_data(as_text=True)
    assert f"{len(overdue)} cases." in html and f"{len(overdue)} are overdue." in html
    shown = set()
    for page in range(1, 4):
        shown |= {int(i) for i in ROW.findall(clients.coordinator.get(f"/triage?overdue=1&page={page}")
                                              .get_data(as_text=True))}
    assert shown == overdue


def test_counts_beyond_the_cap_say_more_than_and_pages_still_lead_on(app, people, clients, office, monkeypatch):
    monkeypatch.setattr(case_queue, "COUNT_CAP", 30)
    html = clients.coordinator.get("/triage").get_data(as_text=True)
    assert "More than 30 cases." in html and "More than 30 are overdue." in html
    assert "Page 1, more than 30 cases in all." in html and "/triage?page=2" in html and ">Next<" in html
    assert len(ROW.findall(html)) == case_queue.PER_PAGE
    last = clients.coordinator.get("/triage?page=3").get_data(as_text=True)
    assert len(ROW.findall(last)) == 20 and ">Next<" not in last and "/triage?page=2" in last
    beyond = clients.coordinator.get("/triage?page=99").get_data(as_text=True)  # past the end: the last page
    assert ROW.findall(beyond) == ROW.findall(last)
    html = clients.coordinator.get("/triage?status=needs_info&owner=none").get_data(as_text=True)
    assert "More than" not in html  # under the cap: counted exactly
    assert re.search(r"\d+ cases?\.", html)


def _statements(app, client, path: str) -> tuple[int, str]:
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        body = client.get(path, headers={"X-Exchange-Live": "1"}).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count[0], body


def test_the_live_region_comes_alone_for_coordinators(app, people, clients, office):
    full = clients.coordinator.get("/triage?sort=title&order=asc&page=2").get_data(as_text=True)
    fragment_url = re.search(r'id="live-triage" data-live="request offer" data-live-fragment="([^"]+)"', full)
    assert fragment_url, "the region names its lighter address"
    address = fragment_url.group(1).replace("&amp;", "&")
    assert "fragment=rows" in address and "sort=title" in address and "page=2" in address
    clients.coordinator.get(address)
    statements, fragment = _statements(app, clients.coordinator, address)
    page_statements, _page = _statements(app, clients.coordinator, "/triage?sort=title&order=asc&page=2")
    assert fragment.lstrip().startswith("<div id=\"live-triage\"") and "<html" not in fragment
    assert "navbar" not in fragment and 'id="case-queue"' in fragment
    assert ROW.findall(fragment) == ROW.findall(full)  # the same rows as the page
    assert statements <= page_statements
    assert len(fragment) < len(full)
    for person in ("state", "provider", "admin", "other_state"):
        client = getattr(clients, person, None) or signed_in_client(app, getattr(people, person).id)
        assert client.get("/triage?fragment=rows").status_code == 403, person
    answer = app.test_client().get("/triage?fragment=rows")
    assert answer.status_code in (302, 401)


def test_the_page_reads_the_same_statements_with_the_cap_reached_or_not(app, people, clients, office, monkeypatch):
    clients.coordinator.get("/triage")
    under, _ = _statements(app, clients.coordinator, "/triage")
    monkeypatch.setattr(case_queue, "COUNT_CAP", 30)
    over, _ = _statements(app, clients.coordinator, "/triage")
    assert over == under


def test_the_default_order_is_read_from_the_clock_indexes(app, people, office):
    """The longest wait first: each branch (running clocks, stopped ones) walks its index (the expression
    index of migration h17b_queue_clock on the clock's anchor, the banked days), on SQLite and PostgreSQL."""
    with app.app_context():
        user = db.session.get(User, people.coordinator.id)
        engine = db.engine
        seen = []

        def on_execute(_conn, _cursor, statement, parameters, _context, _many):
            seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            case_queue.queue(user, case_queue.QueueFilters.parse({})[0], 1, utcnow())
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        statement, parameters = next((s, p) for s, p in seen if "UNION ALL" in s)
        connection = db.session.connection()
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few rows: the index must be usable
            plan = " ".join(str(row) for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        assert "ix_expr_requests_clock_anchor" in plan, plan
        assert "ix_requests_clock_days" in plan, plan
