"""Helpers for the API tests: records built through the operations (the same code path as the API)."""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.matches.operations import match_move, propose_match
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, offer_move
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move

REQUEST = {"title": "Training for the financial intelligence unit",
           "description": "Analysts need training on terrorist financing typologies and suspicious reports.",
           "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"], "urgency": "high"}
OFFER = {"title": "Countering the financing of terrorism course",
         "description": "A two-week course for FIU analysts and supervisors on terrorist financing.",
         "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"]}

# How to bring a fresh request (filed by a coordinator on a State's behalf) into each status.
REQUEST_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "review"],
    "needs_info": ["submit", ("request-info", {"message": "Which agency will host the training?"})],
    "open": ["submit", "accept"],
    "rejected": ["submit", ("reject", {"reason": "Out of the Strategy's scope."})],
    "withdrawn": ["submit", "withdraw"],
    "closed": ["submit", "accept", "close"],
}
MATCH_PATHS = {
    "proposed": [],
    "accepted": ["accept"],
    "in_delivery": ["accept", "start"],
    "completed": ["accept", "start", ("complete", {"outcome": "Twenty analysts trained."})],
    "declined": [("decline", {"reason": "No trainers free this year."})],
    "withdrawn": ["withdraw"],
}


class World:
    """Builds records as the people of the `people` fixture, committed, and answers their ids."""

    def __init__(self, app, people):
        self.app, self.people = app, people

    def _user(self, name):
        return db.session.get(User, getattr(self.people, name).id)

    def request(self, status: str = "submitted", by: str = "state", **fields) -> int:
        """A request of `by`'s State (KAZ for `state`, NGA for `other_state`) in `status`."""
        with self.app.app_context():
            state = self._user(by)
            coordinator = self._user("coordinator")
            data = REQUEST | fields | {"draft": True}
            if "shared_with" in data:
                data["country"] = state.organisation.country_iso3
                req = create_request(coordinator, data)  # only coordinators share
            else:
                req = create_request(state, data)
            for step in REQUEST_PATHS[status]:
                action, body = step if isinstance(step, tuple) else (step, {})
                actor = state if action == "submit" else coordinator
                request_move(action)(actor, req, body)
            db.session.commit()
            return req.id

    def offer(self, by: str = "provider", status: str = "active", **fields) -> int:
        with self.app.app_context():
            provider = self._user(by)
            offer = create_offer(provider, OFFER | fields)
            if status in ("paused", "closed"):
                offer_move("pause" if status == "paused" else "close")(provider, offer)
            db.session.commit()
            return offer.id

    def match(self, status: str = "proposed", request_id: int | None = None, offer_id: int | None = None) -> int:
        request_id = request_id or self.request("open")
        offer_id = offer_id or self.offer()
        with self.app.app_context():
            coordinator = self._user("coordinator")
            match = propose_match(coordinator, {"request_id": request_id, "offer_id": offer_id, "note": "fit"})
            provider = db.session.get(User, self.people.provider.id)
            for step in MATCH_PATHS[status]:
                action, body = step if isinstance(step, tuple) else (step, {})
                actor = coordinator if action == "withdraw" else provider
                match_move(action)(actor, match, body)
            db.session.commit()
            return match.id

    def status_of(self, model, record_id) -> str:
        with self.app.app_context():
            return db.session.get(model, record_id).status

    def row(self, model, record_id):
        with self.app.app_context():
            record = db.session.get(model, record_id)
            db.session.expunge(record)
            return record

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.query(model).count()


@pytest.fixture
def world(app, people):
    return World(app, people)


__all__ = ["OFFER", "REQUEST", "AssistanceRequest", "Match", "Offer"]
