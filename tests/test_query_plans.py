"""Every list reads its big tables through an index (issue 17): for each request and offer list, filter, sort
and search, the search page and the API lists, as a coordinator, a State and a provider (each with its own
visibility scope), the statements the page runs (captured through the real HTTP layer) are explained on the
same database, and none scans a big table whole; a sorted page without a search reads its rows in the
index's order (no sort of the whole list).

SQLite: `EXPLAIN QUERY PLAN` after `ANALYZE` of 3,000 requests and 600 offers; a full scan is a `SCAN <table>`
line without `USING … INDEX`; a sort of everything is `USE TEMP B-TREE FOR ORDER BY` in the list's query.
PostgreSQL: its planner reads a few thousand rows faster by a sequential scan whatever the indexes, so a
plain EXPLAIN proves nothing at this size; with `SET enable_seqscan = off` a sequential scan is still
chosen when no index can serve the query, which is what this test is after (a `Seq Scan on <table>` node
then means a missing index).

The API's default `total` is exact (API.md's contract): over a provider's scope (an OR of grants that no one
index answers) that count reads every row, so the provider's API list is checked with `?count=capped`."""
from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, text

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.offers.models import Offer, offer_countries, offer_regions, offer_themes
from exchange.people.models import Organisation
from exchange.reference.models import Country, Region, Theme
from exchange.requests.models import AssistanceRequest, request_languages, request_modalities, request_themes
from tests.helpers import DATABASE_URL

BIG_TABLES = ("assistance_requests", "offers", "matches", "request_themes", "request_modalities",
              "request_languages", "request_shares", "offer_themes", "offer_countries", "offer_regions",
              "offer_modalities", "offer_languages", "audit_events")
POSTGRES = DATABASE_URL.startswith("postgresql")

LISTS = [
    ("coordinator", "/requests"), ("coordinator", "/requests?status=open"),
    ("coordinator", "/requests?country=KAZ"), ("coordinator", "/requests?theme=financing"),
    ("coordinator", "/requests?theme=financing&status=open&sort=oldest"),
    ("coordinator", "/requests?sort=oldest"), ("coordinator", "/requests?sort=updated"),
    ("coordinator", "/requests?sort=urgency"), ("coordinator", "/requests?sort=title"),
    ("coordinator", "/requests?page=3"), ("coordinator", "/requests?q=border"),
    ("coordinator", "/requests?q=rareword"), ("coordinator", "/requests?q=border&sort=updated"),
    ("state", "/requests"), ("state", "/requests?q=border"), ("provider", "/requests"),
    ("provider", "/requests?q=border"), ("provider", "/requests?sort=urgency"),
    ("coordinator", "/offers"), ("coordinator", "/offers?status=active"), ("coordinator", "/offers?sort=updated"),
    ("coordinator", "/offers?sort=title"), ("coordinator", "/offers?theme=financing"),
    ("coordinator", "/offers?q=border"), ("provider", "/offers"),
    ("coordinator", "/search?q=border"), ("provider", "/search?q=border"), ("state", "/search?q=rareword"),
    ("coordinator", "/api/v1/requests"), ("coordinator", "/api/v1/requests?status=open&sort=oldest"),
    ("coordinator", "/api/v1/requests?q=border"), ("coordinator", "/api/v1/requests?sort=title"),
    ("provider", "/api/v1/requests?count=capped"), ("state", "/api/v1/requests"), ("coordinator", "/api/v1/offers"),
]
WORDS = ["ministry", "officials", "agency", "regional", "national", "coordination", "strategy", "policy",
         "standard", "practices", "oversight", "data", "exchange", "cooperation", "partners", "border"]


