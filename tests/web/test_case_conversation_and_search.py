"""One conversation per case (the request's page and each match's page show the same messages, each saying who
can read it; what is meant for providers never reaches the State: page, API, notifications), and the header's
search within what each role may see ("Kazakhstan" finds every Kazakh request the reader may see)."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import make_match, make_message, make_offer, make_request


def _case(app, people):
    with app.app_context():
        req = make_request(people, "open", title="Financial intelligence unit training")
        offer = make_offer(people)
        match = make_match(people, req, offer, note="Please answer before Friday: budget is tight.")
        make_message(people, req, "The State asks when training can begin.", by="state")
        make_message(people, match, "UNODC can start in May.", by="provider")
        make_message(people, match, "Between us: the budget line is not confirmed yet.", by="coordinator",
                     audience="providers")
        make_message(people, req, "Office only: check the overlap with R-1.", by="coordinator", audience="office")
        db.session.commit()
        return req.id, match.id


def test_one_conversation_on_the_request_and_its_match(app, people, clients):
    request_id, match_id = _case(app, people)
    for path in (f"/requests/{request_id}", f"/matches/{match_id}"):
        html = clients.coordinator.get(path).get_data(as_text=True)
        for words in ("The State asks when training can begin.", "UNODC can start in May.",
                      "Between us: the budget line", "Office only: check the overlap"):
            assert words in html, (path, words)
        assert "Who can read it:" in html and "not the State" in html


def test_the_state_never_reads_what_is_meant_for_providers(app, people, clients, api, tokens):
    request_id, match_id = _case(app, people)
    for path in (f"/requests/{request_id}", f"/matches/{match_id}"):
        html = clients.state.get(path).get_data(as_text=True)
        assert "The State asks when training can begin." in html and "UNODC can start in May." in html, path
        assert "Between us" not in html and "Office only" not in html, path
        assert "budget is tight" not in html, path  # the office's note to the provider
    provider = clients.provider.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "Between us" in provider and "budget is tight" in provider and "Office only" not in provider
    other = clients.other_provider.get(f"/requests/{request_id}")
    assert "Between us" not in other.get_data(as_text=True)  # not a provider of this case's match
    # The API: the match's note is empty for the State, there for the provider and the office.
    as_state = api.get(f"/api/v1/matches/{match_id}", headers={"Authorization": f"Bearer {tokens.state}"}).json
    as_provider = api.get(f"/api/v1/matches/{match_id}",
                          headers={"Authorization": f"Bearer {tokens.provider}"}).json
    assert as_state["note"] == "" and as_provider["note"].startswith("Please answer")
    # The export of matches: the note is there for the provider, not for the State.
    assert "budget is tight" not in clients.state.get("/exports/matches.csv").get_data(as_text=True)
    assert "budget is tight" in clients.provider.get("/exports/matches.csv").get_data(as_text=True)
    # Notifications: the providers' message told the provider, not the State; the office's told nobody else.
    with app.app_context():
        told = {(n.user_id, n.params["values"]["preview"]) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "message.posted"))}
    assert (people.provider.id, "Between us: the budget line is not confirmed yet.") in told
    assert not any(user == people.state.id and ("Between us" in text or "Office only" in text)
                   for user, text in told)
    assert not any(user == people.provider.id and "Office only" in text for user, text in told)


def test_a_state_cannot_write_for_providers_only(app, people, clients, world):
    request_id = world.request()
    answer = clients.state.post(f"/requests/{request_id}/messages",
                                data={"message": "Hidden from ourselves?", "audience": "providers"},
                                follow_redirects=True)
    assert "Your message was not sent" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AssistanceRequest).where(AssistanceRequest.id == request_id)) is not None
        from exchange.messages.models import Message
        assert db.session.scalar(select(Message)) is None


def _kazakh_office(app, people):
    with app.app_context():
        ids = [make_request(people, title=f"Request {n} of Kazakhstan's customs service").id for n in range(4)]
        restricted = make_request(people, "open", title="A restricted request on terrorist financing",
                                  visibility="restricted")
        nigeria = make_request(people, by="other_state", title="Nigeria's request on border management")
        db.session.commit()
        return ids + [restricted.id], nigeria.id


def test_search_kazakhstan_finds_every_kazakh_request_the_reader_may_see(app, people, clients):
    kazakh, nigeria = _kazakh_office(app, people)
    for person, expected in (("coordinator", 5), ("state", 5), ("provider", 4), ("other_state", 0)):
        client = getattr(clients, person)
        for words in ("Kazakhstan", "Казахстан", "kazakh"):
            html = client.get(f"/search?q={words}").get_data(as_text=True)
            found = [i for i in kazakh if f'href="/requests/{i}"' in html]
            assert len(found) == expected, (person, words, found)
            assert f'href="/requests/{nigeria}"' not in html
    # The list's own search box finds them too (the State's name, not only the words of titles).
    listed = clients.coordinator.get("/requests?q=Kazakhstan").get_data(as_text=True)
    assert all(f'href="/requests/{i}"' in listed for i in kazakh)


def test_search_by_reference_within_visibility(app, people, clients):
    _kazakh, nigeria = _kazakh_office(app, people)
    ref = AssistanceRequest.reference_for(nigeria)
    assert f'href="/requests/{nigeria}"' in clients.coordinator.get(f"/search?q={ref}").get_data(as_text=True)
    assert f'href="/requests/{nigeria}"' not in clients.state.get(f"/search?q={ref}").get_data(as_text=True)
    assert clients.state.get("/search?q=" + "%00" * 3).status_code in (200, 400)
    assert clients.state.get("/search?q=" + "x" * 5000).status_code == 200
    offers = clients.state.get("/search?q=UNODC").get_data(as_text=True)
    assert "Providers" in offers


def test_every_page_has_the_search_box_and_anonymous_people_cannot_search(app, people, clients):
    for person in ("state", "provider", "coordinator", "admin"):
        assert 'id="site-search-q"' in getattr(clients, person).get("/").get_data(as_text=True), person
    answer = app.test_client().get("/search?q=Kazakhstan")
    assert answer.status_code in (302, 401)


def test_the_state_is_not_counted_the_messages_it_may_not_read(app, people, clients):
    _request_id, match_id = _case(app, people)
    listed = clients.state.get("/matches").get_data(as_text=True)
    row = listed.split(f'href="/matches/{match_id}"', 1)[1].split("</tr>", 1)[0]
    assert "1 new" in row  # UNODC's message; not the office's message to the providers
