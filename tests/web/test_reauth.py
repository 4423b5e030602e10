"""Re-authentication before sensitive changes: without a confirmation of who they are in the last
REAUTH_WINDOW, an admin editing users, a coordinator approving providers, or anyone changing their two-step
sign-in is sent to "confirm it is you" (password, and a code when two-step sign-in is on) and brought back;
nothing is changed meanwhile."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.people.models import Organisation, User
from exchange.people.views.reauth import AUTH_KEY
from tests.conftest import PASSWORD, make_outside_provider
from tests.web.test_mfa import events, login, turn_on


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def age_confirmation(client, user_id: int, seconds: int) -> None:
    with client.session_transaction() as session:
        session[AUTH_KEY] = {"user": user_id, "at": int(time.time()) - seconds}


@pytest.fixture
def pending_org(app):
    with app.app_context():
        org = make_outside_provider("waiting-institute", "pending")
        db.session.commit()
        return org.id


@pytest.fixture
def admins_token(app, people):
    """The id of an API token of the admin's (for the revoke pages)."""
    from exchange.people.models import ApiToken
    from exchange.people.tokens import issue_api_token
    with app.app_context():
        issue_api_token(None, db.session.get(User, people.admin.id), {"name": "reauth test"})
        db.session.commit()
        return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == people.admin.id))


def sensitive_pages(people, org_id, token_id):
    """(person, method, path, form) for each change guarded by re-authentication."""
    return [
        ("state", "POST", "/account/tokens/new", {"name": "laptop", "scope": "read", "days": "30"}),
        ("admin", "POST", f"/account/tokens/{token_id}/revoke", {}),
        ("admin", "POST", f"/admin/users/{people.admin.id}/tokens/{token_id}/revoke", {}),
        ("admin", "POST", f"/admin/users/{people.state.id}/sessions/end", {}),
        ("admin", "GET", f"/admin/users/{people.state.id}", None),
        ("admin", "GET", "/admin/users/new", None),
        ("admin", "POST", f"/admin/users/{people.state.id}/active", {"active": "0"}),
        ("coordinator", "POST", f"/admin/providers/{org_id}/approval", {"approval": "approved"}),
        ("state", "GET", "/account/two-step/enrol", None),
        ("state", "GET", "/account/two-step/disable", None),
        ("state", "GET", "/account/two-step/recovery-codes", None),
    ]


def test_every_sensitive_change_asks_to_confirm_after_the_window(app, clients, people, pending_org, admins_token):
    for person, method, path, form in sensitive_pages(people, pending_org, admins_token):
        client = getattr(clients, person)
        age_confirmation(client, getattr(people, person).id, 11 * 60)
        response = client.open(path, method=method, data=form, headers={"Referer": "http://localhost/admin/users"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/account/confirm?next="), path
    with app.app_context():
        assert db.session.get(User, people.state.id).active  # nothing was changed
        assert db.session.get(Organisation, pending_org).approval == "pending"
        from exchange.people.models import ApiToken, UserSession
        assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == people.state.id)) is None
        assert db.session.get(ApiToken, admins_token).revoked_at is None
        assert db.session.scalar(select(UserSession).where(UserSession.user_id == people.state.id,
                                                           UserSession.ended_at.is_not(None))) is None


