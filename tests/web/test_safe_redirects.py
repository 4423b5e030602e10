"""One safe-redirect rule for every `next`: only a path on this site is followed. Control characters
(before and after percent-decoding), backslashes, encoded slashes and backslashes, scheme-relative and
full URLs fall back to the default; nothing is a 500 (a newline in `next` once was)."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from exchange.web.forms import safe_local_path
from tests.factories import PASSWORD

# Each is refused: the browser's form of it (tabs and newlines dropped, backslash read as slash, leading
# spaces and C0 controls stripped, one percent-decoding) would leave the site, or it is not a plain path.
UNSAFE = [
    "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0a/evil.example", "/\r/evil.example",
    "/%0d/evil.example", "/x\ny", "/x%0D%0ASet-Cookie:%20a=b", "/\x01/evil.example", "/\x1f/evil.example",
    "/\x7f/evil.example", "/%7f/evil.example", "/\x0b/evil.example", "/%1b/evil.example",
    "/\\evil.example", "\\/evil.example", "/\\/evil.example", "/%5Cevil.example", "/%5cevil.example",
    "/%2F/evil.example", "/%2fevil.example", "/%252F/evil.example", "/a%2Fb",
    "//evil.example", "///evil.example", "////evil.example", "//", "/%2F%2Fevil.example",
    "http:evil.example", "http://evil.example", "https://evil", "https://evil.example/x", "HTTPS://evil",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi", "evil.example", "x", " /x", "  //evil",
    "\t//evil.example", "/\u200b/evil.example", "/\u202e/evil.example", "/\ufeff/evil.example",
    "/\u2028/evil.example", "/\u0085/evil.example", "/%C2%85/evil.example", "/%E2%80%8B/evil.example",
    "", "/" + "a" * 3000,
]
SAFE = ["/", "/account/password", "/requests/12", "/requests?q=financing&page=2", "/matches/3#thread",
        "/requests?q=%C3%A9t%C3%A9", "/offers?q=caf%C3%A9", "/directory/KAZ", "/x/./y"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_fall_back_to_the_default(target):
    assert safe_local_path(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_the_site_are_kept(target):
    assert safe_local_path(target, "/home") == target


def test_missing_and_non_text_targets_fall_back():
    assert safe_local_path(None, "/home") == "/home"
    assert safe_local_path(b"/x", "/home") == "/home"  # type: ignore[arg-type]


def _stays_on_site(location: str) -> bool:
    # What a browser does with the Location before following it: drop tab/LF/CR, read \ as /.
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/").lstrip(" \x00")
    parts = urlsplit(cleaned)
    return not parts.scheme and not parts.netloc and cleaned.startswith("/") and not cleaned.startswith("//")


def _query(target: str) -> str:
    return quote(target, safe="")


@pytest.mark.parametrize("target", UNSAFE)
def test_login_never_redirects_off_the_site(app, people, target):
    response = app.test_client().post(f"/login?next={_query(target)}",
                                      data={"email": people.state.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
                                 "/%5C/evil.example", "/%2F%2Fevil.example"])
def test_login_with_a_raw_query_is_never_a_500_nor_off_site(app, people, raw):
    """The query string as an attacker writes it (percent-encoded once, decoded by the server)."""
    response = app.test_client().post(f"/login?next={raw}", data={"email": people.state.email,
                                                                 "password": PASSWORD})
    assert response.status_code == 302
    assert _stays_on_site(response.headers["Location"]) and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", SAFE)
def test_login_follows_a_path_on_the_site(app, people, target):
    response = app.test_client().post(f"/login?next={_query(target)}",
                                      data={"email": people.state.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == target


@pytest.mark.parametrize("target", UNSAFE)
def test_proposing_never_redirects_off_the_site(clients, target):
    # No offer chosen: refused, and sent back to `next` if it is safe, else to the request's page.
    response = clients.coordinator.post("/matches", data={"request_id": "5", "next": target})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/requests/5"


@pytest.mark.parametrize("target", SAFE)
def test_proposing_goes_back_to_a_path_on_the_site(clients, target):
    response = clients.coordinator.post("/matches", data={"request_id": "5", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == target
