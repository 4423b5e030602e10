"""The needs matrix: counts against the records, visibility for every role, gaps, filters, the API."""
from __future__ import annotations

from datetime import datetime

from exchange.core.extensions import db
from exchange.offers.operations import offer_move
from exchange.requests.models import AssistanceRequest


def _cells(payload):
    return {row["country"]: row["cells"] for row in payload["rows"]}


def _counts(cell):
    return (cell["open"], cell["matched"], cell["delivered"])


def test_coordinator_matrix_counts_every_counted_request(api, tokens, scenario):
    response = api.get("/api/v1/matrix", tokens.coordinator)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"themes", "rows"}
    assert body["themes"][:4] == ["conflict-prevention", "radicalization", "rule-of-law", "victims"]
    assert len(body["themes"]) == 14
    cells = _cells(body)
    assert set(cells) == {"KAZ", "NGA"}
    assert set(cells["KAZ"]) == set(body["themes"])  # every theme present in every row
    # r_open open; r_matched matched (it counts in both its themes); r_triage (submitted) not counted.
    assert _counts(cells["KAZ"]["financing"]) == (1, 1, 0)
    assert _counts(cells["KAZ"]["border-management"]) == (0, 1, 1)
    assert _counts(cells["KAZ"]["human-rights"]) == (0, 0, 0)
    assert _counts(cells["NGA"]["financing"]) == (1, 0, 0)
    assert _counts(cells["NGA"]["human-rights"]) == (1, 0, 0)


def test_gaps_are_open_needs_without_an_offer_that_can_deliver_there(api, tokens, scenario):
    cells = _cells(api.get("/api/v1/matrix", tokens.coordinator).get_json())
    assert cells["NGA"]["financing"]["gap"] is True       # UNODC's financing offer delivers in KAZ only
    assert cells["KAZ"]["financing"]["gap"] is False      # ...which covers KAZ
    assert cells["NGA"]["human-rights"]["gap"] is False   # IMF's offer covers Western Africa (011)
    assert cells["KAZ"]["border-management"]["gap"] is False  # nothing open: never a gap


def test_a_paused_offer_does_not_fill_a_gap(app, api, tokens, people, scenario):
    from exchange.offers.models import Offer
    from exchange.people.models import User
    with app.app_context():
        offer = db.session.get(Offer, scenario.ids["offer_hr"])
        offer_move("pause")(db.session.get(User, people.other_provider.id), offer)
        db.session.commit()
    cells = _cells(api.get("/api/v1/matrix", tokens.coordinator).get_json())
    assert cells["NGA"]["human-rights"]["gap"] is True


def test_an_offer_at_capacity_does_not_fill_a_gap(app, api, tokens, scenario):
    """UNODC's financing offer already holds one accepted match (r_matched): with a capacity of 1 it can take
    no more, and KAZ's open financing need becomes a gap; with 2 it is covered again."""
    from exchange.offers.models import Offer
    for capacity, gap in ((1, True), (2, False), (None, False)):
        with app.app_context():
            db.session.get(Offer, scenario.ids["offer_fin"]).capacity = capacity
            db.session.commit()
        cells = _cells(api.get("/api/v1/matrix", tokens.coordinator).get_json())
        assert cells["KAZ"]["financing"]["gap"] is gap, capacity


def test_a_state_counts_only_its_own_requests(api, tokens, scenario):
    cells = _cells(api.get("/api/v1/matrix", tokens.state).get_json())
    assert set(cells) == {"KAZ"}
    assert _counts(cells["KAZ"]["financing"]) == (1, 1, 0)
    other = _cells(api.get("/api/v1/matrix", tokens.other_state).get_json())
    assert set(other) == {"NGA"}
    assert _counts(other["NGA"]["financing"]) == (1, 0, 0)


