"""The triage queue through the pages: what it lists and in which order, waiting times, and each
decision (accept — with routing to lead entities and optional proposals —, ask for information,
reject for each reason), refused decisions, and the State's answer."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.matches.models import Match
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import make_user

# ------------------------------------------------------------------------------------------------

def test_queue_lists_requests_to_triage_oldest_first_with_waiting_time(app, people, clients, world):
    newer = world.request(title="Newer request on terrorist financing")
    older = world.request(title="Older request on terrorist financing")
    world.age(AssistanceRequest, older, 14, "submitted_at", "clock_since")
    draft = world.request(title="A draft never submitted", draft=True)
    ended = world.request("rejected", title="Already rejected request")
    page = clients.coordinator.get("/triage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Older request" in html and "Newer request" in html
    assert html.index("Older request") < html.index("Newer request")  # longest wait first
    assert f'data-request-id="{older}"' in html and f'data-request-id="{newer}"' in html
    assert f'data-request-id="{draft}"' not in html and f'data-request-id="{ended}"' not in html
    row = html.split(f'data-request-id="{older}"', 1)[1].split("</tr>", 1)[0]
    assert "10 working days" in row and "wait-badge-long" in row  # 14 calendar days = 10 working days, over 5
    assert "0 working days" in html
    case = clients.coordinator.get(f"/triage/{newer}").get_data(as_text=True)
    assert "Possible overlap" in case  # the matching service's warning: the same State asked alike before


def _statements_of(app, client, path: str) -> int:
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count[0]


def test_queue_runs_the_same_queries_for_two_or_twelve_requests(app, people, clients, world):
    """The queue's rows are read for the whole page at once, not request by request."""
    world.offer(people.provider)
    for n in range(2):
        world.request(title=f"Request {n} on terrorist financing")
    clients.coordinator.get("/triage")  # the matching index is built on the first look
    few = _statements_of(app, clients.coordinator, "/triage")
    for n in range(10):
        world.request(by="other_state" if n % 2 else "state", title=f"More {n} on financing")
    clients.coordinator.get("/triage")  # the index catches up with the new requests
    many = _statements_of(app, clients.coordinator, "/triage")
    assert many == few, (few, many)


def test_queue_shows_without_suggestions_when_the_engine_fails(app, people, clients, monkeypatch, world):
    from exchange.matching import service

    def broken(*_args, **_kwargs):
        raise RuntimeError("index unavailable")

    world.offer(people.provider)
    request_id = world.request()
    monkeypatch.setattr(service, "suggestions_for_requests", broken)
    monkeypatch.setattr(service, "overlaps_for_requests", broken)
    page = clients.coordinator.get(f"/triage/{request_id}")
    assert page.status_code == 200 and f'id="request-{request_id}"' in page.get_data(as_text=True)


def test_overlap_warnings_on_a_request_page_are_for_the_office_only(app, people, clients, world):
    world.request(title="Earlier request on terrorist financing")
    later = world.request("open", title="Later request on terrorist financing")
    assert 'id="overlap-heading"' in clients.coordinator.get(f"/requests/{later}").get_data(as_text=True)
    assert 'id="overlap-heading"' not in clients.state.get(f"/requests/{later}").get_data(as_text=True)


def test_queue_is_only_for_coordinators(clients):
    for person in ("state", "provider", "admin"):
        assert getattr(clients, person).get("/triage").status_code == 403


def test_accept_routes_to_lead_entities_and_acknowledges_the_state(app, people, clients, world):
    with app.app_context():
        wb = make_user("officer@wb.test.example", "provider", "WB")
        mt = make_user("officer@1267.test.example", "provider", "1267-MT")
        db.session.commit()
        wb_id, mt_id = wb.id, mt.id
    request_id = world.request()
    response = clients.coordinator.post(f"/triage/{request_id}/accept", follow_redirects=True)
    assert response.status_code == 200
    assert "was accepted and is open" in response.get_data(as_text=True)
    assert world.status_of(AssistanceRequest, request_id) == "open"
    with app.app_context():
        routed = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "request.routed")))
        events = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == request_id,
                                                                          AuditEvent.record_type == "request")))
    # financing → IMF, UNODC, World Bank, 1267 Monitoring Team; not the outside provider.
    assert routed == {people.provider.id, people.other_provider.id, wb_id, mt_id}
    assert [(n.record_type, n.record_id) for n in world.notifications_of(people.state, "request.accept")] == [
        ("request", request_id)]
    assert "request.accept" in events


