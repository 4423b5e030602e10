"""Money, results and lessons on the pages: the match page's forms (who sees them, what they record, what a bad
entry answers), the State's comment on a result, the lessons' version check, the reasons of the proposal, and
the money shown on the request page and the country profile to exactly those who may see the match."""
from __future__ import annotations

import pytest

from exchange.matches.models import FundingEntry, Match, MatchResult

FORM = {"funding-stage": "committed", "funding-amount": "25 000,50", "funding-currency": "EUR",
        "funding-date": "2027-03-01", "funding-funder": "UNODC", "funding-usd_rate": "1.1"}
RESULT_FORM = {"result-kind": "outcome", "result-indicator": "Suspicious transaction reports analysed",
               "result-unit": "reports", "result-baseline": "10", "result-target": "40", "result-actual": "35",
               "result-note": "Counted by the FIU."}
# who may see the match page (and its money), and who gets the forms
SEES = {"state": 200, "provider": 200, "coordinator": 200, "admin": 200, "other_state": 404, "other_provider": 404,
        "outside": 404}
RECORDS = {"provider", "coordinator", "admin"}


@pytest.mark.parametrize("person", sorted(SEES))
def test_the_match_page_shows_money_and_forms_to_the_right_people(clients, world, person):
    mid = world.match("completed")
    world.funding(mid)
    world.result(mid)
    response = getattr(clients, person).get(f"/matches/{mid}")
    assert response.status_code == SEES[person]
    page = response.get_data(as_text=True)
    if response.status_code != 200:
        assert "27,500" not in page and "Analysts trained" not in page
        return
    assert 'id="funding-table"' in page and "$27,500" in page and "Analysts trained in financial analysis" in page
    assert (f'action="/matches/{mid}/funding"' in page) == (person in RECORDS)
    assert (f'action="/matches/{mid}/results"' in page) == (person in RECORDS)
    assert ('name="lessons"' in page) == (person in RECORDS)
    assert ("/comment" in page) == (person == "state")


