"""The OpenAPI document tells the truth about errors: every operation lists the error statuses it can
answer, each with the API's error body; nothing hides behind `default`; 405 carries `Allow`."""
from __future__ import annotations

import re

import pytest

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def document(api):
    return api.get("/api/v1/openapi.json").json


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, item, operation


def test_every_operation_documents_its_errors_with_the_error_body(document):
    operations = list(_operations(document))
    assert len(operations) >= 37
    for path, method, item, operation in operations:
        responses = operation["responses"]
        assert "default" not in responses, (method, path)
        expected = {"400", "401", "403"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"413", "422"}
        if any(p["in"] == "query" for p in item.get("parameters", []) + operation.get("parameters", [])):
            expected.add("422")
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {"application/json": {"schema": ERROR_SCHEMA}}, (method, path, status)
                assert response["description"], (method, path, status)
    moves = [operation for path, method, _, operation in operations if method == "post" and path.count("/") == 5
             and not path.endswith("/read")]  # marking a notification read is no move: it cannot conflict
    assert moves and all("409" in operation["responses"] for operation in moves)


def test_no_reference_dangles_and_the_error_schema_is_the_one_the_api_sends(document):
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in set(refs(document)):
        _, section, kind, name = ref.split("/")
        assert name in document[section][kind], ref
    schemas = document["components"]["schemas"]
    assert "Error" not in schemas  # flask-smorest's own error shape, which this API never sends
    assert set(schemas["ErrorOut"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetailOut"]["properties"]) == {"code", "message", "fields"}
    not_allowed = document["components"]["responses"]["METHOD_NOT_ALLOWED"]
    assert "Allow" in not_allowed["headers"] and "405" in document["info"]["description"]


def test_a_method_a_path_does_not_take_is_405_with_allow_and_the_error_body(api, tokens, document):
    for path, item in document["paths"].items():
        concrete = re.sub(r"\{[a-z_]+\}", "1", path)
        documented = {method.upper() for method in item if method in HTTP_METHODS}
        for method in ("PUT", "DELETE", "PATCH", "POST"):
            if method in documented:
                continue
            response = api.call(method, concrete, tokens.coordinator, json={})
            assert response.status_code == 405, (method, path, response.status_code)
            assert response.json["error"]["code"] == "method_not_allowed"
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert allowed - {"HEAD", "OPTIONS"} == documented, (method, path, allowed)


@pytest.mark.parametrize("record_id", ["0", "2147483648", "99999999999", "007"])
def test_an_id_out_of_range_is_404_for_every_method_not_405(api, tokens, record_id):
    """werkzeug answered PATCH /offers/0 with 405 (Allow: GET): the range check came after the method's."""
    for method, path in (("PATCH", "/api/v1/offers/%s"), ("PATCH", "/api/v1/requests/%s"),
                         ("GET", "/api/v1/matches/%s"), ("POST", "/api/v1/matches/%s/accept"),
                         ("POST", "/api/v1/requests/%s/submit")):
        response = api.call(method, path % record_id, tokens.coordinator, json={})
        assert response.status_code == 404, (method, path, record_id, response.status_code)
        assert response.json["error"]["code"] == "not_found"