@pytest.fixture
def many(app, people):
    """3,000 requests of the two States and 600 offers of the providers, with their codes; then ANALYZE."""
    rnd = random.Random(17)
    with app.app_context():
        themes = list(db.session.scalars(select(Theme.code)))
        countries = list(db.session.scalars(select(Country.iso3).limit(40)))
        regions = list(db.session.scalars(select(Region.code)))
        orgs = {people.state.organisation_id: "KAZ", people.other_state.organisation_id: "NGA"}
        providers = list(db.session.scalars(select(Organisation.id).where(
            Organisation.id.in_([people.provider.organisation_id, people.other_provider.organisation_id]))))
        now = utcnow()
        requests, links = [], {"themes": [], "modalities": [], "languages": []}
        statuses = ["draft", "submitted", "open", "open", "open", "matched", "completed", "rejected"]
        for i in range(1, 3001):
            org = rnd.choice(list(orgs))
            created = now - timedelta(minutes=rnd.randint(0, 500_000))
            requests.append({
                "organisation_id": org, "country_iso3": orgs[org],
                "title": f"Request {i} " + " ".join(rnd.sample(WORDS, 3)),
                "description": " ".join(rnd.sample(WORDS, 8)) + (" rareword" if i == 17 else ""),
                "beneficiary": "", "urgency": rnd.choice(("low", "medium", "high", "critical")),
                "visibility": rnd.choice(("task_force", "providers", "restricted")), "status": rnd.choice(statuses),
                "version": 1, "status_note": "", "created_at": created, "updated_at": created,
                "submitted_at": created, "status_changed_at": created})
        db.session.execute(insert(AssistanceRequest.__table__), requests)
        ids = list(db.session.scalars(select(AssistanceRequest.id)))
        for rid in ids:
            links["themes"] += [{"request_id": rid, "theme_code": t} for t in rnd.sample(themes, 2)]
            links["modalities"].append({"request_id": rid, "modality_code": "training"})
            links["languages"].append({"request_id": rid, "language_code": rnd.choice(("en", "fr", "ru"))})
        db.session.execute(insert(request_themes), links["themes"])
        db.session.execute(insert(request_modalities), links["modalities"])
        db.session.execute(insert(request_languages), links["languages"])
        offers = [{"organisation_id": rnd.choice(providers), "title": f"Programme {i} " + " ".join(rnd.sample(WORDS, 2)),
                   "description": " ".join(rnd.sample(WORDS, 8)), "status": rnd.choice(("active", "paused")),
                   "version": 1, "created_at": now - timedelta(days=rnd.randint(0, 700)), "updated_at": now,
                   "contact_name": "", "contact_email": ""} for i in range(600)]
        db.session.execute(insert(Offer.__table__), offers)
        offer_ids = list(db.session.scalars(select(Offer.id)))
        db.session.execute(insert(offer_themes), [{"offer_id": o, "theme_code": t} for o in offer_ids
                                                  for t in rnd.sample(themes, 2)])
        db.session.execute(insert(offer_countries), [{"offer_id": o, "country_iso3": rnd.choice(countries)}
                                                     for o in offer_ids[::3]])
        db.session.execute(insert(offer_regions), [{"offer_id": o, "region_code": rnd.choice(regions)}
                                                   for o in offer_ids[1::3]])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return people


def _statements(app, clients, tokens, who: str, path: str) -> list[tuple[str, object]]:
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and re.search(
                r"\bFROM\b[^()]*\b(" + "|".join(BIG_TABLES) + r")\b", statement, re.DOTALL):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        if path.startswith("/api/"):
            response = clients.anonymous.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
        else:
            response = getattr(clients, who).get(path)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200, (path, response.status_code)
    return seen


def _plan(app, statement: str, parameters) -> list[str]:
    with app.app_context(), db.engine.connect() as conn:
        if POSTGRES:
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return [row[0] for row in rows]
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()]


def _full_scans(plan: list[str]) -> list[str]:
    big = "|".join(BIG_TABLES)
    if POSTGRES:
        return [line for line in plan if re.search(rf"Seq Scan on ({big})\b", line)]
    return [line for line in plan if re.match(rf"\s*SCAN ({big})\b", line) and "INDEX" not in line]


def _is_list_query(statement: str) -> bool:
    """The page's own rows: a select of the list's records with an ORDER BY and a LIMIT (not a count)."""
    return (re.search(r"ORDER BY (assistance_requests|offers)\.|ORDER BY lower\(|ORDER BY CASE", statement)
            is not None and "LIMIT" in statement and "count(" not in statement.split("FROM")[0])


def _is_capped_count(statement: str) -> bool:
    """`count_up_to`'s statement: a count of at most the cap's rows (core/paging.py)."""
    return statement.lstrip().startswith("SELECT count(*)") and "SELECT 1" in statement and "LIMIT" in statement


def test_each_list_reads_its_big_tables_through_an_index(app, many, clients, tokens):
    """One test over every list (the 3,600 rows are made once): each (who, path)'s problems are listed."""
    problems = []
    for who, path in LISTS:
        statements = _statements(app, clients, tokens, who, path)
        if not statements:
            problems.append(f"{who} {path}: no statement read the lists' tables")
        for statement, parameters in statements:
            plan = _plan(app, statement, parameters)
            scans = _full_scans(plan)
            if scans and _is_capped_count(statement) and who == "provider":
                # A provider's scope is an OR of grants (and of statuses) that no one index answers: both engines
                # count the first cap+1 visible rows in table order and stop (the page's rows walk an index).
                scans = []
            problems += [f"{who} {path}: {line}\n  in {statement[:300]}" for line in scans]
            if (not POSTGRES and "q=" not in path and _is_list_query(statement)
                    and any("USE TEMP B-TREE FOR ORDER BY" in line for line in plan)):
                problems.append(f"{who} {path}: sorts every row: {statement[:300]}")
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_full_scan_where_no_index_serves(app, many):
    """The rule above can fail: a filter on a column without an index (the beneficiary) is a full scan."""
    statement = "SELECT id FROM assistance_requests WHERE beneficiary = 'x'"
    assert _full_scans(_plan(app, statement, ()))