def test_within_the_window_the_change_goes_through(app, clients, people, pending_org):
    age_confirmation(clients.coordinator, people.coordinator.id, 9 * 60)
    response = clients.coordinator.post(f"/admin/providers/{pending_org}/approval", data={"approval": "approved"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/providers"
    with app.app_context():
        assert db.session.get(Organisation, pending_org).approval == "approved"


def test_confirming_the_password_brings_the_admin_back_to_the_page(app, clients, people):
    client = clients.admin
    age_confirmation(client, people.admin.id, 3600)
    path = f"/admin/users/{people.state.id}"
    response = client.get(path)
    confirm_url = response.headers["Location"]
    assert confirm_url.startswith("/account/confirm?") and next_of(confirm_url) == path
    page = client.get(confirm_url).get_data(as_text=True)
    assert "Confirm it is you" in page and "authenticator" not in page.split("<form", 1)[1]
    page = client.post(confirm_url, data={"password": "not-my-password"}).get_data(as_text=True)
    assert "This is not your password." in page
    assert client.get(path).status_code == 302  # still not confirmed
    response = client.post(confirm_url, data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == path
    assert client.get(path).status_code == 200
    assert len(events(app, "security.reauthenticated", people.admin.id)) == 1
    assert events(app, "security.sign_in_failed", people.admin.id)


def test_a_button_press_comes_back_to_the_page_it_was_on(app, clients, people):
    client = clients.admin
    age_confirmation(client, people.admin.id, 3600)
    response = client.post(f"/admin/users/{people.state.id}/active", data={"active": "0"},
                           headers={"Referer": "http://localhost/admin/users?q=kaz"})
    assert next_of(response.headers["Location"]) == "/admin/users?q=kaz"
    assert client.post(response.headers["Location"], data={"password": PASSWORD}).headers["Location"] == \
        "/admin/users?q=kaz"
    client.post(f"/admin/users/{people.state.id}/active", data={"active": "0"})
    with app.app_context():
        assert not db.session.get(User, people.state.id).active


def test_with_mfa_on_the_confirmation_needs_a_current_code_too(app, clients, people):
    secret, codes = turn_on(app, people.admin.id)
    client = clients.admin
    age_confirmation(client, people.admin.id, 3600)
    confirm_url = "/account/confirm?next=/admin/users/new"
    assert "authenticator" in client.get(confirm_url).get_data(as_text=True)
    page = client.post(confirm_url, data={"password": PASSWORD}).get_data(as_text=True)
    assert "Type the code your authenticator app shows now." in page
    page = client.post(confirm_url, data={"password": PASSWORD, "code": "000000"}).get_data(as_text=True)
    assert "This code is not right" in page
    assert client.get("/admin/users/new").status_code == 302
    response = client.post(confirm_url, data={"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/admin/users/new"
    assert client.get("/admin/users/new").status_code == 200
    # A recovery code does as well, once.
    age_confirmation(client, people.admin.id, 3600)
    assert client.post(confirm_url, data={"password": PASSWORD, "code": codes[0]}).status_code == 302
    age_confirmation(client, people.admin.id, 3600)
    assert client.post(confirm_url, data={"password": PASSWORD, "code": codes[0]}).status_code == 200


def test_the_return_path_stays_on_the_site(clients, people):
    age_confirmation(clients.state, people.state.id, 3600)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = clients.state.post("/account/confirm", query_string={"next": target},
                                      data={"password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/", target


def test_signing_in_counts_as_a_confirmation_and_signing_out_forgets_it(app, people):
    client = app.test_client()
    login(client, people.provider.email)
    assert client.get("/account/two-step/enrol").status_code == 200
    client.post("/logout")
    with client.session_transaction() as session:
        assert AUTH_KEY not in session


def test_a_confirmation_for_one_user_does_not_count_for_another(app, clients, people):
    with clients.admin.session_transaction() as session:
        session[AUTH_KEY] = {"user": people.state.id, "at": int(time.time())}
    assert clients.admin.get("/admin/users/new").headers["Location"].startswith("/account/confirm")


def test_wrong_passwords_when_confirming_are_throttled(app, clients, people, monkeypatch):
    monkeypatch.setitem(app.config, "SECOND_FACTOR_FAILURE_LIMIT", "3 per 15 minutes")
    age_confirmation(clients.admin, people.admin.id, 3600)
    for _ in range(3):
        assert clients.admin.post("/account/confirm", data={"password": "wrong"}).status_code == 200
    assert clients.admin.post("/account/confirm", data={"password": PASSWORD}).status_code == 429
    with app.app_context():
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "security.reauthenticated")).all()
