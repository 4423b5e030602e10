"""Message threads and supporting documents through the API: who reads and writes a request's or a match's
thread, who lists, downloads, attaches and deletes documents (every role; 404 for a record one may not see), and
bad input answered with the API's error body."""
from __future__ import annotations

import io

import pytest

from exchange.documents.models import Document
from exchange.messages.models import Message
from tests.factories import PDF_BYTES

# person → status for reading (and writing in) the thread of a submitted KAZ request (task_force visibility)
REQUEST_THREAD = {"state": 200, "other_state": 404, "provider": 200, "outside": 404, "coordinator": 200,
                  "admin": 200, "pending": 403}
MATCH_THREAD = {"state": 200, "other_state": 404, "provider": 200, "other_provider": 404, "outside": 404,
                "coordinator": 200, "admin": 200}


@pytest.mark.parametrize("person", sorted(REQUEST_THREAD))
def test_request_threads_follow_the_request(api, tokens, world, person):
    rid = world.request("submitted")
    posted = api.post(f"/api/v1/requests/{rid}/messages", tokens[person], json={"message": f"From {person}."})
    expected = REQUEST_THREAD[person]
    assert posted.status_code == (201 if expected == 200 else expected), posted.json
    thread = api.get(f"/api/v1/requests/{rid}/messages", tokens[person])
    assert thread.status_code == expected
    if expected == 200:
        assert posted.json["record_type"] == "request" and posted.json["record_id"] == rid
        assert [m["message"] for m in thread.json["items"]] == [f"From {person}."]
    else:
        assert world.count(Message) == 0


@pytest.mark.parametrize("person", sorted(MATCH_THREAD))
def test_match_threads_follow_the_match(api, tokens, world, person):
    mid = world.match("accepted")
    api.post(f"/api/v1/matches/{mid}/messages", tokens.coordinator, json={"message": "Dates agreed?"})
    thread = api.get(f"/api/v1/matches/{mid}/messages", tokens[person])
    assert thread.status_code == MATCH_THREAD[person]
    if thread.status_code == 200:
        assert thread.json["items"][0]["message"] == "Dates agreed?"
        assert thread.json["items"][0]["author_organisation"] == "CTITF"
    else:
        assert "Dates agreed" not in thread.get_data(as_text=True)


# who reads a match's message written for each audience (the State never reads the providers' or the office's)
AUDIENCE_READERS = {"everyone": {"state", "provider", "coordinator", "admin"},
                    "providers": {"provider", "coordinator", "admin"},
                    "office": {"coordinator", "admin"}}


@pytest.mark.parametrize("audience", sorted(AUDIENCE_READERS))
def test_a_message_is_read_only_within_its_audience(api, tokens, world, audience):
    mid = world.match("accepted")
    posted = api.post(f"/api/v1/matches/{mid}/messages", tokens.coordinator,
                      json={"message": "The budget looks short.", "audience": audience})
    assert posted.status_code == 201 and posted.json["audience"] == audience
    for person in MATCH_THREAD:
        thread = api.get(f"/api/v1/matches/{mid}/messages", tokens[person])
        read = thread.status_code == 200 and any(m["message"] == "The budget looks short."
                                                 for m in thread.json["items"])
        assert read == (person in AUDIENCE_READERS[audience]), person


def test_a_writer_addresses_only_the_audiences_it_may(api, tokens, world):
    mid = world.match("accepted")
    for person, audience in (("state", "providers"), ("state", "office"), ("provider", "office"),
                             ("coordinator", "nobody")):
        response = api.post(f"/api/v1/matches/{mid}/messages", tokens[person],
                            json={"message": "Only for some.", "audience": audience})
        assert response.status_code == 422 and "audience" in response.json["error"]["fields"], (person, audience)
    assert world.count(Message) == 0
    assert api.post(f"/api/v1/matches/{mid}/messages", tokens.provider,
                    json={"message": "For the office and us.", "audience": "providers"}).status_code == 201


def test_bad_messages_are_refused(api, tokens, world):
    rid = world.request("submitted")
    for body in ({"message": ""}, {"message": "x" * 5001}, {"text": "wrong field"}):
        response = api.post(f"/api/v1/requests/{rid}/messages", tokens.state, json=body)
        assert response.status_code == 422 and response.json["error"]["code"] == "validation_error", body
    assert api.get(f"/api/v1/requests/{rid}/messages", None).status_code == 401
    draft = world.request("draft")
    assert api.get(f"/api/v1/requests/{draft}/messages", tokens.coordinator).status_code == 404
    assert world.count(Message) == 0


def _upload(api, path, token, data=PDF_BYTES, name="assessment.pdf"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post(path, data={"file": (io.BytesIO(data), name)}, headers=headers,
                           content_type="multipart/form-data")


ATTACH_TO_REQUEST = {"state": 201, "coordinator": 201, "other_state": 404, "provider": 403, "admin": 403}
SEE_REQUEST_DOCUMENTS = {"state": 200, "coordinator": 200, "admin": 200, "provider": 200, "other_state": 404,
                         "outside": 404}


@pytest.mark.parametrize("person", sorted(ATTACH_TO_REQUEST))
def test_who_attaches_documents_to_a_request(api, tokens, world, person):
    rid = world.request("submitted")
    response = _upload(api, f"/api/v1/requests/{rid}/documents", tokens[person])
    assert response.status_code == ATTACH_TO_REQUEST[person], response.json
    if response.status_code == 201:
        assert response.json["filename"] == "assessment.pdf" and response.json["record_id"] == rid
    else:
        assert world.count(Document) == 0


@pytest.mark.parametrize("person", sorted(SEE_REQUEST_DOCUMENTS))
def test_who_lists_and_downloads_a_request_s_documents(api, tokens, world, person):
    rid = world.request("submitted")
    document = _upload(api, f"/api/v1/requests/{rid}/documents", tokens.state).json
    listed = api.get(f"/api/v1/requests/{rid}/documents", tokens[person])
    downloaded = api.get(document["download"], tokens[person])
    expected = SEE_REQUEST_DOCUMENTS[person]
    assert (listed.status_code, downloaded.status_code) == (expected, expected)
    if expected == 200:
        assert [d["id"] for d in listed.json["items"]] == [document["id"]]
        assert downloaded.data == PDF_BYTES
    else:
        assert downloaded.json["error"]["code"] == "not_found"


def test_offer_documents_and_deleting_them(api, tokens, world):
    oid = world.offer()
    assert _upload(api, f"/api/v1/offers/{oid}/documents", tokens.other_provider).status_code == 403
    document = _upload(api, f"/api/v1/offers/{oid}/documents", tokens.provider)
    assert document.status_code == 201, document.json
    assert api.get(f"/api/v1/offers/{oid}/documents", tokens.state).json["items"][0]["id"] == document.json["id"]
    path = f"/api/v1/documents/{document.json['id']}"
    assert api.call("DELETE", path, tokens.other_provider).status_code == 403
    assert api.call("DELETE", path, tokens.provider).status_code == 204
    assert api.get(path, tokens.provider).status_code == 404 and world.count(Document) == 0


def test_refused_files_answer_422(api, tokens, world):
    rid = world.request("submitted")
    missing = api.client.post(f"/api/v1/requests/{rid}/documents", data={},
                              headers={"Authorization": f"Bearer {tokens.state}"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["error"]["fields"]
    script = _upload(api, f"/api/v1/requests/{rid}/documents", tokens.state, data=b"#!/bin/sh\nrm -rf /\n",
                     name="run.sh")
    assert script.status_code == 422 and script.json["error"]["code"] == "validation_error"
    assert world.count(Document) == 0
