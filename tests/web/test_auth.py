"""Signing in and out, revocable sessions, CSRF, throttling, security headers, registration, approval."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from exchange.app import create_app
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.people.models import Organisation, User
from exchange.people.operations import create_user
from tests.factories import PASSWORD
from tests.helpers import login, test_config


def test_login_with_the_right_password_lands_on_home(app, people):
    client = app.test_client()
    response = login(client, people.state.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "assistance requests" in client.get("/").get_data(as_text=True)


def test_wrong_password_unknown_email_and_disabled_account_all_fail_alike(app, people):
    client = app.test_client()
    for email, password in [(people.state.email, "wrong-password-123"), ("nobody@x.example", PASSWORD)]:
        response = login(client, email, password)
        assert response.status_code == 200
        assert "The e-mail or password is not right." in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(User, people.state.id).active = False
        db.session.commit()
    assert "not right" in login(client, people.state.email).get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_empty_login_form_shows_errors_beside_fields(app):
    page = app.test_client().post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert page.count("invalid-feedback") >= 2


def test_next_is_followed_only_within_the_site(app, people):
    client = app.test_client()
    response = client.post("/login?next=//evil.example/x", data={"email": people.state.email,
                                                                  "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client = app.test_client()
    response = client.post("/login?next=/account/password", data={"email": people.state.email,
                                                                   "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"


def _cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_logout_ends_this_session_only_and_a_replayed_cookie_gets_the_login_page(app, people):
    first, second = app.test_client(), app.test_client()
    login(first, people.provider.email)  # (a coordinator would be held on the two-step set-up page)
    login(second, people.provider.email)
    old_cookie = _cookie(first)
    assert first.get("/").status_code == 200 and second.get("/").status_code == 200
    first.post("/logout")
    assert second.get("/").status_code == 200  # each browser is a session of its own
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "security.sign_out"))


def test_password_change_ends_other_sessions_but_keeps_this_one(app, people):
    mine, other = app.test_client(), app.test_client()
    login(mine, people.provider.email)
    login(other, people.provider.email)
    response = mine.post("/account/password", data={"current": PASSWORD, "password": "A-new-long-password-9",
                                                    "confirm": "A-new-long-password-9"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert login(app.test_client(), people.provider.email, "A-new-long-password-9").status_code == 302


def test_password_change_refuses_a_wrong_current_password_and_a_short_new_one(app, people):
    client = app.test_client()
    login(client, people.provider.email)
    page = client.post("/account/password", data={"current": "wrong", "password": "A-new-long-password-9",
                                                  "confirm": "A-new-long-password-9"}).get_data(as_text=True)
    assert "This is not your password." in page
    page = client.post("/account/password", data={"current": PASSWORD, "password": "short",
                                                  "confirm": "short"}).get_data(as_text=True)
    assert "at least 12 characters" in page
    assert login(app.test_client(), people.provider.email).status_code == 302  # unchanged


def test_disabling_an_account_ends_its_sessions(app, clients, people):
    victim = app.test_client()
    login(victim, people.state.email)
    assert victim.get("/").status_code == 200
    response = clients.admin.post(f"/admin/users/{people.state.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    with app.app_context():
        assert db.session.get(User, people.state.id).active is False


def test_passwords_are_stored_with_argon2id(app, people):
    with app.app_context():
        user = create_user(None, {"email": "new@kaz.test.example", "role": "member_state",
                                  "organisation": "KAZ", "password": "A-long-password-1"})
        assert user.password_hash.startswith("$argon2id$")
        db.session.rollback()


@pytest.fixture
def csrf_app(app):
    return create_app(test_config(WTF_CSRF_ENABLED=True))


def test_forms_refuse_posts_without_a_csrf_token(csrf_app, people):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": people.state.email, "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": people.state.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400  # signed in, but no token: refused


def test_security_headers_and_cookie_flags(app, people):
    client = app.test_client()
    response = login(client, people.state.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
                      "form-action 'self'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script anywhere


def test_pages_load_nothing_from_outside_the_host(clients):
    for client in (clients.anonymous, clients.state, clients.admin, clients.coordinator):
        for path in ("/", "/login"):
            page = client.get(path, follow_redirects=True).get_data(as_text=True)
            assert not re.findall(r'(?:src|href)="(?:https?:)?//', page), path


def test_secure_cookies_behind_https(monkeypatch):
    monkeypatch.setenv("EXCHANGE_HTTPS", "1")
    secure = create_app(test_config())
    assert secure.config["SESSION_COOKIE_SECURE"] is True


def test_an_outside_provider_registers_and_acts_only_once_approved(app, clients):
    client = app.test_client()
    form = {"organisation_name": "Baltic Border Academy", "website": "https://academy.example.org",
            "description": "Training for border guards on document fraud and risk analysis.",
            "name": "Liis Tamm", "email": "liis@academy.example.org", "password": "A-long-password-77",
            "confirm": "A-long-password-77"}
    response = client.post("/register", data=form)
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Baltic Border Academy"))
        assert org.kind == "outside_provider" and org.approval == "pending" and org.code == "baltic-border-academy"
        org_id = org.id
    login(client, "liis@academy.example.org", "A-long-password-77")
    assert "awaits approval" in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/themes").status_code == 401  # pages' cookies never authenticate the API
    # A coordinator approves it.
    assert "Baltic Border Academy" in clients.coordinator.get("/admin/providers").get_data(as_text=True)
    assert clients.coordinator.post(f"/admin/providers/{org_id}/approval",
                                    data={"approval": "approved"}).status_code == 302
    assert "awaits approval" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.approved"))


def test_registration_errors_appear_beside_fields_and_save_nothing(app, people):
    response = app.test_client().post("/register", data={
        "organisation_name": "X", "description": "short", "name": "", "email": people.state.email,
        "password": "short", "confirm": "other"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("invalid-feedback") >= 4
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Organisation).where(
            Organisation.kind == "outside_provider", Organisation.name == "X")) == 0


def test_a_state_cannot_approve_providers(clients, people, app):
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.code == "new-institute"))
    assert clients.state.post(f"/admin/providers/{org_id}/approval", data={"approval": "approved"}).status_code == 403
    assert clients.pending.get("/admin/providers").status_code == 403


def test_approval_is_announced_to_the_providers_users(app, clients, people):
    from exchange.messages.models import Notification
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.code == "new-institute"))
    clients.coordinator.post(f"/admin/providers/{org_id}/approval", data={"approval": "approved"})
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == people.pending.id))
        assert note is not None and "approved" in note.message


def _language_of(app, person):
    with app.app_context():
        return db.session.get(User, person.id).language


def test_the_account_language_is_chosen_on_the_account_page_and_kept(app, people, clients):
    page = clients.state.get("/account").get_data(as_text=True)
    assert 'action="/account/language"' in page and '<option value="ru" lang="ru">Русский</option>' in page
    response = clients.state.post("/account/language", data={"language": "ru"}, follow_redirects=True)
    assert '<html lang="ru"' in response.get_data(as_text=True) and "Русский" in response.get_data(as_text=True)
    assert _language_of(app, people.state) == "ru"
    again = clients.state.get("/account").get_data(as_text=True)  # the next page speaks it too
    assert '<html lang="ru"' in again and '<option value="ru" lang="ru" selected>' in again
    refused = clients.state.post("/account/language", data={"language": "de"}, follow_redirects=True)
    assert refused.status_code == 200 and _language_of(app, people.state) == "ru"


def test_the_account_language_needs_the_csrf_token(app, people):
    strict = create_app(test_config(WTF_CSRF_ENABLED=True))
    client = strict.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    signed_in = client.post("/login", data={"email": people.state.email, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    client.post("/account/language", data={"language": "zh"})
    assert _language_of(app, people.state) != "zh"


def test_signing_in_carries_the_language_chosen_before_onto_the_account(app, people):
    client = app.test_client()
    assert "language-switch" in client.get("/login?lang=es").get_data(as_text=True)  # the switch on sign-in
    assert login(client, people.state.email).status_code == 302
    assert _language_of(app, people.state) == "es"
    assert '<html lang="es"' in client.get("/").get_data(as_text=True)
    other = app.test_client()
    other.set_cookie("exchange_language", "fr")
    login(other, people.state.email)
    assert _language_of(app, people.state) == "es"  # an account's own choice is kept


def test_every_sign_in_page_carries_the_language_switch(app):
    client = app.test_client()
    for path in ("/login", "/register", "/password/forgot"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="language-switch"' in html and 'hreflang="ar"' in html, path


def test_the_sign_in_page_speaks_the_language_chosen(app):
    html = app.test_client().get("/login?lang=fr").get_data(as_text=True)
    assert '<html lang="fr"' in html and "Se connecter à la Plateforme d'échange" in html
    assert "Mot de passe oublié ?" in html
    arabic = app.test_client().get("/login?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "تسجيل الدخول إلى منصة التبادل" in arabic