def test_accept_can_propose_suggested_offers_at_once(app, people, clients, world):
    unodc_offer = world.offer(people.provider)
    imf_offer = world.offer(people.other_provider, title="IMF workshop on terrorist financing supervision")
    request_id = world.request()
    page = clients.coordinator.get(f"/triage/{request_id}").get_data(as_text=True)
    assert f'value="{unodc_offer}"' in page and f'value="{imf_offer}"' in page  # offered as suggestions
    response = clients.coordinator.post(f"/triage/{request_id}/accept", data={
        "offer_id": [str(unodc_offer), str(imf_offer)], "note": "Both fit"}, follow_redirects=True)
    assert "Proposed to:" in response.get_data(as_text=True)
    with app.app_context():
        matches = list(db.session.scalars(select(Match).where(Match.request_id == request_id)))
        assert sorted(m.offer_id for m in matches) == sorted([unodc_offer, imf_offer])
        assert {m.status for m in matches} == {"proposed"} and {m.note for m in matches} == {"Both fit"}
    assert world.notifications_of(people.provider, "match.proposed")


def test_accept_with_a_bad_offer_changes_nothing(app, people, clients, world):
    request_id = world.request()
    response = clients.coordinator.post(f"/triage/{request_id}/accept", data={"offer_id": "999999"})
    assert response.status_code == 422
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert world.status_of(AssistanceRequest, request_id) == "submitted"
    assert [n.kind for n in world.notifications_of(people.state)] == ["request.received"]  # told nothing more


