"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (schemathesis, in process):
whatever a client sends to any operation, positive or negative, the answer is never a server error, its
status is one the document lists for that operation, its body matches the documented schema (the error
body for every error), and a method a path does not take answers 405 with `Allow`.

Bounded to run in about a minute on two cores: a fixed number of generated examples per operation (plus
schemathesis's deterministic coverage cases), no deadline, derandomised so that CI runs are repeatable.
Calls are made as a coordinator; positive cases of the operations in `ALSO_AS` also as a State and a provider.
The figures (operations, cases, calls) are printed at the end of the module (`pytest -s` shows them).
"""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from exchange.app import create_app
from tests.factories import World
from tests.helpers import test_config

MAX_EXAMPLES = 8
# The document is read from a second app on the same test database; the calls go to it too.
# (the event stream ends after half a second there, so that each of its cases is read to its end)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(test_config(LIVE_STREAM_SECONDS=0.5)))

ALSO_AS = {"POST /api/v1/requests", "PATCH /api/v1/requests/{request_id}", "POST /api/v1/requests/{request_id}/submit",
           "POST /api/v1/offers", "PATCH /api/v1/offers/{offer_id}", "POST /api/v1/matches/{match_id}/accept",
           "POST /api/v1/matches/{match_id}/confirm", "GET /api/v1/requests", "GET /api/v1/offers",
           "GET /api/v1/matches", "GET /api/v1/matrix", "GET /api/v1/requests/{request_id}/matches"}
FIGURES: Counter = Counter()   # cases, calls, cases per phase
STATUSES: Counter = Counter()  # answers per status code
OPERATIONS: set[str] = set()


def error_body(ctx, response, case):
    """Every error answer is the API's one error body, never HTML or flask-smorest's own shape."""
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), content_type
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}, body


CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance,
          unsupported_method, ignored_auth, negative_data_rejection, error_body]


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    phases = {key.split(":")[1]: value for key, value in FIGURES.items() if key.startswith("phase:")}
    print(f"\nschemathesis: {len(OPERATIONS)} operations, {FIGURES['cases']} cases {phases}, "
          f"{FIGURES['calls']} calls, answers by status {dict(sorted(STATUSES.items()))}")


@pytest.fixture
def fuzz_world(app, people, tokens):
    """A few records of each kind; generated ids are pointed at them (below) so that calls reach deep code
    on every engine (PostgreSQL's ids do not start again at 1 for each test)."""
    world = World(app, people)
    ids = {"request_id": [world.request("open"), world.request("submitted", by="other_state"),
                          world.request("draft")],
           "offer_id": [world.offer(), world.offer(by="other_provider", status="paused")]}
    ids["match_id"] = [world.match("accepted"), world.match("completed"), world.match("proposed")]
    return tokens, ids


def aim_at_records(case, ids) -> None:
    """Point three in four valid generated ids below a million at existing records (the others, and the
    boundaries such as 2147483647, stay as generated)."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return
    for name, value in (case.path_parameters or {}).items():
        number = value if type(value) is int else int(value) if isinstance(value, str) and value.isdigit() else 0
        if name in ids and number % 4 and number < 10**6:
            case.path_parameters[name] = ids[name][number % len(ids[name])]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case, fuzz_world):
    label = case.operation.label
    OPERATIONS.add(label)
    FIGURES["cases"] += 1
    FIGURES["phase:" + (case.meta.phase.name.value if case.meta else "?")] += 1
    tokens, ids = fuzz_world
    aim_at_records(case, ids)
    positive = case.meta is not None and not any(c.mode.is_negative for c in case.meta.components.values())
    people = ("coordinator", "state", "provider") if label in ALSO_AS and positive else ("coordinator",)
    for person in people:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {tokens[person]}"}, checks=CHECKS)
        FIGURES["calls"] += 1
        STATUSES[response.status_code] += 1
