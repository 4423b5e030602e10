"""Stored text vectors against the real database (SQLite, or PostgreSQL with EXCHANGE_DATABASE_URL): computed
once per text right after the commit that changed it, replaced when the text changes, never used once stale,
backfilled by `flask matching embed`, and used by the suggestions the API serves."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select, update

from exchange.core.extensions import db
from exchange.matching import refresh, service, store
from exchange.matching.embeddings import FakeEmbedder, passages_of
from exchange.matching.models import TextVector
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, update_offer
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request

LONG = ("Our border police lacks the equipment to read the chips of electronic passports at the twelve land "
        "crossings with our neighbours. Officers were never trained to recognise altered data pages. Forged "
        "documents bought online are used by people travelling to conflict zones. We ask for document "
        "examination kits, a training of trainers for forty officers and advice on connecting the crossings to "
        "the international database of lost and stolen passports. The ministry would like to start before the "
        "end of the year and to cover the northern provinces first.")

# Two texts that share no word (and no lexicon concept); this embedder says they mean the same.
VICTIMS_REQUEST = {"title": "Help for the families of people killed in the bombing of the market",
                   "description": "Families of people killed in the bombing need help.",
                   "themes": ["border-management"], "modalities": ["training"], "languages": ["en"],
                   "visibility": "task_force"}
VICTIMS_OFFER = {"title": "Support to relatives of those who lost their lives in attacks",
                 "description": "Support to relatives who lost loved ones in attacks.",
                 "themes": ["victims"], "modalities": ["expert-advice"], "languages": ["en"],
                 "countries": [], "regions": []}
SYNONYMS = {"help": "support", "families": "relatives", "killed": "lost", "bombing": "attacks", "people": "ones",
            "need": "loved"}


class Failing(FakeEmbedder):
    def embed_passages(self, texts):
        raise RuntimeError("the model is not available")

    embed_queries = embed_passages


@pytest.fixture
def use_embedder(app):
    """Make the app embed with another embedder for one test (and forget indexes built with the old one)."""
    saved = app.extensions.get("matching_embedder")

    def use(embedder):
        app.extensions["matching_embedder"] = embedder
        service.forget_indexes()
        return embedder

    yield use
    app.extensions["matching_embedder"] = saved
    service.forget_indexes()


def rows_of(kind: str, record_id: int) -> list[TextVector]:
    return list(db.session.scalars(select(TextVector).where(TextVector.record_type == kind,
                                                            TextVector.record_id == record_id)
                                   .order_by(TextVector.passage)))


def test_tests_embed_with_the_fake_model(app):
    """The real model never loads in ordinary tests: under TESTING the app's embedder is the fake one."""
    assert isinstance(refresh.embedder_for(app), FakeEmbedder)
    assert refresh.mode_for(app) == "inline"


def test_saving_a_request_stores_one_vector_per_passage(app, people):
    with app.app_context():
        state = db.session.get(User, people.state.id)
        req = create_request(state, {"title": "Detecting forged passports", "description": LONG,
                                         "themes": ["border-management"], "modalities": ["training"],
                                         "languages": ["en"]})
        db.session.commit()
        rows = rows_of("request", req.id)
        parts = (req.title, req.description, req.beneficiary)
        expected = passages_of(parts)
        assert len(expected) >= 3 and [r.text for r in rows] == list(expected)  # whole text, then passages
        embedder = refresh.embedder_for(app)
        assert {r.model for r in rows} == {embedder.name} and {r.text_hash for r in rows} == {store.text_hash(parts)}
        stored = store.decode([r.vector for r in rows], rows[0].dimension)
        assert stored.dtype == np.float32 and np.allclose(stored, embedder.embed_queries(list(expected)))


def test_a_rolled_back_save_stores_nothing(app, people):
    with app.app_context():
        create_request(db.session.get(User, people.state.id), VICTIMS_REQUEST)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(TextVector)) == 0