def test_a_refused_accept_keeps_every_offer_that_was_ticked(app, people, clients, world):
    unodc = world.offer(people.provider)
    imf = world.offer(people.other_provider, title="IMF course on supervising terrorist financing risks")
    request_id = world.request()
    response = clients.coordinator.post(f"/triage/{request_id}/accept", data={"offer_id": [unodc, imf, "x"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for offer_id in (unodc, imf):
        box = re.search(rf'<input[^>]*id="offer-{request_id}-{offer_id}"[^>]*>', html)
        assert box and "checked" in box.group(0), offer_id
    assert world.status_of(AssistanceRequest, request_id) == "submitted"


def test_ask_for_information_and_the_state_answers(app, people, clients, world):
    request_id = world.request()
    empty = clients.coordinator.post(f"/triage/{request_id}/request-info", data={"message": ""})
    assert empty.status_code == 422
    assert world.status_of(AssistanceRequest, request_id) == "submitted"
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)

    clients.coordinator.post(f"/triage/{request_id}/request-info", data={"message": "Which agencies take part?"})
    assert world.status_of(AssistanceRequest, request_id) == "needs_info"
    asked = world.notifications_of(people.state, "request.request-info")
    assert len(asked) == 1 and "Which agencies take part?" in asked[0].message
    assert "Which agencies take part?" in clients.state.get("/").get_data(as_text=True)  # home lists it
    assert "Waiting on the State" in clients.coordinator.get("/triage").get_data(as_text=True)

    # The State answers in the request's thread, then submits again: back to review, coordinators told.
    answer = clients.state.post(f"/requests/{request_id}/messages", data={"message": "The FIU and customs."})
    assert answer.status_code == 302
    page = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)  # the workflow partial
    assert "The FIU and customs." in page and "Which agencies take part?" in page
    assert f'action="/requests/{request_id}/move/submit"' in page and "Submit again" in page
    clients.state.post(f"/requests/{request_id}/move/submit")
    assert world.status_of(AssistanceRequest, request_id) == "in_review"
    told = world.notifications_of(people.coordinator)
    assert any(n.kind == "message.posted" and "The FIU and customs." in n.message for n in told)
    assert any(n.kind == "request.submitted" and "(answered)" in n.message for n in told)


def test_reject_out_of_scope_duplicate_and_other(app, people, clients, world):
    first = world.request()
    second = world.request()
    third = world.request()
    clients.coordinator.post(f"/triage/{first}/reject", data={"reason_kind": "out_of_scope"})
    clients.coordinator.post(f"/triage/{second}/reject", data={"reason_kind": "duplicate",
                                                               "duplicate_of": f"R-{first:05d}"})
    clients.coordinator.post(f"/triage/{third}/reject", data={"reason_kind": "other",
                                                              "reason": "The State withdrew the need by letter."})
    with app.app_context():
        a, b, c = (db.session.get(AssistanceRequest, i) for i in (first, second, third))
        assert (a.status, b.status, c.status) == ("rejected", "rejected", "rejected")
        assert a.status_note.startswith("Out of scope")
        assert b.duplicate_of_id == first and b.status_note.startswith(f"Duplicate of R-{first:05d}")
        assert c.status_note == "The State withdrew the need by letter."
    told = world.notifications_of(people.state, "request.reject")
    assert len(told) == 3 and any("Duplicate of" in n.message for n in told)


def test_reject_needs_a_reason_and_a_real_duplicate(app, people, clients, world):
    request_id = world.request()
    cases = [({}, "reason_kind"), ({"reason_kind": "duplicate"}, "Give the number of the other request"),
             ({"reason_kind": "duplicate", "duplicate_of": "abc"}, "Give the number"),
             ({"reason_kind": "duplicate", "duplicate_of": "999999"}, "No such request"),
             ({"reason_kind": "duplicate", "duplicate_of": str(request_id)}, "No such request"),
             ({"reason_kind": "other", "reason": ""}, "Give a reason of 3 to 5,000 characters.")]
    for form, expected in cases:
        response = clients.coordinator.post(f"/triage/{request_id}/reject", data=form)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, form
        assert expected in html or "Choose a reason" in html, (form, html[:500])
        assert world.status_of(AssistanceRequest, request_id) == "submitted"
    # What was typed stays in the form.
    kept = clients.coordinator.post(f"/triage/{request_id}/reject", data={"reason_kind": "duplicate",
                                                                          "duplicate_of": "abc",
                                                                          "reason": "Same as the earlier one"})
    assert "Same as the earlier one" in kept.get_data(as_text=True)
    assert [n.kind for n in world.notifications_of(people.state)] == ["request.received"]  # told nothing more


def test_refused_decisions_change_nothing(app, people, clients, world):
    request_id = world.request("open")
    response = clients.coordinator.post(f"/triage/{request_id}/accept", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert "The move “Accept into open” is not possible on a request whose status is “Open”." in response.get_data(as_text=True)
    assert clients.coordinator.post(f"/triage/{request_id}/destroy", follow_redirects=True).status_code == 200
    assert world.status_of(AssistanceRequest, request_id) == "open"
    for person in ("state", "provider", "admin"):
        assert getattr(clients, person).post(f"/triage/{request_id}/reject",
                                             data={"reason_kind": "out_of_scope"}).status_code == 403
    assert world.status_of(AssistanceRequest, request_id) == "open"
    assert clients.coordinator.post("/triage/999999/accept").status_code == 404


def test_start_review(app, people, clients, world):
    request_id = world.request()
    clients.coordinator.post(f"/triage/{request_id}/review")
    assert world.status_of(AssistanceRequest, request_id) == "in_review"
    assert world.notifications_of(people.state, "request.review")
    assert "In review" in clients.coordinator.get("/triage").get_data(as_text=True)


def test_waiting_day_flag_uses_submission_time(app, people, clients, world):
    request_id = world.request()
    world.age(AssistanceRequest, request_id, 3, "submitted_at", "clock_since")
    html = clients.coordinator.get("/triage").get_data(as_text=True)
    assert f'data-request-id="{request_id}"' in html and "wait-badge-long" not in html  # 3 days: not overdue
    assert utcnow()


# ------------------------------------------------------------------------------------------------
# The queue in the six languages

LANGUAGE_WORDS = {"ar": "قائمة الحالات", "zh": "个案队列", "en": "Case queue", "fr": "File des dossiers",
                  "ru": "Очередь дел", "es": "Cola de casos"}


@pytest.mark.parametrize("language", list(LANGUAGE_WORDS))
def test_queue_in_every_language(app, people, clients, world, language):
    world.offer(people.provider)
    older = world.request(title="Older request on terrorist financing")
    world.age(AssistanceRequest, older, 14, "submitted_at", "clock_since")
    world.request(title="Newer request on terrorist financing", status="needs_info")
    page = clients.coordinator.get(f"/triage?lang={language}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert LANGUAGE_WORDS[language] in html
    assert "Older request on terrorist financing" in html  # what people wrote stays as written
    if language == "fr":
        assert "En retard" in html and "10 jours ouvrables" in html and "Kazakhstan" in html
        case = clients.coordinator.get(f"/triage/{older}?lang=fr").get_data(as_text=True)
        assert "Tous deux portent sur le financement du terrorisme" in case  # a suggestion's reason
    if language == "ru":
        assert "Казахстан" in html and "Просрочено" in html and "10 рабочих дней" in html


def test_a_refused_decision_is_explained_in_the_coordinators_language(app, people, clients, world):
    request_id = world.request()
    page = clients.coordinator.post(f"/triage/{request_id}/reject?lang=es", data={"reason": "x"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Elija un motivo." in html and "No se modificó nada" in html
    with app.app_context():
        assert db.session.get(AssistanceRequest, request_id).status == "submitted"
