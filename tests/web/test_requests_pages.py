"""Request pages through the Flask test client against the database: the guided form (every field's
validation beside the field, nothing saved, typed values kept), drafts and submission, stale edits,
moves, the visibility matrix (list, detail, search, country profile), filters, sorting and pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import update_request
from tests.factories import make_request, user_of
from tests.helpers import error_beside

DESCRIPTION = ("The Financial Intelligence Unit has six analysts and no case management system; we need "
               "training for 20 analysts on suspicious transaction reports by June.")


def good_form(**changes) -> dict:
    data = {"title": "Training for financial intelligence analysts", "beneficiary": "Financial Intelligence Unit",
            "description": DESCRIPTION, "themes": ["financing"], "modalities": ["training", "workshop"],
            "languages": ["ru", "en"], "urgency": "high", "visibility": "task_force",
            "desired_start": "2026-03-01", "desired_end": "2026-06-30", "estimated_budget_usd": "50,000",
            "action": "submit"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def api_raw(**changes) -> dict:
    raw = {"title": "Training for financial intelligence analysts", "description": DESCRIPTION, "beneficiary": "",
           "themes": ["financing"], "modalities": ["training"], "languages": ["en"], "urgency": "medium"}
    raw.update(changes)
    return raw


def load(app, request_id: int) -> AssistanceRequest:
    with app.app_context():
        req = db.session.get(AssistanceRequest, request_id)
        _ = req.theme_codes, req.language_codes, req.modality_codes
        db.session.expunge(req)
        return req


def count_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AssistanceRequest))


# --------------------------------------------------------------------------------------------
# The form.

def test_the_form_has_the_guided_sections_and_help(clients, people):
    html = clients.state.get("/requests/new").get_data(as_text=True)
    for legend in ("1. What is needed, and for whom", "2. Themes and kinds of assistance",
                   "3. When, in which languages, at what cost", "4. Who may see it", "5. Review and send"):
        assert f">{legend}</legend>" in html
    assert "What a good request contains" in html and "1540 Committee" in html
    assert "Pillar II: Preventing and combating terrorism" in html
    assert "freezing assets" in html  # the financing theme's description as help text
    assert 'value="draft">Save as draft</button>' in html and 'value="submit">Submit for review</button>' in html
    # The six UN languages come first, in this order.
    codes = re.findall(r'name="languages" value="(\w+)"', html)
    assert codes[:6] == ["ar", "zh", "en", "fr", "ru", "es"] and len(codes) > 6
    assert 'name="country"' not in html  # a State files for itself
    assert 'name="country"' in clients.coordinator.get("/requests/new").get_data(as_text=True)


def test_a_state_saves_a_draft_then_edits_and_submits_it(app, clients, people):
    response = clients.state.post("/requests/new", data={"title": "Border police training", "action": "draft"})
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    req = load(app, request_id)
    assert (req.status, req.country_iso3, req.title) == ("draft", "KAZ", "Border police training")

    page = clients.state.get(f"/requests/{request_id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{req.version}"' in page
    response = clients.state.post(f"/requests/{request_id}/edit",
                                  data=good_form(version=str(req.version), action="submit"))
    assert response.status_code == 302, response.get_data(as_text=True)
    req = load(app, request_id)
    assert req.status == "submitted" and req.estimated_budget_usd == 50000
    assert req.theme_codes == ["financing"] and req.language_codes == ["en", "ru"]
    detail = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "Submitted" in detail and "Financial Intelligence Unit" in detail
    # History from the audit events: created, edited, submitted — with who.
    assert "Request created" in detail and "Request edited" in detail and "Request submitted for review" in detail
    assert people.state.email in detail


def test_a_coordinator_files_on_a_states_behalf(app, clients, people):
    response = clients.coordinator.post("/requests/new", data=good_form(country="NGA"))
    assert response.status_code == 302
    req = load(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert req.country_iso3 == "NGA" and req.status == "submitted"
    # The requesting State sees it; the other State does not.
    assert clients.other_state.get(f"/requests/{req.id}").status_code == 200
    assert clients.state.get(f"/requests/{req.id}").status_code == 404


INVALID_FIELDS = [
    ("title", {"title": "Aid"}, "Enter a title of 5 to 200 characters."),
    ("title", {"title": ""}, "Enter a title of 5 to 200 characters."),
    ("beneficiary", {"beneficiary": "x" * 201}, "Institution that benefits: enter at most 200 characters."),
    ("description", {"description": "Too short."}, "Describe what is needed in 20 to 10,000 characters."),
    ("themes", {"themes": []}, "Choose at least one theme."),
    ("themes", {"themes": ["space-piracy"]}, "Unknown themes: space-piracy."),
    ("modalities", {"modalities": []}, "Choose at least one kind of assistance."),
    ("modalities", {"modalities": ["magic"]}, "Unknown modalities: magic."),
    ("languages", {"languages": []}, "Choose at least one language."),
    ("languages", {"languages": ["xx"]}, "Unknown languages: xx."),
    ("desired_start", {"desired_start": "31/12/2026"}, "Desired start: enter a real date as year-month-day, e.g. 2027-03-31."),
    ("desired_end", {"desired_end": "2026-01-01"}, "The end must not be before the start."),
    ("estimated_budget_usd", {"estimated_budget_usd": "a lot"}, "Estimated budget (US dollars): enter a whole number from 0"),
    ("estimated_budget_usd", {"estimated_budget_usd": "-5"}, "enter a whole number from 0 to 1,000,000,000,000"),
    ("urgency", {"urgency": "extreme"}, "Urgency: choose one of low, medium, high, critical."),
    ("visibility", {"visibility": "everyone"}, "Who may see it: choose one of task_force, providers, restricted."),
]


@pytest.mark.parametrize("field,changes,message", INVALID_FIELDS, ids=[f"{f}-{i}" for i, (f, _c, _m)
                                                                       in enumerate(INVALID_FIELDS)])
def test_each_invalid_field_is_shown_beside_it_and_nothing_is_saved(app, clients, people, field, changes, message):
    data = good_form(**changes)
    response = clients.state.post("/requests/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_beside(html, field), error_beside(html, field) or html[:3000]
    assert count_requests(app) == 0
    # Everything typed is kept.
    if field != "title":
        assert 'value="Training for financial intelligence analysts"' in html
    if field != "description":
        assert "no case management system" in html
    for theme in data.get("themes", []):
        assert re.search(rf'value="{re.escape(theme)}"\s+id="themes-{re.escape(theme)}" checked', html) or \
            theme == "space-piracy"


def test_a_coordinator_must_name_a_known_state(app, clients, people):
    for country, message in (("", "Choose the Member State this request is for."), ("XXX", "Unknown country")):
        html = clients.coordinator.post("/requests/new", data=good_form(country=country)).get_data(as_text=True)
        assert message in error_beside(html, "country")
    assert count_requests(app) == 0


def test_a_draft_needs_a_title_only_and_a_submission_everything(app, clients, people):
    response = clients.state.post("/requests/new", data={"title": "", "action": "draft"})
    assert response.status_code == 422 and "Enter a title" in error_beside(response.get_data(as_text=True), "title")
    response = clients.state.post("/requests/new", data={"title": "Only a title here", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("description", "themes", "modalities", "languages"):
        assert error_beside(html, field), field
    assert count_requests(app) == 0


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw(draft=True))
    version = load(app, request_id).version
    # Someone else saves first.
    with app.app_context():
        req = db.session.get(AssistanceRequest, request_id)
        update_request(user_of(people.state), req, {"version": version, "title": "Their newer title"})
        db.session.commit()
    typed = good_form(title="My carefully typed title", version=str(version), action="draft",
                      beneficiary="Border Guard Service")
    response = clients.state.post(f"/requests/{request_id}/edit", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone changed this record since you read it" in html
    assert 'value="My carefully typed title"' in html and 'value="Border Guard Service"' in html
    assert "Title" in html.split('id="conflict"')[1].split("</div>")[0]  # says which fields differ
    assert load(app, request_id).title == "Their newer title"
    # The form now carries the current version: saving again on purpose works.
    new_version = load(app, request_id).version
    assert f'name="version" type="hidden" value="{new_version}"' in html
    typed["version"] = str(new_version)
    assert clients.state.post(f"/requests/{request_id}/edit", data=typed).status_code == 302
    assert load(app, request_id).title == "My carefully typed title"


def test_an_edit_without_a_version_is_refused(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw(draft=True))
    response = clients.state.post(f"/requests/{request_id}/edit", data=good_form(action="draft"))
    assert response.status_code == 422 and "required to edit" in response.get_data(as_text=True)
    assert load(app, request_id).title == "Training for financial intelligence analysts"
    assert load(app, request_id).beneficiary == ""


def test_a_state_cannot_edit_after_acceptance(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw())
    world.move_request(request_id, "accept")
    response = clients.state.get(f"/requests/{request_id}/edit")
    assert response.status_code == 302
    page = clients.state.get(response.headers["Location"]).get_data(as_text=True)
    assert "a coordinator has accepted it" in page
    version = load(app, request_id).version
    clients.state.post(f"/requests/{request_id}/edit", data=good_form(title="Changed after acceptance",
                                                                      version=str(version), action="save"))
    assert load(app, request_id).title != "Changed after acceptance"


# --------------------------------------------------------------------------------------------
# Moves.

def test_moves_offered_to_each_person(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw())
    coordinator_page = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    for action in ("accept", "request-info", "reject", "withdraw", "review"):
        assert f"/requests/{request_id}/move/{action}" in coordinator_page
    state_page = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    assert f"/requests/{request_id}/move/withdraw" in state_page
    assert f"/requests/{request_id}/move/accept" not in state_page
    provider_page = clients.provider.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "/move/" not in provider_page


def test_request_info_needs_a_message_and_then_the_state_answers(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw())
    response = clients.coordinator.post(f"/requests/{request_id}/move/request-info", data={"message": ""})
    assert response.status_code == 422
    assert load(app, request_id).status == "submitted"
    response = clients.coordinator.post(f"/requests/{request_id}/move/request-info",
                                        data={"message": "How many analysts exactly?"})
    assert response.status_code == 302
    assert load(app, request_id).status == "needs_info"
    page = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "How many analysts exactly?" in page
    response = clients.state.post(f"/requests/{request_id}/move/submit", data={})
    assert response.status_code == 302 and load(app, request_id).status == "in_review"


def test_reject_needs_a_reason(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw())
    html = clients.coordinator.post(f"/requests/{request_id}/move/reject", data={"reason": ""},
                                    follow_redirects=True).get_data(as_text=True)
    assert "Nothing was changed" in html and load(app, request_id).status == "submitted"
    clients.coordinator.post(f"/requests/{request_id}/move/reject", data={"reason": "Out of scope: not CT."})
    req = load(app, request_id)
    assert req.status == "rejected" and req.status_note == "Out of scope: not CT."


def test_moves_not_allowed_change_nothing(app, clients, people, world):
    request_id = world.request(by=people.state, **api_raw())
    html = clients.state.post(f"/requests/{request_id}/move/accept", follow_redirects=True).get_data(as_text=True)
    assert "Nothing was changed: You may not make the move “Accept into open” on this request." in html
    html = clients.coordinator.post(f"/requests/{request_id}/move/submit",
                                    follow_redirects=True).get_data(as_text=True)
    assert "Nothing was changed" in html
    html = clients.coordinator.post(f"/requests/{request_id}/move/fly-away",
                                    follow_redirects=True).get_data(as_text=True)
    assert "Unknown action" in html
    assert load(app, request_id).status == "submitted"
    # A State cannot move another State's request: it does not even exist for it.
    assert clients.other_state.post(f"/requests/{request_id}/move/withdraw").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.record_id == request_id, AuditEvent.action.like("request.%"))) == 2  # created, submitted


# --------------------------------------------------------------------------------------------
# Who sees what: every person × visibility × own/other organisation, through every page.

@pytest.fixture
def by_kind(app, people, world):
    """Requests in each visibility and state. Each title carries a unique search word."""
    ids = {}
    ids["draft"] = world.request(by=people.state, **api_raw(draft=True, title="Alpha draft zzdraftword"))
    ids["task_force"] = world.request(by=people.state, **api_raw(title="Bravo task force zztaskword"))
    ids["providers_submitted"] = world.request(by=people.state, **api_raw(visibility="providers",
                                                                          title="Charlie providers zzsubword"))
    ids["providers_open"] = world.request(by=people.state, **api_raw(visibility="providers",
                                                                     title="Delta open zzopenword"))
    world.move_request(ids["providers_open"], "accept")
    ids["restricted"] = world.request(by=people.state, **api_raw(visibility="restricted",
                                                                 title="Echo restricted zzrestword"))
    with app.app_context():
        req = db.session.get(AssistanceRequest, ids["restricted"])
        update_request(user_of(people.coordinator), req, {"version": req.version,
                                                                  "shared_with": ["nordic-fund"]})
        db.session.commit()
    ids["other_state"] = world.request(by=people.other_state, **api_raw(title="Foxtrot Nigeria zznigword"))
    return ids


SEES = {
    "state": {"draft", "task_force", "providers_submitted", "providers_open", "restricted"},
    "other_state": {"other_state"},
    "provider": {"task_force", "providers_submitted", "providers_open", "other_state"},
    "other_provider": {"task_force", "providers_submitted", "providers_open", "other_state"},
    "outside": {"providers_open", "restricted"},
    "coordinator": {"task_force", "providers_submitted", "providers_open", "restricted", "other_state"},
    "admin": {"task_force", "providers_submitted", "providers_open", "restricted", "other_state"},
}
WORDS = {"draft": "zzdraftword", "task_force": "zztaskword", "providers_submitted": "zzsubword",
         "providers_open": "zzopenword", "restricted": "zzrestword", "other_state": "zznigword"}


@pytest.mark.parametrize("person", list(SEES))
def test_visibility_through_list_detail_search_and_country_profile(app, clients, by_kind, person):
    client = getattr(clients, person)
    listing = client.get("/requests").get_data(as_text=True)
    kaz_profile = client.get("/countries/KAZ").get_data(as_text=True)
    nga_profile = client.get("/countries/NGA").get_data(as_text=True)
    for name, request_id in by_kind.items():
        visible = name in SEES[person]
        word = WORDS[name]
        assert (word in listing) == visible, f"list: {person} / {name}"
        status = client.get(f"/requests/{request_id}").status_code
        assert status == (200 if visible else 404), f"detail: {person} / {name}"
        found = client.get(f"/requests?q={word}").get_data(as_text=True)
        assert (f"/requests/{request_id}\"" in found) == visible, f"search: {person} / {name}"
        profile = nga_profile if name == "other_state" else kaz_profile
        assert (word in profile) == visible, f"country profile: {person} / {name}"
    # The list counts only what the viewer may see.
    assert f"{len(SEES[person])} request{'s' if len(SEES[person]) != 1 else ''}" in listing


def test_a_provider_awaiting_approval_sees_no_request(app, clients, by_kind):
    assert clients.pending.get("/requests").status_code == 403
    assert clients.pending.get(f"/requests/{by_kind['task_force']}").status_code == 403
    assert clients.pending.get("/countries/KAZ").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app, clients, by_kind):
    for path in ("/requests", f"/requests/{by_kind['task_force']}", "/requests/new"):
        response = clients.anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --------------------------------------------------------------------------------------------
# Finding things: filters, sort, pages, empty states, bad parameters.

@pytest.fixture
def many(app, people, world):
    ids = []
    for i in range(23):
        theme = "financing" if i % 2 else "border-management"
        urgency = "critical" if i == 7 else "low"
        ids.append(world.request(by=people.state, **api_raw(title=f"Request number {i:02d} zzmany", themes=[theme],
                                                            urgency=urgency, languages=["fr"] if i == 3 else ["en"])))
    return ids


def _rows(html: str) -> list[str]:
    return re.findall(r"Request number (\d\d) zzmany", html)


def test_pages_of_twenty(clients, many):
    first = clients.coordinator.get("/requests").get_data(as_text=True)
    second = clients.coordinator.get("/requests?page=2").get_data(as_text=True)
    assert len(_rows(first)) == 20 and len(_rows(second)) == 3
    assert "23 requests" in first and "Page 1 of 2" in first and "page=2" in first
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert len(_rows(clients.coordinator.get("/requests?page=99").get_data(as_text=True))) == 0


def test_filters_narrow_and_keep_their_values(clients, many):
    html = clients.coordinator.get("/requests?theme=financing").get_data(as_text=True)
    assert sorted(_rows(html)) == [f"{i:02d}" for i in range(23) if i % 2]
    assert '<option value="financing" selected>' in html
    html = clients.coordinator.get("/requests?urgency=critical").get_data(as_text=True)
    assert _rows(html) == ["07"] and '<option value="critical" selected>' in html
    html = clients.coordinator.get("/requests?language=fr").get_data(as_text=True)
    assert _rows(html) == ["03"]
    html = clients.coordinator.get("/requests?pillar=II&country=KAZ&region=143").get_data(as_text=True)
    assert len(_rows(html)) == 20 and "23 requests matching the filters" in html
    html = clients.coordinator.get("/requests?country=NGA").get_data(as_text=True)
    assert _rows(html) == [] and "No request matches these filters." in html and "Clear all filters" in html
    html = clients.coordinator.get("/requests?q=number+05").get_data(as_text=True)
    assert "Request number 05" in html and 'value="number 05"' in html
    # Several statuses at once (as the matrix links them) are kept too.
    html = clients.coordinator.get("/requests?status=submitted&status=open").get_data(as_text=True)
    assert len(_rows(html)) == 20 and 'value="submitted,open" selected' in html
    # Page links carry the filters.
    html = clients.coordinator.get("/requests?theme=border-management&sort=title").get_data(as_text=True)
    assert len(_rows(html)) == 12


def test_sorting(clients, many):
    html = clients.coordinator.get("/requests?sort=title").get_data(as_text=True)
    assert _rows(html) == [f"{i:02d}" for i in range(20)]
    html = clients.coordinator.get("/requests?sort=oldest").get_data(as_text=True)
    assert _rows(html)[0] == "00"
    html = clients.coordinator.get("/requests?sort=urgency").get_data(as_text=True)
    assert _rows(html)[0] == "07"
    assert '<option value="urgency" selected>' in html


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=99999999999999999999", "sort=<script>",
                                   "status=%3Cscript%3E", "q=%22%27%29%28*", "q=" + "x" * 5000,
                                   "theme=nonsense&country=ZZZZZ", "region=' OR 1=1 --", "q=NEAR(a b)"])
def test_bad_list_parameters_never_fail(clients, many, query):
    response = clients.coordinator.get(f"/requests?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("<main")[1]


@pytest.mark.parametrize("path", ["/triage", "/matches", "/inbox", "/admin/users", "/admin/organisations", "/audit"])
@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999"])
def test_every_paged_list_takes_any_page_number(clients, path, page):
    who = clients.admin if path.startswith(("/admin/users", "/admin/organisations")) else clients.coordinator
    assert who.get(f"{path}?page={page}").status_code == 200


def test_empty_states_say_what_to_do(clients, people):
    assert "File a new request" in clients.state.get("/requests").get_data(as_text=True)
    assert "post an offer" in clients.provider.get("/requests").get_data(as_text=True)
    assert "No request has been submitted yet" in clients.coordinator.get("/requests").get_data(as_text=True)


def test_navigation_entries(clients, people):
    def main_nav(client):
        return client.get("/requests").get_data(as_text=True).split('aria-label="Main navigation"')[1].split("</nav>")[0]
    state_nav = main_nav(clients.state)
    assert ">My requests<" in state_nav and ">New request<" in state_nav and ">Directory<" in state_nav
    provider_nav = main_nav(clients.provider)
    assert ">Requests<" in provider_nav and ">Offers<" in provider_nav and ">New request<" not in provider_nav


def test_a_coordinator_shares_a_restricted_request_with_chosen_providers(app, clients, people):
    from exchange.requests.models import AssistanceRequest
    with app.app_context():
        req = make_request(people, by="coordinator", country="KAZ", title="Restricted request on WMD export controls", visibility="restricted", description="Sensitive assessment of export-control enforcement at the border with partners.", themes=["wmd"], modalities=["assessment"], languages=["en"])
        db.session.commit()
        rid, version = req.id, req.version
    assert clients.provider.get(f"/requests/{rid}").status_code == 404
    page = clients.coordinator.get(f"/requests/{rid}").get_data(as_text=True)
    assert "Share with providers" in page and 'value="UNODC"' in page
    response = clients.coordinator.post(f"/requests/{rid}/share", data={"version": version, "shared_with": ["UNODC"]})
    assert response.status_code == 302
    assert clients.provider.get(f"/requests/{rid}").status_code == 200
    assert clients.other_provider.get(f"/requests/{rid}").status_code == 404
    # A stale version changes nothing; a State may not share.
    clients.coordinator.post(f"/requests/{rid}/share", data={"version": version, "shared_with": ["IMF"]})
    assert clients.other_provider.get(f"/requests/{rid}").status_code == 404
    assert clients.state.post(f"/requests/{rid}/share", data={"version": version}).status_code == 403
    with app.app_context():
        assert [o.code for o in db.session.get(AssistanceRequest, rid).shared_with] == ["UNODC"]
