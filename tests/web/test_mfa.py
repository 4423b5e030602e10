"""Two-step sign-in through the real pages: enrolment with a first code, sign-in with a TOTP or recovery
code (each good once), wrong and reused codes, the ±1 step drift, throttling, coordinators and admins held
on the set-up page, turning it off, new recovery codes, and the security events of each."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.security import hash_password
from exchange.people import mfa as mfa_ops
from exchange.people import totp as mfa
from exchange.people.credentials import MfaCredential, RecoveryCode
from exchange.people.models import User
from exchange.people.views.mfa import VERIFIED_KEY
from tests.helpers import events, login, signed_in_client


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


# ---------------------------------------------------------------------------------------------------
# The rules

def test_a_code_is_accepted_one_step_either_side_of_now_and_no_further():
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    now = 1_800_000_015.0  # 15 s into a step
    step = totp.timecode(now)
    assert mfa.matching_step(secret, totp.at(now), at=now) == step
    assert mfa.matching_step(secret, totp.at(now - 30), at=now) == step - 1
    assert mfa.matching_step(secret, totp.at(now + 30), at=now) == step + 1
    assert mfa.matching_step(secret, totp.at(now - 60), at=now) is None
    assert mfa.matching_step(secret, totp.at(now + 60), at=now) is None
    assert mfa.matching_step(secret, "12345", at=now) is None and mfa.matching_step(secret, "abcdef", at=now) is None
    assert mfa.matching_step(secret, totp.at(now)[:3] + " " + totp.at(now)[3:], at=now) == step


def test_recovery_codes_are_ten_distinct_high_entropy_codes_kept_as_digests():
    codes = mfa.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    assert mfa.recovery_digest(codes[0].upper().replace("-", " ")) == mfa.recovery_digest(codes[0])
    assert len(mfa.recovery_digest(codes[0])) == 64 and codes[0] not in mfa.recovery_digest(codes[0])
    assert mfa.recovery_digest("too-short") is None


# ---------------------------------------------------------------------------------------------------
# Enrolment

def test_enrolment_shows_a_qr_code_and_the_secret_and_needs_a_first_code(app, clients, people):
    client = clients.state
    assert "Set up two-step sign-in" in client.get("/account/two-step").get_data(as_text=True)
    assert "Start" in client.get("/account/two-step/enrol").get_data(as_text=True)
    assert client.post("/account/two-step/enrol", data={"action": "start"}).status_code == 302
    page = client.get("/account/two-step/enrol").get_data(as_text=True)
    with app.app_context():
        cred = db.session.get(MfaCredential, people.state.id)
        secret = cred.secret
        assert not cred.enabled
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn here: nothing loaded from outside
    assert mfa.grouped(secret) in page
    assert "http://" not in page.split("<main", 1)[1].split("</main>")[0]

    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    page = client.post("/account/two-step/enrol", data={"action": "confirm", "code": wrong}).get_data(as_text=True)
    assert "This code is not right" in page
    with app.app_context():
        assert not db.session.get(MfaCredential, people.state.id).enabled
    assert events(app, "security.mfa_failed", people.state.id)

    response = client.post("/account/two-step/enrol", data={"action": "confirm", "code": pyotp.TOTP(secret).now()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Two-step sign-in is on" in page
    shown = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", page)
    assert len(shown) == 10
    with app.app_context():
        assert db.session.get(MfaCredential, people.state.id).enabled
        digests = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == people.state.id)))
        assert digests == {mfa.recovery_digest(c) for c in shown}  # stored only as digests
    assert len(events(app, "security.mfa_enabled", people.state.id)) == 1
    assert "Recovery codes left: <strong>10</strong>" in client.get("/account/two-step").get_data(as_text=True)
    # Shown once: the set-up page now only says it is on.
    assert client.get("/account/two-step/enrol").headers["Location"].endswith("/account/two-step")


def test_enrolment_without_a_started_setup_or_with_bad_input_changes_nothing(app, clients, people):
    response = clients.provider.post("/account/two-step/enrol", data={"action": "confirm", "code": "123456"})
    assert response.status_code == 200  # the start page again
    clients.provider.post("/account/two-step/enrol", data={"action": "start"})
    for code in ("", "x" * 70, "12 34", "\u00e9" * 6):
        response = clients.provider.post("/account/two-step/enrol", data={"action": "confirm", "code": code})
        assert response.status_code == 200
    with app.app_context():
        assert not db.session.get(MfaCredential, people.provider.id).enabled


# ---------------------------------------------------------------------------------------------------
# Signing in

def test_sign_in_with_mfa_asks_for_the_code_before_signing_in(app, people, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    response = login(client, people.state.email, next_path="/offers")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert not signed_in(client)  # the password alone signs nobody in
    assert "Type your code" in client.get("/login/code").get_data(as_text=True)
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/offers"
    assert signed_in(client)
    assert events(app, "security.sign_in", people.state.id)
    with app.app_context():
        assert db.session.get(User, people.state.id).last_login_at is not None


def test_a_wrong_code_does_not_sign_in_and_is_recorded(app, people, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    login(client, people.state.email)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    for code in (wrong, "", "not-a-code", "1" * 64):
        response = client.post("/login/code", data={"code": code})
        assert response.status_code == 200
    assert "This code is not right" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert len(events(app, "security.mfa_failed", people.state.id)) >= 2


def test_the_same_code_is_not_accepted_twice(app, people, world):
    secret, _ = world.mfa(people.state.id)
    code = pyotp.TOTP(secret).now()
    first, second = app.test_client(), app.test_client()
    login(first, people.state.email)
    login(second, people.state.email)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    response = second.post("/login/code", data={"code": code})
    assert response.status_code == 200 and "used already" in response.get_data(as_text=True)
    assert not signed_in(second)
    # A code of an earlier step than one already taken is refused too.
    earlier = pyotp.TOTP(secret).at(time.time() - 30)
    assert second.post("/login/code", data={"code": earlier}).status_code == 200
    with app.app_context():
        assert db.session.get(MfaCredential, people.state.id).last_step >= pyotp.TOTP(secret).timecode(time.time()) - 1


def test_a_recovery_code_signs_in_once_only(app, people, world):
    _, codes = world.mfa(people.state.id)
    first, second = app.test_client(), app.test_client()
    login(first, people.state.email)
    response = first.post("/login/code", data={"code": codes[3].upper()}, follow_redirects=True)
    assert "9 are left" in response.get_data(as_text=True)
    assert signed_in(first)
    login(second, people.state.email)
    assert second.post("/login/code", data={"code": codes[3]}).status_code == 200
    assert not signed_in(second)
    assert len(events(app, "security.recovery_code_used", people.state.id)) == 1
    with app.app_context():
        assert mfa_ops.recovery_codes_left(db.session.get(User, people.state.id)) == 9


def test_the_code_page_without_a_right_password_or_after_too_long_goes_back_to_sign_in(app, people, monkeypatch, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    monkeypatch.setitem(app.config, "MFA_PENDING_LIFETIME", timedelta(seconds=-1))
    login(client, people.state.email)
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/login" and not signed_in(client)


def test_a_password_change_between_password_and_code_voids_the_pending_sign_in(app, people, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    login(client, people.state.email)
    with app.app_context():
        db.session.get(User, people.state.id).password_hash = hash_password("Another-Passphrase-of-2026")
        db.session.commit()
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/login" and not signed_in(client)


def test_wrong_codes_are_throttled_like_passwords(app, people, monkeypatch, world):
    monkeypatch.setitem(app.config, "SECOND_FACTOR_FAILURE_LIMIT", "3 per 15 minutes")
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    login(client, people.state.email)
    for _ in range(3):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 429 and not signed_in(client)


def test_the_next_path_after_the_code_stays_on_the_site(app, people, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    login(client, people.state.email, next_path="//evil.example/x")
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client.post("/logout")
    login(client, people.state.email)
    response = client.post("/login/code?next=https://evil.example/", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# ---------------------------------------------------------------------------------------------------
# Required for coordinators and admins

@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_a_coordinator_or_admin_without_mfa_is_held_on_the_setup_until_done(app, people, who):
    user = getattr(people, who)
    client = app.test_client()
    assert login(client, user.email).headers["Location"] == "/"
    for path in ("/", "/requests", "/admin/providers", "/account/password", "/audit"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-step/enrol", path
    page = client.get("/account/two-step/enrol").get_data(as_text=True)
    assert "Your role needs two-step sign-in" in page and 'aria-label="Main navigation"' not in page
    client.post("/account/two-step/enrol", data={"action": "start"})
    with app.app_context():
        secret = db.session.get(MfaCredential, user.id).secret
    assert client.post("/account/two-step/enrol", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert signed_in(client)
    # Next time, the code is asked for at sign-in.
    client.post("/logout")
    other = app.test_client()
    assert login(other, user.email).headers["Location"] == "/login/code"


def test_the_api_with_a_token_is_not_held(api, tokens):
    assert api.get("/api/v1/requests", tokens.coordinator).status_code == 200


def test_a_second_factor_passed_by_one_user_does_not_count_for_the_next_in_the_same_browser(app, people, world):
    secret, _ = world.mfa(people.state.id)
    client = app.test_client()
    login(client, people.state.email)
    client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert signed_in(client)
    client.post("/logout")
    login(client, people.coordinator.email)
    assert client.get("/").headers["Location"] == "/account/two-step/enrol"


def test_a_signed_in_session_whose_user_must_now_use_mfa_is_asked_for_the_code(app, people, world):
    """A provider with MFA on signs in; the office makes the account a coordinator's: the session, which never
    passed a second factor under a rule that needs one, is asked for a code (the gate reads the session)."""
    secret, _ = world.mfa(people.coordinator.id)
    client = signed_in_client(app, people.coordinator.id)
    with client.session_transaction() as session:
        session.pop(VERIFIED_KEY)  # a session that never passed a second factor
    response = client.get("/requests")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/code?next=/requests")
    response = client.post("/login/code?next=/requests", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/requests"
    assert client.get("/requests").status_code == 200


def test_required_roles_come_from_the_configuration(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", ("member_state",))
    client = app.test_client()
    login(client, people.state.email)
    assert client.get("/").headers["Location"] == "/account/two-step/enrol"
    coordinator = app.test_client()
    login(coordinator, people.coordinator.email)
    assert signed_in(coordinator)


# ---------------------------------------------------------------------------------------------------
# Recovery codes again, turning it off

def test_new_recovery_codes_replace_the_old_ones(app, clients, people, world):
    _, old = world.mfa(people.state.id)
    assert "10 unused" in clients.state.get("/account/two-step/recovery-codes").get_data(as_text=True)
    page = clients.state.post("/account/two-step/recovery-codes").get_data(as_text=True)
    new = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client = app.test_client()
    login(client, people.state.email)
    assert client.post("/login/code", data={"code": old[0]}).status_code == 200
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302
    assert events(app, "security.recovery_codes_regenerated", people.state.id)


def test_turning_mfa_off_deletes_the_secret_and_codes(app, clients, people, world):
    world.mfa(people.state.id)
    assert "Turn off" in clients.state.get("/account/two-step/disable").get_data(as_text=True)
    response = clients.state.post("/account/two-step/disable")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(MfaCredential, people.state.id) is None
        assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == people.state.id)).all()
    assert events(app, "security.mfa_disabled", people.state.id)
    client = app.test_client()
    assert login(client, people.state.email).headers["Location"] == "/"  # the password alone again


def test_a_coordinator_turning_mfa_off_must_set_it_up_again_at_once(app, clients, people, world):
    world.mfa(people.coordinator.id)
    response = clients.coordinator.post("/account/two-step/disable")
    assert response.headers["Location"] == "/account/two-step/enrol"
    assert clients.coordinator.get("/requests").headers["Location"] == "/account/two-step/enrol"


def test_pages_of_mfa_that_there_is_nothing_to_do_on_say_so(clients):
    for path in ("/account/two-step/disable", "/account/two-step/recovery-codes"):
        response = clients.state.post(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")


def test_an_admin_turns_it_off_for_a_user_who_lost_their_phone(app, clients, people, world):
    world.mfa(people.coordinator.id)
    assert clients.coordinator.get("/").status_code == 200
    page = clients.admin.get(f"/admin/users/{people.coordinator.id}").get_data(as_text=True)
    assert "Turn off two-step sign-in for this user" in page
    response = clients.admin.post(f"/admin/users/{people.coordinator.id}/two-step/reset")
    assert response.headers["Location"] == f"/admin/users/{people.coordinator.id}"
    with app.app_context():
        assert db.session.get(MfaCredential, people.coordinator.id) is None
    assert clients.coordinator.get("/").status_code == 302  # their sessions ended
    assert [e.summary for e in events(app, "security.mfa_disabled", people.coordinator.id)] == [
        f"by {people.admin.email}"]
    client = app.test_client()
    login(client, people.coordinator.email)
    assert client.get("/").headers["Location"] == "/account/two-step/enrol"
    assert clients.admin.post("/admin/users/999999/two-step/reset").status_code == 404


def test_the_demo_coordinator_signs_in_with_the_published_demo_key(app):
    from exchange.seed.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0 and DEMO_TOTP_SECRET in result.output
    client = app.test_client()
    assert login(client, "coordinator@ctitf.demo.example", DEMO_PASSWORD).headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}).status_code == 302
    assert signed_in(client)
    member = app.test_client()
    assert login(member, "focal@kaz.demo.example", DEMO_PASSWORD).headers["Location"] == "/"  # not needed there


@pytest.mark.parametrize("kind", ["totp", "recovery"])
def test_one_code_sent_from_two_browsers_at_the_same_moment_signs_in_only_one(app, people, kind, world):
    """Real threads through the real layers: the conditional update, not a check in Python, decides."""
    import threading
    secret, codes = world.mfa(people.state.id)
    code = pyotp.TOTP(secret).now() if kind == "totp" else codes[0]
    results = []
    for _ in range(3):  # rounds
        with app.app_context():
            db.session.execute(MfaCredential.__table__.update().values(last_step=None))
            db.session.execute(RecoveryCode.__table__.update().values(used_at=None))
            db.session.commit()
        browsers = [app.test_client() for _ in range(4)]
        for browser in browsers:
            login(browser, people.state.email)
        barrier = threading.Barrier(len(browsers))
        statuses = []

        def send(browser, barrier, statuses):
            barrier.wait()
            statuses.append(browser.post("/login/code", data={"code": code}).status_code)

        threads = [threading.Thread(target=send, args=(b, barrier, statuses)) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        results.append(sorted(statuses))
    assert results == [[200, 200, 200, 302]] * 3, results
