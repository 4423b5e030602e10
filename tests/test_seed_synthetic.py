"""`flask seed synthetic`: a small synthetic office (300 requests) on the test database — its counts and shares,
matches consistent with their requests, the id sequences left right (the next record made through the API gets
a free id), the visibility rules holding on the seeded rows, the pages answering, and the refusal on a
database with real people."""
from __future__ import annotations

from sqlalchemy import func, select, text

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus
from exchange.matches.models import Match
from exchange.messages.models import Message, Notification
from exchange.offers.models import Offer
from exchange.people.models import Organisation, User
from exchange.requests.models import AssistanceRequest, request_shares
from exchange.seed.synthetic import CONTENT_LANGUAGE_SHARES, MATCH_OF_REQUEST, REQUEST_STATUS_SHARES
from tests.factories import make_api_token, make_user
from tests.helpers import DEMO_LOGINS, ApiClient, demo_client

N_REQUESTS, N_OFFERS = 300, 60


def _seed(app, *extra: str):
    return app.test_cli_runner().invoke(args=["seed", "synthetic", "--requests", str(N_REQUESTS), "--offers",
                                              str(N_OFFERS), *extra])


def _synthetic_requests():
    """The seeded requests (the demo's titles carry no "(id)")."""
    return select(AssistanceRequest).where(AssistanceRequest.title.like("%(%)"))


def _token(app, email: str) -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = make_api_token(user, "t")
        db.session.commit()
        return token


def test_counts_shares_and_consistent_matches(app):
    result = _seed(app)
    assert result.exit_code == 0, result.output
    assert "Synthetic office added" in result.output
    with app.app_context():
        requests = list(db.session.scalars(_synthetic_requests()))
        assert len(requests) == N_REQUESTS
        assert db.session.scalar(select(func.count()).select_from(Offer).where(Offer.title.like("%: %"))) \
            >= N_OFFERS
        assert {r.status for r in requests} == set(REQUEST_STATUS_SHARES)
        assert {r.content_language for r in requests} == set(CONTENT_LANGUAGE_SHARES)
        assert {r.visibility for r in requests} == {"task_force", "providers", "restricted"}
        assert len({r.country_iso3 for r in requests}) > 100
        assert all(r.themes and r.modalities and r.languages for r in requests)
        restricted = [r for r in requests if r.visibility == "restricted"]
        assert all(r.shared_with for r in restricted)
        providers = db.session.scalar(select(func.count(func.distinct(Offer.organisation_id))))
        assert providers >= 5
        ids = [r.id for r in requests]
        matches = list(db.session.scalars(select(Match).where(Match.request_id.in_(ids))))
        assert {m.status for m in matches} == set(MatchStatus)
        by_request: dict[int, list[Match]] = {}
        for m in matches:
            by_request.setdefault(m.request_id, []).append(m)
        for r in requests:
            statuses = sorted(m.status for m in by_request.get(r.id, []))
            if r.status in MATCH_OF_REQUEST:
                assert MATCH_OF_REQUEST[r.status] in statuses, (r.status, statuses)
                assert all(s in (MATCH_OF_REQUEST[r.status], "declined") for s in statuses)
            elif r.status != "open":
                assert statuses == [], (r.status, statuses)
            live = [m for m in by_request.get(r.id, []) if m.status in MatchStatus.LIVE]
            assert len(live) <= 1 and all(m.offer.status == "active" for m in live)
            assert (r.submitted_at is None) == (r.status == "draft")
        audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "request.created", AuditEvent.record_id.in_(ids)))
        assert audited == N_REQUESTS
        assert db.session.scalar(select(func.count()).select_from(Message).where(Message.request_id.in_(ids))) > 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) >= N_REQUESTS // 20
        # the report summary counts the seeded records (they went in past the ORM): as a recount from the records
        from exchange.reports.summary import ReportCount, rebuild_all
        kept = sorted(db.session.execute(select(ReportCount.facet, ReportCount.code, ReportCount.country_iso3,
                                                ReportCount.visibility, ReportCount.status, ReportCount.n)).all())
        assert kept
        rebuild_all()
        assert sorted(db.session.execute(select(ReportCount.facet, ReportCount.code, ReportCount.country_iso3,
                                                ReportCount.visibility, ReportCount.status, ReportCount.n)).all()) \
            == kept
        db.session.rollback()
        # the full-text search finds the seeded texts, as a record's own
    border = ApiClient(app).get("/api/v1/requests?q=border&per_page=100", _token(app, DEMO_LOGINS["coordinator"]))
    assert border.status_code == 200, border.json
    assert any("(" in item["title"] for item in border.json["items"])


