"""The audit trail page: who may see it, what it shows, its filters (record, person, dates) and
pagination; and that the trail is append-only (no route or operation edits or deletes an event)."""
from __future__ import annotations

import ast
import csv
import html as html_lib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from exchange import audit
from exchange.audit.filters import AuditFilters
from exchange.audit.models import AuditEvent
from exchange.audit.views import events_query
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.people.models import User
from exchange.reports import exports

PACKAGE = Path(__file__).resolve().parents[2] / "exchange"


def test_only_the_office_sees_the_trail(clients):
    assert clients.coordinator.get("/audit").status_code == 200
    assert clients.admin.get("/audit").status_code == 200
    for person in ("state", "provider", "outside", "pending"):
        assert getattr(clients, person).get("/audit").status_code == 403
    assert clients.anonymous.get("/audit").status_code == 302


def test_it_shows_who_when_what_and_changes(app, people, clients, world):
    request_id = world.request()
    html = clients.admin.get("/audit").get_data(as_text=True)
    assert people.state.email in html
    assert f"R-{request_id:05d} submitted" in html and "request.submitted" in html
    assert "draft → submitted" in html  # the change, before → after


def test_filters(app, people, clients, world):
    request_id = world.request()
    offer_id = world.offer(people.provider)
    by_record = clients.coordinator.get(f"/audit?record_type=offer&record_id=O-{offer_id:05d}").get_data(as_text=True)
    assert "offer.created" in by_record and "request.submitted" not in by_record
    by_request = clients.coordinator.get(f"/audit?record_type=request&record_id={request_id}").get_data(as_text=True)
    assert "request.submitted" in by_request and "offer.created" not in by_request
    by_person = clients.coordinator.get("/audit?person=officer@unodc").get_data(as_text=True)
    assert "offer.created" in by_person and "request.created" not in by_person
    today = utcnow().date()
    assert "offer.created" in clients.coordinator.get(f"/audit?from={today}&to={today}").get_data(as_text=True)
    tomorrow = today + timedelta(days=1)
    assert "No audit events match." in clients.coordinator.get(f"/audit?from={tomorrow}").get_data(as_text=True)
    yesterday = today - timedelta(days=1)
    assert "No audit events match." in clients.coordinator.get(f"/audit?to={yesterday}").get_data(as_text=True)


def test_bad_filters_are_explained_not_fatal(app, people, clients, world):
    world.request()
    for query, message in [("from=31-12-2026", "Use a date as YYYY-MM-DD."), ("to=yesterday", "Use a date"),
                           ("record_id=abc", "Give a record number"), ("record_type=bogus", "Choose a record type"),
                           ("from=2026-12-31&to=2026-01-01", "must not be before"),
                           ("record_id=99999999999999999999999", "Give a record number")]:
        response = clients.coordinator.get(f"/audit?{query}")
        assert response.status_code == 200 and message in response.get_data(as_text=True), query


def test_pagination(app, people, clients):
    with app.app_context():
        actor = db.session.get(User, people.admin.id)
        for n in range(55):
            audit.record(actor, "test.event", "user", actor.id, f"Event number {n:02d}")
        db.session.commit()
    first = clients.admin.get("/audit?record_type=user").get_data(as_text=True)
    assert "Event number 54" in first and "Event number 04" not in first and "Page 1 of 2" in first
    second = clients.admin.get("/audit?record_type=user&page=2").get_data(as_text=True)
    assert "Event number 04" in second and "Event number 54" not in second
    assert "record_type=user" in first.split("Next")[0].rsplit("href=", 1)[1]  # the filter follows the pages


