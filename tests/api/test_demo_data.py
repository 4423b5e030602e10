"""The demo data set: loaded through the operations, every request and match status present, idempotent,
and each demo login finds its own work through the API."""
from __future__ import annotations

from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.messages.models import Notification
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from tests.factories import make_api_token


def _token(email: str) -> str:
    token = make_api_token(db.session.scalar(select(User).where(User.email == email)))
    db.session.commit()
    return token


def test_demo_data_covers_every_status_and_loads_once(app, api):
    from exchange.seed.demo import load_demo
    with app.app_context():
        load_demo()
        db.session.commit()
        counts = (db.session.scalar(select(func.count()).select_from(AssistanceRequest)),
                  db.session.scalar(select(func.count()).select_from(Match)))
        assert counts[0] >= 20
        assert set(db.session.scalars(select(AssistanceRequest.status))) >= {
            "draft", "submitted", "in_review", "needs_info", "open", "matched", "in_delivery", "completed",
            "rejected", "withdrawn"}
        assert set(db.session.scalars(select(Match.status))) == {
            "proposed", "accepted", "in_delivery", "completed", "declined", "withdrawn"}
        assert db.session.scalar(select(func.count()).select_from(Match).where(Match.rating.is_not(None))) == 1
        assert db.session.scalar(select(func.count()).select_from(Match).where(Match.decline_reason != "")) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > counts[0] + counts[1]
        assert db.session.scalar(select(func.count()).select_from(Notification)) > 0
        load_demo()  # a second run changes nothing
        db.session.commit()
        assert (db.session.scalar(select(func.count()).select_from(AssistanceRequest)),
                db.session.scalar(select(func.count()).select_from(Match))) == counts
        tokens = {who: _token(email) for who, email in {
            "kaz": "focal@kaz.demo.example", "nga": "focal@nga.demo.example", "coordinator":
            "coordinator@ctitf.demo.example", "unodc": "officer@unodc.demo.example",
            "wco": "officer@wco.demo.example", "nordic": "officer@nordic.demo.example"}.items()}

    kaz = api.get("/api/v1/requests?per_page=100", tokens["kaz"]).json["items"]
    assert kaz and {r["country"] for r in kaz} == {"KAZ"}
    assert {"draft", "needs_info", "completed"} <= {r["status"] for r in kaz}
    nga_matches = api.get("/api/v1/matches?status=completed", tokens["nga"]).json["items"]
    assert [m["confirmed_at"] for m in nga_matches] == [None]  # NGA has a delivery to confirm
    triage = api.get("/api/v1/requests?status=submitted,in_review", tokens["coordinator"]).json
    assert triage["total"] >= 3
    for provider in ("unodc", "wco", "nordic"):
        proposed = api.get("/api/v1/matches?status=proposed", tokens[provider]).json
        assert proposed["total"] >= 1, provider
    spanish = api.get("/api/v1/requests?q=financiación", tokens["coordinator"]).json["items"]
    assert [r["country"] for r in spanish] == ["PER"]