def test_a_provider_records_money_and_a_result_through_the_forms(app, clients, world):
    from sqlalchemy import select

    from exchange.core.extensions import db
    mid = world.match("in_delivery")
    response = clients.provider.post(f"/matches/{mid}/funding", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/matches/{mid}#money")
    with app.app_context():
        [entry] = db.session.scalars(select(FundingEntry)).all()
        assert str(entry.amount) == "25000.50" and entry.currency == "EUR" and entry.match_id == mid
        assert str(entry.usd_amount) == "27500.55"
    response = clients.provider.post(f"/matches/{mid}/results", data=RESULT_FORM)
    assert response.status_code == 302
    page = clients.provider.get(f"/matches/{mid}").get_data(as_text=True)
    assert "Suspicious transaction reports analysed" in page and "$27,501" in page
    assert world.count(MatchResult) == 1


def test_a_bad_entry_shows_the_form_again_with_the_errors_and_records_nothing(clients, world):
    mid = world.match("accepted")
    response = clients.provider.post(f"/matches/{mid}/funding", data=FORM | {"funding-amount": "lots",
                                                                         "funding-currency": "XYZ"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="funding-amount-error"' in page and 'id="funding-currency-error"' in page
    assert 'value="lots"' in page and world.count(FundingEntry) == 0
    response = clients.provider.post(f"/matches/{mid}/results", data=RESULT_FORM)
    assert response.status_code == 409 and world.count(MatchResult) == 0  # results wait for delivery


def test_refusals_for_those_who_may_not_record(clients, world):
    mid = world.match("in_delivery")
    assert clients.state.post(f"/matches/{mid}/funding", data=FORM).status_code == 403
    assert clients.other_provider.post(f"/matches/{mid}/funding", data=FORM).status_code == 404
    assert clients.anonymous.post(f"/matches/{mid}/funding", data=FORM).status_code in (302, 401)
    assert clients.state.post(f"/matches/{mid}/results", data=RESULT_FORM).status_code == 403
    assert clients.provider.post(f"/matches/{mid}/results/1/comment", data={"comment": "x"}).status_code == 403
    assert world.count(FundingEntry) == 0 and world.count(MatchResult) == 0


def test_the_state_comments_on_a_result(clients, world):
    mid = world.match("completed")
    rid = world.result(mid)
    response = clients.state.post(f"/matches/{mid}/results/{rid}/comment", data={"comment": "Our count: 17."})
    assert response.status_code == 302
    assert world.row(MatchResult, rid).state_comment == "Our count: 17."
    empty = clients.state.post(f"/matches/{mid}/results/{rid}/comment", data={"comment": "  "})
    assert empty.status_code == 422 and f'id="result-comment-{rid}-error"' in empty.get_data(as_text=True)
    assert world.row(MatchResult, rid).state_comment == "Our count: 17."
    assert clients.state.post(f"/matches/{mid}/results/999/comment", data={"comment": "x"}).status_code == 404


def test_lessons_are_saved_with_the_version_read(clients, world):
    mid = world.match("completed")
    version = world.row(Match, mid).version
    saved = clients.provider.post(f"/matches/{mid}/lessons", data={"lessons": "Book interpreters early.",
                                                                   "version": str(version)})
    assert saved.status_code == 302 and world.row(Match, mid).lessons == "Book interpreters early."
    stale = clients.coordinator.post(f"/matches/{mid}/lessons", data={"lessons": "Other words.",
                                                                      "version": str(version)})
    assert stale.status_code == 409 and "Other words." in stale.get_data(as_text=True)
    assert world.row(Match, mid).lessons == "Book interpreters early."


def test_the_page_keeps_why_it_was_proposed(clients, world):
    mid = world.match("proposed", note="The course has room in March.")
    page = clients.coordinator.get(f"/matches/{mid}").get_data(as_text=True)
    assert "Why it was proposed" in page and "The course has room in March." in page
    assert "Both on" in page  # the engine's reasons, worded for the reader
    french = clients.coordinator.get(f"/matches/{mid}?lang=fr").get_data(as_text=True)
    assert "Both on" not in french


@pytest.mark.parametrize("person", sorted(SEES))
def test_money_on_the_request_page_and_country_profile_follows_the_match(clients, world, person):
    rid = world.request("open")
    mid = world.match("in_delivery", request_id=rid)
    world.funding(mid, amount="123457", currency="USD", usd_rate="1", stage="disbursed")
    world.result(mid, indicator="Border officers certified")
    request_page = getattr(clients, person).get(f"/requests/{rid}")
    profile = getattr(clients, person).get("/countries/KAZ").get_data(as_text=True)
    sees_match = SEES[person] == 200
    if request_page.status_code == 200:
        assert ("$123,457" in request_page.get_data(as_text=True)) == sees_match
    assert ("$123,457" in profile) == sees_match
    assert ("Border officers certified" in profile) == sees_match


def test_admins_set_an_organisation_s_iati_identifier(app, clients, people):
    from sqlalchemy import select

    from exchange.core.extensions import db
    from exchange.people.models import Organisation
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.code == "IMF"))
    for person in ("coordinator", "provider", "state"):
        assert getattr(clients, person).get(f"/admin/organisations/{org_id}").status_code == 403
    assert clients.admin.get(f"/admin/organisations/{org_id}").status_code == 200
    bad = clients.admin.post(f"/admin/organisations/{org_id}", data={"iati_identifier": "XM DAC <41301>"})
    assert bad.status_code == 422 and "XM-DAC-41119" in bad.get_data(as_text=True)
    saved = clients.admin.post(f"/admin/organisations/{org_id}", data={"iati_identifier": "XM-DAC-41301"})
    assert saved.status_code == 302
    try:
        listing = clients.admin.get("/admin/organisations?kind=task_force_entity").get_data(as_text=True)
        assert "XM-DAC-41301" in listing
        with app.app_context():
            unodc = db.session.scalar(select(Organisation.id).where(Organisation.code == "UNODC"))
        taken = clients.admin.post(f"/admin/organisations/{unodc}", data={"iati_identifier": "XM-DAC-41301"})
        assert taken.status_code == 422 and "IMF already has this IATI identifier." in taken.get_data(as_text=True)
        assert clients.admin.get("/admin/organisations/999999").status_code == 404
    finally:
        clients.admin.post(f"/admin/organisations/{org_id}", data={"iati_identifier": ""})
    with app.app_context():
        assert db.session.get(Organisation, org_id).iati_identifier == ""