def test_a_changed_text_is_re_embedded_and_other_changes_are_not(app, people):
    with app.app_context():
        unodc = db.session.get(User, people.provider.id)
        offer = create_offer(unodc, VICTIMS_OFFER)
        db.session.commit()
        first = [(r.text_hash, r.computed_at) for r in rows_of("offer", offer.id)]
        update_offer(unodc, offer, {"version": offer.version, "capacity": 3, "languages": ["en", "fr"]})
        db.session.commit()
        assert [(r.text_hash, r.computed_at) for r in rows_of("offer", offer.id)] == first
        update_offer(unodc, offer, {"version": offer.version, "description": LONG})
        db.session.commit()
        after = rows_of("offer", offer.id)
        assert after[0].text_hash != first[0][0] and len(after) == len(passages_of((offer.title, LONG)))
        assert store.stale_ids(db.session, "offer", refresh.embedder_for(app).name) == []


def test_a_failed_embedding_loses_nothing_and_embed_backfills_it(app, people, use_embedder):
    use_embedder(Failing(256, drop_stopwords=True))
    with app.app_context():
        req = create_request(db.session.get(User, people.state.id), VICTIMS_REQUEST)
        db.session.commit()  # the save itself succeeds
        assert db.session.get(AssistanceRequest, req.id) is not None and rows_of("request", req.id) == []
        req_id = req.id
    working = use_embedder(FakeEmbedder(256, drop_stopwords=True))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["matching", "embed"])
    assert result.exit_code == 0, result.output
    assert "1 requests and 0 offers embedded" in result.output
    with app.app_context():
        assert {r.model for r in rows_of("request", req_id)} == {working.name}
    again = runner.invoke(args=["matching", "embed"])
    assert "0 texts to embed" in again.output and "0 requests and 0 offers embedded" in again.output


def test_embed_finds_stale_vectors_and_removes_those_of_deleted_records(app, people):
    with app.app_context():
        req = create_request(db.session.get(User, people.state.id), VICTIMS_REQUEST)
        db.session.commit()
        # The text changes behind the ORM's back (no refresh): the stored vector is now stale.
        db.session.execute(update(AssistanceRequest).where(AssistanceRequest.id == req.id)
                           .values(description="Scanners for container inspection in the port."))
        db.session.add(TextVector(record_type="offer", record_id=999_999, passage=0, text_hash="x", model="m",
                                  dimension=1, text="gone", vector=store.encode(np.ones(1))))
        db.session.commit()
        name = refresh.embedder_for(app).name
        assert store.stale_ids(db.session, "request", name) == [req.id]
        db.session.expire_all()
        assert service.current_vectors("request", [db.session.get(AssistanceRequest, req.id)]) == {}  # never used
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "embed"])
    assert result.exit_code == 0, result.output
    assert "1 rows of deleted records removed" in result.output
    with app.app_context():
        assert store.stale_ids(db.session, "request", name) == []
        assert db.session.scalar(select(func.count()).select_from(TextVector).where(TextVector.record_id == 999_999)) == 0


def test_the_background_thread_stores_vectors_after_commit(app, people):
    app.config["MATCHING_EMBED_AFTER_COMMIT"] = "thread"
    try:
        with app.app_context():
            req = create_request(db.session.get(User, people.state.id), VICTIMS_REQUEST)
            db.session.commit()
            assert refresh.drain(30)
            db.session.commit()
            assert len(rows_of("request", req.id)) == len(passages_of((req.title, req.description, req.beneficiary)))
    finally:
        app.config.pop("MATCHING_EMBED_AFTER_COMMIT")


