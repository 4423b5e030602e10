"""The API skeleton: bearer tokens, the one error body, the OpenAPI document, reference endpoints."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.people.models import ApiToken


def test_openapi_document_is_served_without_a_token(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/countries" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_openapi_document_lists_the_allowed_values_the_code_uses(api):
    from exchange.api.errors import CODES
    from exchange.core.statuses import Urgency, Visibility
    from exchange.people.models import ORG_KINDS

    spec = api.get("/api/v1/openapi.json").json
    request_out = spec["components"]["schemas"]["RequestOut"]["properties"]
    assert request_out["urgency"]["enum"] == list(Urgency)
    assert request_out["visibility"]["enum"] == list(Visibility)
    codes = spec["components"]["schemas"]["ErrorDetailOut"]["properties"]["code"]["description"]
    assert codes.split(", ") == list(CODES.values())
    kind = next(p for p in spec["paths"]["/api/v1/organisations"]["get"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == list(ORG_KINDS)


def test_no_token_bad_token_and_revoked_token_are_401(app, api, tokens):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer "}):
        response = api.client.get("/api/v1/themes", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
    with app.app_context():
        for token in db.session.scalars(select(ApiToken)):
            token.revoked_at = token.created_at
        db.session.commit()
    assert api.get("/api/v1/themes", tokens.state).status_code == 401


def test_tokens_are_stored_hashed(app, tokens):
    with app.app_context():
        stored = set(db.session.scalars(select(ApiToken.token_hash)))
    assert tokens.state not in stored and len(stored) == len(tokens)


def test_a_pending_provider_token_is_refused_with_403(api, tokens):
    response = api.get("/api/v1/themes", tokens.pending)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_unknown_routes_and_methods_answer_the_error_body(api, tokens):
    response = api.get("/api/v1/no-such-thing", tokens.state)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    response = api.call("DELETE", "/api/v1/countries", tokens.state)
    assert response.status_code == 405 and "error" in response.json


def test_server_errors_answer_the_error_body(app, api, tokens, monkeypatch):
    from exchange.reference import api as reference

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(reference, "_list", boom)
    response = api.get("/api/v1/themes", tokens.state)
    assert response.status_code == 500
    assert response.json == {"error": {"code": "internal_error",
                                       "message": "An unexpected error occurred; it has been logged."}}
    assert "kaboom" not in response.get_data(as_text=True)


def test_countries_list_envelope_with_all_193_member_states(api, tokens):
    body = api.get("/api/v1/countries?per_page=100", tokens.coordinator).json
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 193
    assert len(body["items"]) == 100
    page2 = api.get("/api/v1/countries?per_page=100&page=2", tokens.coordinator).json
    codes = {c["iso3"]: c for c in body["items"] + page2["items"]}
    assert len(codes) == 193
    assert codes["TJK"]["sub_region"] == "143"
    assert codes["NGA"]["intermediate_region"] == "011"


def test_pagination_bounds_are_validated(api, tokens):
    for query in ("per_page=101", "per_page=0", "page=0", "page=x"):
        response = api.get(f"/api/v1/countries?{query}", tokens.state)
        assert response.status_code == 422, query
        assert response.json["error"]["code"] == "validation_error" and response.json["error"]["fields"]


def test_themes_carry_pillar_working_group_and_lead_entities(api, tokens):
    themes = {t["code"]: t for t in api.get("/api/v1/themes", tokens.provider).json["items"]}
    assert len(themes) == 14
    assert themes["financing"]["pillar"] == "II"
    assert {"IMF", "UNODC", "WB"} <= set(themes["financing"]["lead_entities"])
    assert themes["human-rights"]["pillar"] == "IV"


def test_themes_are_read_in_a_constant_number_of_statements(app, api, tokens):
    """Working groups and their lead entities are loaded with the page, not once per theme."""
    from sqlalchemy import event

    def statements(per_page: int) -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = api.get(f"/api/v1/themes?per_page={per_page}", tokens.provider)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200 and len(response.json["items"]) == min(per_page, 14)
        return len(seen)

    api.get("/api/v1/themes", tokens.provider)  # the token's first use is written once, after that request
    assert statements(1) == statements(14) == statements(100)


def test_reference_lists(api, tokens):
    regions = {r["code"]: r for r in api.get("/api/v1/regions?per_page=100", tokens.state).json["items"]}
    assert regions["143"]["name"] == "Central Asia" and regions["143"]["parent"] == "142"
    orgs = api.get("/api/v1/organisations?kind=task_force_entity&per_page=100", tokens.state).json
    assert orgs["total"] == 24
    assert api.get("/api/v1/organisations?kind=bogus", tokens.state).status_code == 422
    assert api.get("/api/v1/modalities", tokens.state).json["total"] == 7
    languages = [x["code"] for x in api.get("/api/v1/languages?per_page=100", tokens.state).json["items"]]
    assert {"en", "fr", "es", "ru", "ar", "zh"} <= set(languages)


def test_a_concurrent_write_answers_409_not_500(app, api, tokens, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from exchange.reference import api as reference

    def stale(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(reference, "_list", stale)
    response = api.get("/api/v1/themes", tokens.state)
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"


def test_nul_characters_are_refused_whole_with_400(api, tokens, clients):
    assert api.get("/api/v1/offers?country=%00", tokens.coordinator).status_code == 400
    response = api.post("/api/v1/requests", tokens.state, json={"title": "Bad\u0000title"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert clients.state.post("/requests/new", data={"title": "x\x00y"}).status_code == 400
    assert clients.anonymous.post("/login", data={"email": "a\x00@b.example", "password": "x"}).status_code == 400