def test_providers_count_only_what_they_may_see(api, tokens, scenario):
    unodc = _cells(api.get("/api/v1/matrix", tokens.provider).get_json())
    # The restricted NGA request is not shared with UNODC.
    assert _counts(unodc["NGA"]["financing"]) == (0, 0, 0)
    assert _counts(unodc["NGA"]["human-rights"]) == (1, 0, 0)
    assert _counts(unodc["KAZ"]["financing"]) == (1, 1, 0)
    # An outside provider sees only requests open to every provider (and those it takes part in).
    outside = _cells(api.get("/api/v1/matrix", tokens.outside).get_json())
    assert set(outside) == {"NGA"}
    assert _counts(outside["NGA"]["human-rights"]) == (1, 0, 0)
    assert _counts(outside["NGA"]["financing"]) == (0, 0, 0)


def test_filters_region_pillar_and_period(app, api, tokens, scenario):
    central_asia = _cells(api.get("/api/v1/matrix?region=143", tokens.coordinator).get_json())
    assert set(central_asia) == {"KAZ"}
    africa = _cells(api.get("/api/v1/matrix?region=002", tokens.coordinator).get_json())
    assert set(africa) == {"NGA"}
    pillar = api.get("/api/v1/matrix?pillar=IV", tokens.coordinator).get_json()
    assert pillar["themes"] == ["human-rights"]
    assert set(_cells(pillar)) == {"NGA"}
    with app.app_context():
        req = db.session.get(AssistanceRequest, scenario.ids["r_open"])
        req.submitted_at = datetime(2024, 1, 10, 12, 0)
        db.session.commit()
    period = _cells(api.get("/api/v1/matrix?start=2024-01-01&end=2024-01-10", tokens.coordinator).get_json())
    assert set(period) == {"KAZ"}
    assert _counts(period["KAZ"]["financing"]) == (1, 0, 0)


def test_bad_filters_answer_422_with_fields(api, tokens, scenario):
    for query, field in (("region=999", "region"), ("pillar=V", "pillar"), ("start=yesterday", "start"),
                         ("start=2025-02-01&end=2025-01-01", "end")):
        response = api.get(f"/api/v1/matrix?{query}", tokens.coordinator)
        assert response.status_code == 422, query
        assert field in response.get_json()["error"]["fields"], query


def test_matrix_is_documented_in_openapi(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/matrix" in spec["paths"]
    assert "/api/v1/exports/iati-activities.xml" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/matrix"]["get"]["parameters"]}
    assert {"region", "pillar"} <= params


def test_matrix_page_shows_counts_gaps_and_legend(clients, scenario):
    page = clients.coordinator.get("/matrix")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<caption>" in html and 'scope="row"' in html and 'scope="col"' in html
    assert "Kazakhstan" in html and "Nigeria" in html
    assert 'data-gap="NGA-financing"' in html
    assert "data-gap=\"KAZ-financing\"" not in html
    assert "Gap" in html and "How to read a cell" in html
    assert 'id="gaps"' in html


def test_matrix_page_respects_visibility(clients, scenario):
    html = clients.state.get("/matrix").get_data(as_text=True)
    assert "Kazakhstan" in html and "Nigeria" not in html


def test_matrix_page_keeps_bad_filters_with_errors(clients, scenario):
    response = clients.coordinator.get("/matrix?region=zzz&start=nope")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Unknown region" in html and "Use a date like" in html
    assert 'value="nope"' in html


def test_matrix_cells_link_to_the_requests_list_when_it_exists(app, clients, scenario):
    html = clients.coordinator.get("/matrix").get_data(as_text=True)
    if "requests.index" in app.view_functions:
        assert "country=NGA" in html and "theme=financing" in html and "status=open" in html
    else:
        assert "aria-label=\"1 open in Nigeria" not in html


def test_matrix_uses_a_fixed_number_of_queries(app, people, scenario):
    """No query inside a loop: the count does not grow with the number of countries and themes."""
    from sqlalchemy import event

    from exchange.people.models import User
    from exchange.reports.matrix import compute_matrix
    from tests.reports.conftest import new_request

    def count_queries():
        statements = []
        listener = lambda *args: statements.append(1)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                compute_matrix(db.session.get(User, people.coordinator.id))
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = count_queries()
    with app.app_context():
        for state, theme in (("state", "wmd"), ("other_state", "victims"), ("other_state", "internet")):
            new_request(people, state=state, themes=[theme])
        db.session.commit()
    assert count_queries() == before