def _suggested(api, token, request_id):
    response = api.get(f"/api/v1/requests/{request_id}/matches", token)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_api_suggestions_use_stored_vectors_and_follow_an_edit(app, api, tokens, people, use_embedder):
    """Through the HTTP layer: a request filed under the wrong theme finds the offer only its text (as the
    embedder reads it) relates it to; after the State rewrites the text, the suggestion follows."""
    use_embedder(FakeEmbedder(256, synonyms=SYNONYMS, drop_stopwords=True)).name = "fake-synonyms"
    created = api.post("/api/v1/requests", tokens.state, json=VICTIMS_REQUEST)
    assert created.status_code == 201, created.json
    rid = created.json["id"]
    with app.app_context():
        offer = create_offer(db.session.get(User, people.provider.id), VICTIMS_OFFER)
        db.session.commit()
        oid = offer.id
        assert rows_of("request", rid) and rows_of("offer", oid)  # both embedded right after their commits
        lexicon_only = service.score_of(db.session.get(AssistanceRequest, rid), db.session.get(Offer, oid))
    assert lexicon_only is not None  # the stored vectors relate them ...
    items = _suggested(api, tokens.coordinator, rid)
    assert [i["offer_id"] for i in items] == [oid]
    assert any("The texts match, though the themes chosen differ" in r for r in items[0]["reasons"])
    assert any(r.startswith("Closest in the offer:") for r in items[0]["reasons"])
    # ... and without them nothing would (no shared theme, word or lexicon concept)
    from exchange.matching.engine import score_pair
    with app.app_context():
        bare = score_pair(service.request_data(db.session.get(AssistanceRequest, rid)),
                          service.offer_data(db.session.get(Offer, oid), 0))
        assert bare is None
    version = api.get(f"/api/v1/requests/{rid}", tokens.state).json["version"]
    edited = api.patch(f"/api/v1/requests/{rid}", tokens.state, json={
        "version": version, "title": "Scanners for container inspection in the port",
        "description": "Customs wants scanners for container inspection in the port."})
    assert edited.status_code == 200, edited.json
    with app.app_context():
        assert rows_of("request", rid)[0].text == "Scanners for container inspection in the port\n" \
            "Customs wants scanners for container inspection in the port."
    assert _suggested(api, tokens.coordinator, rid) == []  # the index caught up with the new vectors


def test_index_picks_up_vectors_stored_after_it_was_built(app, api, tokens, people, use_embedder):
    """Vectors that arrive later (the background thread, the backfill) reach the cached index."""
    e = use_embedder(FakeEmbedder(256, synonyms=SYNONYMS, drop_stopwords=True))
    e.name = "fake-synonyms-late"
    app.config["MATCHING_EMBED_AFTER_COMMIT"] = "off"
    try:
        rid = api.post("/api/v1/requests", tokens.state, json=VICTIMS_REQUEST).json["id"]
        with app.app_context():
            oid = create_offer(db.session.get(User, people.provider.id), VICTIMS_OFFER).id
            db.session.commit()
        assert _suggested(api, tokens.coordinator, rid) == []  # no vectors yet: the lexicon relates nothing
        assert app.test_cli_runner().invoke(args=["matching", "embed"]).exit_code == 0
        assert [i["offer_id"] for i in _suggested(api, tokens.coordinator, rid)] == [oid]
    finally:
        app.config.pop("MATCHING_EMBED_AFTER_COMMIT")


def test_the_request_page_lists_the_offer_its_stored_vectors_found(app, api, tokens, people, clients, use_embedder):
    """The page a coordinator reads (a real HTTP request through the test client) shows the same suggestion,
    with the reason that the text, not the theme, carried it."""
    use_embedder(FakeEmbedder(256, synonyms=SYNONYMS, drop_stopwords=True)).name = "fake-synonyms-page"
    rid = api.post("/api/v1/requests", tokens.state, json=VICTIMS_REQUEST).json["id"]
    with app.app_context():
        create_offer(db.session.get(User, people.provider.id), VICTIMS_OFFER)
        db.session.commit()
    page = clients.coordinator.get(f"/requests/{rid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert VICTIMS_OFFER["title"] in html and "The texts match, though the themes chosen differ" in html
