"""The public summary (`/public`, `/public/summary.csv`, `GET /api/v1/public/summary`): without sign-in, only
requests whose State consented (`publish_summary`), accepted by the office and not restricted; never a draft,
a request in triage, a rejected, withdrawn or restricted one; titles only of those consented."""
from __future__ import annotations

import csv
import io

import pytest

from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest
from tests.factories import make_match, make_offer, make_request, move_request, update_request

SECRET = "Hidden-title-"


@pytest.fixture
def published(app, people):
    """Requests of every kind, each titled after what it is; only the `pub_*` ones may show."""
    ids = {}
    with app.app_context():
        def req(key, status, by="state", **fields):
            title = ("Published request " if key.startswith("pub") else SECRET) + key.replace("_", " ")
            record = make_request(people, status, by=by, title=title, **fields)
            ids[key] = record
            return record

        req("pub_open", "open", publish_summary=True)
        req("pub_nga", "open", by="other_state", publish_summary=True, themes=["human-rights", "financing"])
        matched = req("pub_done", "open", publish_summary=True)
        offer = make_offer(people)
        make_match(people, matched, offer, "completed")
        req("pub_closed", "closed", publish_summary=True)
        req("not_consented", "open")
        withheld = req("not_consented_done", "open")
        make_match(people, withheld, make_offer(people), "completed")
        req("restricted", "open", publish_summary=True, visibility="restricted")
        req("draft", "draft", publish_summary=True)
        req("submitted", "submitted", publish_summary=True)
        req("in_review", "in_review", publish_summary=True)
        req("needs_info", "needs_info", publish_summary=True)
        req("rejected", "rejected", publish_summary=True)
        req("withdrawn_in_triage", "withdrawn", publish_summary=True)
        late = req("withdrawn_after_accept", "open", publish_summary=True)
        move_request(people, late, "withdraw")
        # Consent given, then taken back by the State's coordinator edit: no longer published.
        taken_back = req("taken_back", "open", publish_summary=True)
        update_request(people, taken_back, publish_summary=False)
        db.session.commit()
        ids = {k: v.id for k, v in ids.items()}
    return ids


def test_anonymous_api_counts_only_consented_accepted_unrestricted_requests(clients, published):
    response = clients.anonymous.get("/api/v1/public/summary")
    assert response.status_code == 200
    body = response.get_json()
    titles = {r["title"] for r in body["records"]}
    assert titles == {"Published request pub open", "Published request pub nga", "Published request pub done",
                      "Published request pub closed"}
    assert body["totals"] == {"requests": 4, "matches": 1, "delivered": 1}
    by_country = {r["country"]: r for r in body["by_country"]}
    assert by_country["KAZ"]["requests"] == 3 and by_country["NGA"]["requests"] == 1
    assert by_country["KAZ"]["delivered"] == 1 and by_country["NGA"]["delivered"] == 0
    by_theme = {r["theme"]: r["requests"] for r in body["by_theme"]}
    assert by_theme == {"financing": 4, "human-rights": 1}  # a request counts in each of its themes
    assert sum(r["requests"] for r in body["by_year"]) == 4
    assert sum(i["requests"] for i in body["items"]) == 5  # items: one a country, theme and year
    assert SECRET not in response.get_data(as_text=True)


def test_page_and_csv_show_the_same_and_nothing_withheld(clients, published):
    page = clients.anonymous.get("/public")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Published request pub nga" in html and SECRET not in html
    assert 'id="public-requests">4<' in html
    csv_response = clients.anonymous.get("/public/summary.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    assert sum(int(r["requests"]) for r in rows) == 5
    assert {(r["country"], r["theme"]) for r in rows} == {("KAZ", "financing"), ("NGA", "financing"),
                                                        ("NGA", "human-rights")}
    assert sum(int(r["delivered"]) for r in rows) == 1
    assert SECRET not in csv_response.get_data(as_text=True)


def test_nothing_published_when_nobody_consented(app, clients, people):
    with app.app_context():
        make_request(people, "open")
        make_request(people, "open", visibility="providers")
        db.session.commit()
    body = clients.anonymous.get("/api/v1/public/summary").get_json()
    assert body["totals"] == {"requests": 0, "matches": 0, "delivered": 0}
    assert body["records"] == [] and body["items"] == []
    assert "None." in clients.anonymous.get("/public").get_data(as_text=True)


@pytest.mark.parametrize("person", ["state", "provider", "coordinator", "admin"])
def test_signed_in_people_see_the_same_public_summary(clients, published, person):
    """Signing in changes nothing: the summary is not a view of what the person may see."""
    anonymous = clients.anonymous.get("/api/v1/public/summary").get_json()
    assert getattr(clients, person).get("/public").status_code == 200
    html = getattr(clients, person).get("/public").get_data(as_text=True)
    assert SECRET not in html
    assert getattr(clients, person).get("/public/summary.csv").status_code == 200
    assert clients.anonymous.get("/api/v1/public/summary").get_json() == anonymous


def test_publish_summary_is_off_by_default_and_set_through_the_api_and_the_form(app, clients, tokens, people):
    from tests.factories import REQUEST
    api = clients.anonymous
    created = api.post("/api/v1/requests", json=REQUEST, headers={"Authorization": f"Bearer {tokens.state}"})
    assert created.status_code == 201 and created.get_json()["publish_summary"] is False
    body = REQUEST | {"publish_summary": True}
    created = api.post("/api/v1/requests", json=body, headers={"Authorization": f"Bearer {tokens.state}"})
    assert created.status_code == 201 and created.get_json()["publish_summary"] is True
    bad = api.post("/api/v1/requests", json=REQUEST | {"publish_summary": "perhaps"},
                   headers={"Authorization": f"Bearer {tokens.state}"})
    assert bad.status_code == 422 and "publish_summary" in bad.get_json()["error"]["fields"]
    form = clients.state.get("/requests/new").get_data(as_text=True)
    assert 'name="publish_summary"' in form
    assert "checked" not in form.split('name="publish_summary"')[1].split(">")[0]  # off by default
    posted = clients.state.post("/requests/new", data={
        "title": "Border checkpoints need passenger screening", "beneficiary": "Border guard",
        "description": "Screening of passengers at the three main land border checkpoints with API/PNR.",
        "themes": ["border-management"], "modalities": ["training"], "languages": ["en"], "urgency": "medium",
        "visibility": "task_force", "publish_summary": "y", "action": "submit"})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    with app.app_context():
        req = db.session.query(AssistanceRequest).filter_by(title="Border checkpoints need passenger screening").one()
        assert req.publish_summary is True
        # A request filed without ticking the box is not published.
        assert db.session.query(AssistanceRequest).filter_by(publish_summary=False).count() == 1
        request_id = req.id
    assert 'id="publish-summary">Yes<' in clients.state.get(f"/requests/{request_id}").get_data(as_text=True)


def test_export_carries_the_consent_column(clients, published):
    text = clients.coordinator.get("/exports/requests.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "publish_summary" in header


def test_openapi_documents_the_public_summary_without_security(clients):
    document = clients.anonymous.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/public/summary"]["get"]
    assert operation.get("security") == []
