"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (schemathesis, in process):
whatever a client sends to any endpoint, as any role, the answer is never a server error, and every
error answer has the API's error body."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from exchange import create_app
from tests.api.conftest import World
from tests.conftest import test_config

# The document is read from a second app on the same test database; the calls go to it too.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(test_config()))


@pytest.fixture
def fuzz_world(app, people, tokens):
    """A few records of each kind, so that ids 1… often exist and generated calls reach deep code."""
    world = World(app, people)
    world.request("open")
    world.request("submitted", by="other_state")
    world.match("accepted")
    return tokens


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, fuzz_world):
    for person in ("coordinator", "state", "provider"):
        response = case.call(headers={"Authorization": f"Bearer {fuzz_world[person]}"})
        assert response.status_code < 500, (person, case.method, case.formatted_path, response.text[:300])
        if response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
            body = response.json()
            assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['coordinator']}"},
                           checks=[not_a_server_error])