def test_sequences_are_right_after_the_seed(app):
    assert _seed(app).exit_code == 0
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            for table in ("assistance_requests", "offers", "matches", "messages", "notifications", "audit_events"):
                top = db.session.scalar(text(f"SELECT max(id) FROM {table}"))
                following = db.session.scalar(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"))
                assert following > top, table
            db.session.rollback()
    api = ApiClient(app)
    state, coordinator = _token(app, DEMO_LOGINS["member_state"]), _token(app, DEMO_LOGINS["coordinator"])
    created = api.post("/api/v1/requests", state, json={
        "title": "Training for border guards after the seed", "description": "Document examination training.",
        "themes": ["border-management"], "modalities": ["training"], "languages": ["en"]})
    assert created.status_code == 201, created.json  # an id, an audit event and notifications from the sequences
    rid = created.json["id"]
    for action in ("review", "accept"):
        assert api.post(f"/api/v1/requests/{rid}/{action}", coordinator, json={}).status_code == 200
    with app.app_context():
        offer = db.session.scalar(select(Offer.id).join(Organisation).where(
            Organisation.code == "UNODC", Offer.status == "active").order_by(Offer.id.desc()))
    proposed = api.post("/api/v1/matches", coordinator, json={"request_id": rid, "offer_id": offer})
    assert proposed.status_code == 201, proposed.json
    message = api.post(f"/api/v1/requests/{rid}/messages", state, json={"message": "Thank you."})
    assert message.status_code == 201, message.json


def test_visibility_holds_on_the_seeded_office(app):
    assert _seed(app).exit_code == 0
    api = ApiClient(app)
    coordinator, provider = _token(app, DEMO_LOGINS["coordinator"]), _token(app, DEMO_LOGINS["provider"])
    with app.app_context():
        requests = list(db.session.scalars(_synthetic_requests()))
        draft = next(r for r in requests if r.status == "draft")
        unodc = db.session.scalar(select(Organisation.id).where(Organisation.code == "UNODC"))
        shared = set(db.session.scalars(select(request_shares.c.request_id).where(
            request_shares.c.organisation_id == unodc)))
        hidden = next(r for r in requests if r.visibility == "restricted" and r.id not in shared
                      and r.status != "draft")
        make_user("focal@synthetic.example", "member_state", draft.country_iso3)
        db.session.commit()
        draft_id, hidden_id, country = draft.id, hidden.id, draft.country_iso3
        own = db.session.scalar(select(func.count()).select_from(AssistanceRequest).where(
            AssistanceRequest.country_iso3 == country))
        not_draft = db.session.scalar(select(func.count()).select_from(AssistanceRequest).where(
            AssistanceRequest.status != "draft"))
    its_state = _token(app, "focal@synthetic.example")
    assert api.get(f"/api/v1/requests/{draft_id}", its_state).status_code == 200
    for token in (coordinator, provider, _token(app, DEMO_LOGINS["member_state"])):
        assert api.get(f"/api/v1/requests/{draft_id}", token).status_code == 404
    assert api.get(f"/api/v1/requests/{hidden_id}", provider).status_code == 404
    assert api.get(f"/api/v1/requests/{hidden_id}", coordinator).status_code == 200
    assert api.get("/api/v1/requests?status=draft", coordinator).json["items"] == []
    listed = api.get("/api/v1/requests?per_page=100", its_state).json
    assert {item["country"] for item in listed["items"]} == {country}
    assert len(listed["items"]) == min(own, 100)
    everything = api.get("/api/v1/requests?per_page=1", coordinator).json
    if "total" in everything:
        assert everything["total"] == not_draft


def test_the_pages_answer_on_the_seeded_office(app):
    assert _seed(app).exit_code == 0
    with app.app_context():
        matched = db.session.scalar(_synthetic_requests().where(AssistanceRequest.status == "matched")
                                    .with_only_columns(AssistanceRequest.id).limit(1))
        offer = db.session.scalar(select(Offer.id).order_by(Offer.id.desc()))
    client = demo_client(app, DEMO_LOGINS["coordinator"])
    for path in ("/requests", "/requests?q=border", f"/requests/{matched}", "/triage", "/matrix", "/dashboard",
                 "/offers", f"/offers/{offer}", "/search?q=border", "/audit"):
        assert client.get(path).status_code == 200, path
    token = _token(app, DEMO_LOGINS["coordinator"])
    api = ApiClient(app)
    for path in ("/api/v1/requests", f"/api/v1/requests/{matched}/matches"):
        assert api.get(path, token).status_code == 200, path


def test_refused_on_a_real_office(app):
    with app.app_context():
        make_user("someone@ministry.example", "coordinator", "CTITF")
        db.session.commit()
    result = _seed(app)
    assert result.exit_code == 1
    assert "besides the demo logins" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AssistanceRequest)) == 0
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
    forced = _seed(app, "--force")
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(_synthetic_requests().subquery())) == N_REQUESTS


def test_bad_sizes_are_refused(app):
    result = app.test_cli_runner().invoke(args=["seed", "synthetic", "--requests", "-5"])
    assert result.exit_code == 2 and "--requests" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AssistanceRequest)) == 0