def test_no_route_under_audit_changes_anything(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/audit")]
    assert rules
    for rule in rules:
        assert rule.methods - {"GET", "HEAD", "OPTIONS"} == set(), rule


def test_no_code_updates_or_deletes_audit_events():
    """Audit events are only ever added: no update()/delete() of AuditEvent, no session.delete of one, and
    AuditEvent rows are created only by exchange/audit/__init__.py."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
                name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                args = [a.id for a in node.args if isinstance(a, ast.Name)]
                if name in ("update", "delete") and "AuditEvent" in args:
                    offenders.append(f"{path}: {name}(AuditEvent)")
                if name == "AuditEvent" and path.relative_to(PACKAGE).as_posix() != "audit/__init__.py":
                    offenders.append(f"{path}: creates AuditEvent")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "AuditEvent" \
                    and node.attr in ("__table__", "query"):
                offenders.append(f"{path}: AuditEvent.{node.attr}")
    assert not offenders, offenders


def _page_filter_sets(request_id: int, offer_id: int) -> list[dict[str, str]]:
    today = utcnow().date()
    return [{"record_type": "offer", "record_id": f"O-{offer_id:05d}"},
            {"record_type": "request", "record_id": str(request_id)},
            {"person": "officer@unodc"},
            {"from": today.isoformat(), "to": today.isoformat(), "record_type": "request"},
            {"from": (today + timedelta(days=1)).isoformat()},
            {"action": "request.submitted"}]


def test_the_export_reads_the_pages_filters(app, people, world):
    """AuditFilters is the one reading of the filters and queries.filter_audit the one query: the export of a
    filtered trail holds exactly the events the page lists with those filters."""
    request_id = world.request()
    offer_id = world.offer(people.provider)
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        everything = db.session.scalars(select(AuditEvent.id)).all()
        for params in _page_filter_sets(request_id, offer_id):
            on_page = [e.id for e in db.session.scalars(events_query(AuditFilters.from_params(params)))]
            exported = [row[0] for row in exports.table_for("audit", coordinator, params).rows]
            assert exported == on_page, params
            assert len(on_page) < len(everything), params  # each filter narrows
        # The export's own names for the dates still work.
        today = utcnow().date().isoformat()
        assert [row[0] for row in exports.table_for("audit", coordinator, {"start": today, "end": today}).rows] == \
            [e.id for e in db.session.scalars(events_query(AuditFilters.from_params({"from": today, "to": today})))]


def _export_link(page_html: str) -> str:
    link = re.search(r'href="(/exports/audit\.csv[^"]*)"', page_html)
    assert link, "the page links to the export of what it shows"
    return html_lib.unescape(link.group(1))


def _exported_ids(client, link: str) -> list[int]:
    response = client.get(link)
    text = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200, text[:300]
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(text[1:]))]


def _listed_ids(app, params) -> list[int]:
    with app.app_context():
        return [e.id for e in db.session.scalars(events_query(AuditFilters.from_params(params)))]


@pytest.mark.parametrize("which", ["record_type", "dates", "action"])
def test_the_pages_export_link_carries_its_filters(app, people, clients, which, world):
    request_id = world.request()
    world.offer(people.provider)
    today = utcnow().date().isoformat()
    params = {"record_type": {"record_type": "request"}, "dates": {"from": today, "to": today},
              "action": {"action": "request.submitted"}}[which]
    page = clients.coordinator.get("/audit", query_string=params).get_data(as_text=True)
    assert _exported_ids(clients.coordinator, _export_link(page)) == _listed_ids(app, params)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    empty = clients.coordinator.get("/audit", query_string={"from": tomorrow}).get_data(as_text=True)
    assert _exported_ids(clients.coordinator, _export_link(empty)) == []
    assert request_id


@pytest.mark.parametrize("which", ["record_id", "person"])
def test_the_pages_export_link_carries_record_and_person(app, people, clients, which, world):
    world.request()
    second = world.request()
    world.offer(people.provider)
    params = {"record_id": {"record_id": f"R-{second:05d}"}, "person": {"person": "officer@unodc"}}[which]
    listed = _listed_ids(app, params)
    assert listed and len(listed) < len(_listed_ids(app, {}))
    page = clients.coordinator.get("/audit", query_string=params).get_data(as_text=True)
    assert _exported_ids(clients.coordinator, _export_link(page)) == listed


def test_the_export_refuses_filters_it_cannot_read(clients, people, app, world):
    """The page explains a filter it cannot read and lists without it; a file is not sent without it."""
    world.request()
    for query in ("record_type=bogus", "action=" + "x" * 41, "start=31-12-2026"):
        response = clients.coordinator.get(f"/exports/audit.csv?{query}")
        status = response.status_code
        response.close()
        assert status == 422, query
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        for params in ({"record_id": "abc"}, {"from": "31-12-2026"}, {"to": "yesterday"},
                       {"from": "2026-12-31", "to": "2026-01-01"}, {"record_type": "bogus"}):
            with pytest.raises(ValidationFailed) as refused:
                exports.table_for("audit", coordinator, params)
            assert refused.value.fields and set(refused.value.fields) <= set(params), params
