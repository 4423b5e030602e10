"""Forms in the GOV.UK pattern (issue 14): an error summary at the top listing every error with a link to its
field, the title prefixed "Error:", messages that say what to do, every error at once, drafts that keep what
was typed, and a refused submission on a draft's page naming each missing field with a link to it."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest
from tests.helpers import error_beside

DESCRIPTION = ("The Financial Intelligence Unit needs training for 12 analysts on suspicious transaction "
               "reports; there is no case management system yet.")


def summary_links(html: str) -> list[tuple[str, str]]:
    """The error summary's links: (href, text)."""
    box = re.search(r'data-error-summary.*?</div>', html, re.DOTALL)
    assert box, "no error summary"
    return [(unescape(h), unescape(re.sub(r"<[^>]+>", "", t)).strip())
            for h, t in re.findall(r'<a href="([^"]+)">(.*?)</a>', box.group(0), re.DOTALL)]


def title_of(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)).strip()


def count_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AssistanceRequest))


def test_a_half_filled_request_gets_every_error_at_once_each_linked_to_its_field(app, clients, people):
    response = clients.state.post("/requests/new", data={
        "title": "Aid", "description": "Too short.", "estimated_budget_usd": "a lot",
        "desired_start": "31/12/2026", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert title_of(html).startswith("Error: ")
    links = dict(summary_links(html))
    assert links == {
        "#title": "Enter a title of 5 to 200 characters.",
        "#description": "Describe what is needed in 20 to 10,000 characters.",
        "#themes-group": "Themes: Choose at least one theme.",
        "#modalities-group": "Kinds of assistance: Choose at least one kind of assistance.",
        "#languages-group": "Languages: Choose at least one language.",
        "#desired_start": "Desired start: enter a real date as year-month-day, e.g. 2027-03-31.",
        "#estimated_budget_usd": "Estimated budget (US dollars): enter a whole number from 0 to "
                                 "1,000,000,000,000, e.g. 50000.",
    }
    # Each link's target exists on the page, and the message is also beside its field.
    for href in links:
        assert f'id="{href[1:]}"' in html, href
    assert error_beside(html, "title") == "Enter a title of 5 to 200 characters."
    assert "Please correct the fields marked below." not in html
    assert count_requests(app) == 0


def test_a_page_without_errors_has_no_summary_and_a_plain_title(clients):
    html = clients.state.get("/requests/new").get_data(as_text=True)
    assert "data-error-summary" not in html and not title_of(html).startswith("Error")


def test_save_as_draft_keeps_a_partly_written_description(app, clients, people):
    response = clients.state.post("/requests/new", data={"title": "FIU analysts' training",
                                                         "description": "Twelve analysts", "action": "draft"})
    assert response.status_code == 302
    with app.app_context():
        req = db.session.scalars(select(AssistanceRequest)).one()
        assert (req.status, req.description) == ("draft", "Twelve analysts")


def test_submitting_an_incomplete_draft_from_its_page_names_and_links_each_missing_field(app, clients, people):
    response = clients.state.post("/requests/new", data={"title": "FIU analysts' training",
                                                         "description": "Twelve analysts", "action": "draft"})
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = clients.state.post(f"/requests/{request_id}/move/submit", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert title_of(html).startswith("Error: ")
    links = summary_links(html)
    edit = f"/requests/{request_id}/edit?check=1"
    assert links == [
        (f"{edit}#description", "Describe what is needed in 20 to 10,000 characters."),
        (f"{edit}#themes-group", "Themes: Choose at least one theme."),
        (f"{edit}#modalities-group", "Kinds of assistance: Choose at least one kind of assistance."),
        (f"{edit}#languages-group", "Languages: Choose at least one language."),
    ]
    assert "This field is required before you submit." not in html
    # The link opens the form with the same problems marked beside the fields.
    form = clients.state.get(edit).get_data(as_text=True)
    assert error_beside(form, "description") == "Describe what is needed in 20 to 10,000 characters."
    assert {href for href, _text in summary_links(form)} >= {"#description", "#themes-group"}
    with app.app_context():
        assert db.session.get(AssistanceRequest, request_id).status == "draft"


def test_the_api_422_fields_carry_the_same_messages(app, api, tokens):
    response = api.post("/api/v1/requests", tokens.state, json={"title": "Aid", "themes": ["financing"],
                                                           "modalities": [], "languages": ["en"],
                                                           "estimated_budget_usd": -1})
    body = response.get_json()
    assert response.status_code == 422 and body["error"]["code"] == "validation_error"
    assert body["error"]["fields"]["title"] == ["Enter a title of 5 to 200 characters."]
    assert body["error"]["fields"]["modalities"] == ["Choose at least one kind of assistance."]
    assert body["error"]["fields"]["estimated_budget_usd"][0].startswith("Estimated budget (US dollars): enter a whole")
    assert "description" in body["error"]["fields"]  # missing for submission, named with the rest


def test_the_offer_form_reports_the_provider_with_the_fields(clients):
    html = clients.coordinator.post("/offers/new", data={"title": "Abc"}).get_data(as_text=True)
    links = dict(summary_links(html))
    assert links["#organisation"] == "Choose the provider: give the code of a provider organisation."
    assert links["#title"] == "Enter a title of 5 to 200 characters."
    assert "#themes-group" in links


def test_the_registration_reports_every_problem_at_once(app, clients):
    response = clients.anonymous.post("/register", data={"organisation_name": "", "description": "short", "name": "Ann",
                                              "email": "not-an-address", "password": "password",
                                              "confirm": "different"})
    html = response.get_data(as_text=True)
    links = dict(summary_links(html))
    assert links["#organisation_name"] == "Enter your organisation's name."
    assert links["#email"] == "Your e-mail: Enter an e-mail address like name@example.org."
    assert links["#confirm"] == "The two passwords differ: repeat the password exactly."
    assert "#password" in links  # the password's own rules, without waiting for the other fields
    assert title_of(html).startswith("Error: ")


def test_a_move_without_its_text_lists_the_problem_with_a_link_to_its_box(app, clients, people, world):
    match_id = world.match("proposed")
    response = clients.provider.post(f"/matches/{match_id}/move/decline", data={"reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and title_of(html).startswith("Error: ")
    assert summary_links(html) == [("#reason", "Give a reason of 3 to 5,000 characters.")]
    assert 'id="reason"' in html
    request_id = world.request("submitted")
    response = clients.coordinator.post(f"/requests/{request_id}/move/reject", data={"reason": "no"})
    assert summary_links(response.get_data(as_text=True)) == [
        ("#move-reject-reason", "Give a reason of 3 to 5,000 characters.")]
