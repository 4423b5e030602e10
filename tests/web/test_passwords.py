"""Passwords: one rule (length and zxcvbn, knowing the person's own details) wherever one is set; changing one
ends the other sessions and revokes API tokens; a forgotten one is reset by a single-use, short-lived link
sent by e-mail (a real local SMTP server), with the same answer whether or not the e-mail has an account;
registering with an e-mail that has an account tells the page nothing and e-mails the owner."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import password_inputs, password_problems, token_digest
from exchange.people.models import ApiToken, Organisation, PasswordReset, User, UserSession
from tests.factories import PASSWORD
from tests.helpers import login, signed_in_client

NEW_PASSWORD = "Quartz-Lantern-Orbit-58"


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def reset_link(message) -> str:
    return re.search(r"http://localhost(/password/reset/[\w-]+)", body_of(message)).group(1)


# The rule itself

def test_the_rule_refuses_short_common_and_personal_passwords_and_says_what_to_do():
    assert password_problems("Quartz-Lantern-Orbit-58") == []
    assert password_problems("short") == ["Use at least 12 characters: a phrase of four or more unrelated words is "
                                          "easy to remember."]
    (common,) = password_problems("password1234")
    assert common.startswith("This password is too easy to guess (This is a very common password.)")
    assert "Add more unrelated words" in common
    assert password_problems("qwertyuiop123") and password_problems("Exchange2026")
    mine = password_inputs("liis.tamm@academy.example.org", "Liis Tamm")
    assert password_problems("liistamm2024!", mine) and not password_problems("liistamm2024!")
    assert password_problems("Tamm.Liis.2024!", mine) == [
        "This password is made of your name, e-mail or organisation, which a guesser tries first. Use words that "
        "have nothing to do with you."]
    assert password_problems("x" * 257) == ["Use at most 256 characters."]
    assert password_problems("Quartz-Lantern-Orbit-58" * 5) == []  # long ones are judged by their start


WEAK = "password1234"


def test_registration_refuses_a_weak_password(app):
    page = app.test_client().post("/register", data={
        "organisation_name": "Baltic Border Academy", "description": "Training for border guards on fraud.",
        "name": "Liis Tamm", "email": "liis@academy.example.org", "password": WEAK, "confirm": WEAK})
    assert "too easy to guess" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.email == "liis@academy.example.org")) == 0


def test_an_admin_cannot_create_or_set_a_weak_password(app, clients, people):
    page = clients.admin.post("/admin/users/new", data={"email": "new@kaz.test.example", "role": "member_state",
                                                        "organisation": "KAZ", "password": WEAK})
    assert "too easy to guess" in page.get_data(as_text=True)
    page = clients.admin.post(f"/admin/users/{people.state.id}", data={
        "name": "Focal point", "role": "member_state", "organisation": "KAZ", "password": "focal@kaz-2026"})
    assert "made of your name, e-mail or organisation" in page.get_data(as_text=True)
    assert login(app.test_client(), people.state.email).status_code == 302  # unchanged


def test_the_cli_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "weak@tjk.test.example", "--role",
                                                "member_state", "--org", "TJK", "--password-stdin"],
                                          input=WEAK + "\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output


def test_changing_a_password_refuses_a_weak_one_and_one_made_of_my_details(app, people):
    client = signed_in_client(app, people.provider.id)
    for weak, problem in ((WEAK, "too easy to guess"), ("officer-unodc-2026", "made of your name")):
        page = client.post("/account/password", data={"current": PASSWORD, "password": weak, "confirm": weak})
        assert problem in page.get_data(as_text=True), weak


# Changing a password

def test_changing_my_password_ends_my_other_sessions_and_revokes_my_api_tokens(app, people, tokens, api):
    mine, other = app.test_client(), app.test_client()
    login(mine, people.state.email)
    login(other, people.state.email)
    assert api.get("/api/v1/requests", tokens.state).status_code == 200
    response = mine.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert mine.get("/").status_code == 200 and other.get("/").status_code == 302
    assert api.get("/api/v1/requests", tokens.state).status_code == 401
    assert api.get("/api/v1/requests", tokens.provider).status_code == 200  # nobody else's
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == people.state.id))
        summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "security.password_changed"))
        assert "1 other session(s) ended, 1 API token(s) revoked" in summary


# Resetting a forgotten password

def test_a_forgotten_password_is_reset_through_a_single_use_link(app, people, tokens, api, smtp):
    signed_in = signed_in_client(app, people.state.id)
    client = app.test_client()
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": people.state.email.upper()}, follow_redirects=True)
    assert "we have sent it a link" in response.get_data(as_text=True)
    ((recipients, message),) = smtp.messages
    assert recipients == [people.state.email] and message["Subject"] == "[The Exchange] Reset your password"
    assert "within 30 minutes" in body_of(message)
    link = reset_link(message)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == people.state.id))
        assert reset.token_hash == token_digest(token) and reset.token_hash != token  # stored hashed
        assert reset.expires_at - reset.created_at == timedelta(minutes=30)
    form = client.get(link)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert "too easy to guess" in client.post(link, data={"password": WEAK, "confirm": WEAK}).get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert signed_in.get("/").status_code == 302  # every session ended
    assert api.get("/api/v1/requests", tokens.state).status_code == 401  # API tokens revoked
    assert login(app.test_client(), people.state.email).status_code == 200  # the old password is gone
    assert login(app.test_client(), people.state.email, NEW_PASSWORD).status_code == 302
    used = client.get(link)
    assert used.status_code == 404 and "not valid any more" in used.get_data(as_text=True)  # single use
    assert client.post(link, data={"password": "Another-Fine-Phrase-77", "confirm": "Another-Fine-Phrase-77"}
                       ).status_code == 404
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == people.state.id)))
        assert {"security.password_reset_requested", "security.password_reset"} <= actions


def test_the_forgot_page_answers_alike_for_an_unknown_email_and_sends_nothing(app, people, smtp):
    answers = []
    for email in (people.state.email, "nobody@nowhere.example"):
        response = app.test_client().post("/password/forgot", data={"email": email})
        answers.append((response.status_code, response.headers["Location"]))
        response = app.test_client().post("/password/forgot", data={"email": email}, follow_redirects=True)
        answers.append(response.get_data(as_text=True).replace(email, "EMAIL"))
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert {tuple(r) for r, _ in smtp.messages} == {(people.state.email,)}  # only the account's owner hears


def test_a_reset_link_used_twice_at_the_same_moment_works_once(app, people, smtp):
    import threading
    app.test_client().post("/password/forgot", data={"email": people.outside.email})
    link = reset_link(smtp.messages[0][1])
    barrier, statuses = threading.Barrier(2), []
    passwords = ["Quartz-Lantern-Orbit-58", "Velvet-Canyon-Mosaic-31"]

    def use(password):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(link, data={"password": password, "confirm": password}).status_code)

    threads = [threading.Thread(target=use, args=(p,)) for p in passwords]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 2 and statuses.count(302) == 1  # the other one is refused (404 or the form again)
    signed_in = [login(app.test_client(), people.outside.email, p).status_code for p in passwords]
    assert sorted(signed_in) == [200, 302]


def test_a_reset_link_expires_after_its_time(app, people, smtp):
    app.config["PASSWORD_RESET_TTL"] = timedelta(minutes=10)
    try:
        app.test_client().post("/password/forgot", data={"email": people.provider.email})
    finally:
        app.config["PASSWORD_RESET_TTL"] = timedelta(minutes=30)
    link = reset_link(smtp.messages[0][1])
    assert "within 10 minutes" in body_of(smtp.messages[0][1])
    with app.app_context():
        reset = db.session.scalar(select(PasswordReset))
        assert reset.expires_at - reset.created_at == timedelta(minutes=10)
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert login(app.test_client(), people.provider.email).status_code == 302  # unchanged


def test_a_new_password_makes_every_other_link_useless(app, people, smtp):
    for _ in range(2):
        app.test_client().post("/password/forgot", data={"email": people.provider.email})
    first, second = (reset_link(m) for _, m in smtp.messages)
    assert app.test_client().post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert app.test_client().get(first).status_code == 404


def test_links_are_rationed_per_account_while_the_answer_stays_the_same(app, people, smtp):
    for _ in range(5):
        response = app.test_client().post("/password/forgot", data={"email": people.coordinator.email})
        assert response.status_code == 302
    assert len(smtp.messages) == 3


def test_a_forged_host_header_cannot_point_the_link_elsewhere(app, people, smtp):
    app.config["TESTING"] = False
    try:
        response = app.test_client().post("/password/forgot", data={"email": people.state.email},
                                          headers={"Host": "evil.example"})
        assert response.status_code == 302 and smtp.messages == []  # no BASE_URL, no TRUSTED_HOSTS: no link
        app.config["BASE_URL"] = "https://exchange.example.org"
        app.test_client().post("/password/forgot", data={"email": people.state.email},
                               headers={"Host": "evil.example"})
    finally:
        app.config.update(TESTING=True, BASE_URL="")
    (_, message), = smtp.messages
    assert "https://exchange.example.org/password/reset/" in body_of(message) and "evil" not in body_of(message)


def test_a_reset_page_for_a_made_up_token_is_a_clear_404(app):
    response = app.test_client().get("/password/reset/made-up-token")
    assert response.status_code == 404 and "Ask for a new link" in response.get_data(as_text=True)
    assert app.test_client().get("/password/reset/" + "x" * 500).status_code == 404


# Registration does not tell whether an e-mail has an account

def _registration(email: str, organisation: str) -> dict:
    return {"organisation_name": organisation, "website": "",
            "description": "Training for border guards on document fraud and risk analysis.",
            "name": "Liis Tamm", "email": email, "password": "A-long-password-77", "confirm": "A-long-password-77"}


def test_registering_with_an_email_that_has_an_account_answers_alike_and_emails_its_owner(app, people, smtp):
    new = app.test_client().post("/register", data=_registration("liis@academy.example.org", "Baltic Academy"),
                                 follow_redirects=True)
    taken = app.test_client().post("/register", data=_registration(people.state.email, "Copycat Institute"),
                                   follow_redirects=True)
    assert new.status_code == taken.status_code == 200
    assert new.request.path == taken.request.path == "/login"
    assert new.get_data(as_text=True) == taken.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.name == "Copycat Institute")) == 0
        assert db.session.scalar(select(User.password_hash).where(User.email == people.state.email)) \
            == db.session.scalar(select(User.password_hash).where(User.id == people.provider.id))  # unchanged
    owner_mail = [m for r, m in smtp.messages if r == [people.state.email]]
    assert len(owner_mail) == 1 and "already has an account" in body_of(owner_mail[0])
    assert login(app.test_client(), people.state.email, "A-long-password-77").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_the_reset_link_is_e_mailed_in_the_owners_language_else_the_pages(app, people, smtp):
    from email.header import decode_header, make_header
    with app.app_context():
        db.session.get(User, people.state.id).language = "ru"
        db.session.commit()
    app.test_client().post("/password/forgot?lang=es", data={"email": people.state.email})
    ((_, message),) = smtp.messages
    assert str(make_header(decode_header(message["Subject"]))) == "[Платформа обмена] Сброс пароля"
    assert "в течение 30 минут" in body_of(message) and reset_link(message).startswith("/password/reset/")
    smtp.messages.clear()
    with app.app_context():
        db.session.get(User, people.state.id).language = None
        db.session.commit()
    app.test_client().post("/password/forgot?lang=es", data={"email": people.state.email})
    ((_, message),) = smtp.messages
    assert "en el plazo de 30 minutos" in body_of(message)
