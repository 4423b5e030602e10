"""The "no strong match" state, as the API and the pages show it: a request whose only eligible offer shares its
theme but not its need is told so (the offer still listed, flagged weak); a request with a close offer is not."""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from tests.factories import REQUEST, make_offer, make_request

CLOSE = {"title": "Training for FIU analysts on suspicious transaction reports",
         "description": "A two-week course for financial intelligence analysts on suspicious transaction reports, "
                        "tracing terrorist financing and AML/CFT supervision.",
         "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"]}


@pytest.fixture
def two_requests(app, people):
    with app.app_context():
        near = make_request(people, **REQUEST)
        far_request = make_request(people, title="Screening of cargo containers at sea ports",
                                   description="Customs want container scanning and risk profiling of maritime "
                                               "cargo at the two sea ports, with training of the port police.",
                                   themes=["financing"], modalities=["training"], languages=["en"])
        close = make_offer(people, **CLOSE)
        db.session.commit()
        return {"near": near.id, "far": far_request.id, "close": close.id}


def test_the_api_says_when_no_suggestion_is_strong(api, tokens, two_requests):
    near = api.get(f"/api/v1/requests/{two_requests['near']}/matches", tokens.coordinator).json
    assert near["no_strong_match"] is False and near["items"][0]["strong"] is True
    far = api.get(f"/api/v1/requests/{two_requests['far']}/matches", tokens.coordinator).json
    assert far["items"], "the best candidates are still listed"
    assert far["no_strong_match"] is True and not any(item["strong"] for item in far["items"])


def test_the_request_page_shows_the_state_and_flags_weak_candidates(clients, two_requests):
    near = clients.coordinator.get(f"/requests/{two_requests['near']}").get_data(as_text=True)
    assert "no-strong-match" not in near and "Weak match" not in near
    far = clients.coordinator.get(f"/requests/{two_requests['far']}").get_data(as_text=True)
    assert 'class="alert alert-info no-strong-match" role="status"><strong>No strong match.</strong>' in far
    assert "Weak match" in far and "Training for FIU analysts" in far  # still listed, flagged
    french = clients.coordinator.get(f"/requests/{two_requests['far']}?lang=fr").get_data(as_text=True)
    assert "Aucune correspondance solide." in french and "Correspondance faible" in french
