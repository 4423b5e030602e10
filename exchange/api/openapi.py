"""The OpenAPI document served at /api/v1/openapi.json: flask-smorest's, completed so that it tells the truth
about errors.

Every operation lists every error status it can answer, each with the API's one error body (`ErrorOut`):
400 on all of them (a NUL character in the address; a malformed body where one is taken), 401 and 403 on
all of them (no valid token; a role the route does not admit, or an organisation awaiting approval), 404
where the path names a record, 413 and 422 where a body is taken, 422 where the query string is validated,
and what each view declares besides (409 for moves and edits). No `default` response is documented, so a
client (or schemathesis) can tell an undocumented status from a documented one. A method a path does not
take answers 405 with an `Allow` header and the error body: OpenAPI cannot attach that to an operation, so
it is a component response (`METHOD_NOT_ALLOWED`) and said in the document's description.
"""
from __future__ import annotations

import copy

from exchange.api.serialize import ERROR_DESCRIPTIONS

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
METHOD_NOT_ALLOWED = {
    "description": "This path does not take this method. `Allow` lists the methods it takes.",
    "headers": {"Allow": {"description": "The methods this path takes, comma-separated.",
                          "schema": {"type": "string"}}},
    "content": ERROR_BODY,
}
METHODS_NOTE = ("\n\nErrors always answer the error body `{\"error\": {\"code\", \"message\", \"fields\"}}` "
                "(`ErrorOut`), with the statuses each operation lists. A method a path does not take answers "
                "405 with an `Allow` header listing those it takes (`components.responses.METHOD_NOT_ALLOWED`).")
# flask-smorest's own error components, which describe a body this API does not send.
_UNUSED_COMPONENTS = ("Error", "PaginationMetadata")


def error_statuses(path: str, path_item: dict, operation: dict) -> set[int]:
    """The error statuses an operation can answer, besides those its view declares."""
    statuses = {400, 401, 403}
    parameters = path_item.get("parameters", []) + operation.get("parameters", [])
    if "{" in path:
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {413, 422}
    if any(parameter.get("in") == "query" for parameter in parameters):
        statuses.add(422)
    return statuses


def openapi_document(api) -> dict:
    """The completed document (built from `api.spec` each time: it is small, and this keeps it current)."""
    document = copy.deepcopy(api.spec.to_dict())
    for path, path_item in document.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            for status in error_statuses(path, path_item, operation):
                responses.setdefault(str(status), {})
            for status, response in list(responses.items()):
                if int(status) >= 400:
                    description = response.get("description") or ERROR_DESCRIPTIONS.get(int(status), "Error.")
                    if "$ref" in response:  # flask-smorest's generic component ("Unprocessable Entity")
                        description = ERROR_DESCRIPTIONS.get(int(status), description)
                    responses[status] = {"description": description, "content": copy.deepcopy(ERROR_BODY)}
    components = document.setdefault("components", {})
    components["responses"] = {"METHOD_NOT_ALLOWED": METHOD_NOT_ALLOWED}
    for name in _UNUSED_COMPONENTS:
        components.get("schemas", {}).pop(name, None)
    info = document.setdefault("info", {})
    info["description"] = info.get("description", "") + METHODS_NOTE
    return document
