"""Records for the report tests, made through exchange.operations as people would make them."""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.matches.operations import match_move, propose_match
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move


def user(person) -> User:
    return db.session.get(User, person.id)


def new_request(people, *, state="state", themes=("financing",), status="open", visibility="task_force",
                title="Strengthening the financial intelligence unit", submitted_at=None) -> AssistanceRequest:
    """A request filed by `state` (a person name) and moved by a coordinator to `status`
    (submitted, open, rejected; matched / in_delivery / completed come from matches)."""
    filer = user(getattr(people, state))
    req = create_request(filer, {
        "title": title, "description": "A need described in more than twenty characters for the test.",
        "themes": list(themes), "modalities": ["training"], "languages": ["en"], "urgency": "high",
        "visibility": visibility})
    coordinator = user(people.coordinator)
    if status in ("open", "rejected"):
        if status == "open":
            request_move("accept")(coordinator, req)
        else:
            request_move("reject")(coordinator, req, {"reason": "Out of scope for the test."})
    if submitted_at is not None:
        req.submitted_at = submitted_at
    db.session.flush()
    return req


def new_offer(people, *, provider="provider", themes=("financing",), countries=(), regions=(), capacity=None,
              title="Countering the financing of terrorism programme") -> Offer:
    offer = create_offer(user(getattr(people, provider)), {
        "title": title, "description": "A programme described in more than twenty characters.",
        "themes": list(themes), "modalities": ["training"], "languages": ["en"], "countries": list(countries),
        "regions": list(regions), "capacity": capacity})
    db.session.flush()
    return offer


def matched(people, req, offer, *, to="accepted", provider="provider", reason="No capacity this year.") -> Match:
    """Propose `offer` for `req` and move the match to `to`."""
    coordinator = user(people.coordinator)
    match = propose_match(coordinator, {"request_id": req.id, "offer_id": offer.id})
    who = user(getattr(people, provider))
    steps = {"proposed": [], "declined": [("decline", {"reason": reason})], "accepted": [("accept", {})],
             "in_delivery": [("accept", {}), ("start", {})],
             "completed": [("accept", {}), ("start", {}), ("complete", {"outcome": "Forty analysts trained."})]}[to]
    for action, raw in steps:
        match_move(action)(who, match, raw)
    db.session.flush()
    return match


@dataclass
class Scenario:
    """KAZ: r_open (financing, open), r_matched (financing + border-management, matched),
    r_done (border-management, completed), r_triage (submitted: not counted);
    NGA: r_restricted (financing, open, restricted), r_hr (human-rights, open, visible to every provider).
    Offers: UNODC financing in KAZ; UNODC border-management anywhere; IMF human-rights in Western Africa (011)."""

    ids: dict


@pytest.fixture
def scenario(app, people):
    with app.app_context():
        offer_fin = new_offer(people, themes=["financing"], countries=["KAZ"])
        offer_border = new_offer(people, themes=["border-management"], title="Border management programme")
        offer_hr = new_offer(people, provider="other_provider", themes=["human-rights"], regions=["011"],
                             title="Human rights in counter-terrorism")
        r_open = new_request(people, themes=["financing"])
        r_matched = new_request(people, themes=["financing", "border-management"])
        r_done = new_request(people, themes=["border-management"])
        r_triage = new_request(people, themes=["financing"], status="submitted")
        r_restricted = new_request(people, state="other_state", themes=["financing"], visibility="restricted")
        r_hr = new_request(people, state="other_state", themes=["human-rights"], visibility="providers")
        m_matched = matched(people, r_matched, offer_fin, to="accepted")
        m_done = matched(people, r_done, offer_border, to="completed")
        db.session.commit()
        ids = {name: obj.id for name, obj in locals().items() if name.startswith(("r_", "m_", "offer_"))}
        db.session.remove()
    return Scenario(ids)


def at(days: float, base=datetime(2025, 3, 1, 9, 0)) -> datetime:
    return base + timedelta(days=days)


def pdf_strings(data: bytes) -> list[str]:
    """The text a PDF shows, one string per text operation, read from its Flate-compressed content streams."""
    strings = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue  # not a content stream (fonts, images)
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content):
            strings.append(re.sub(rb"\\(.)", rb"\1", raw).decode("cp1252"))
    return strings
