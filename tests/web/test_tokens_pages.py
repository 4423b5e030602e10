"""The API tokens page (/account/tokens) for every role, the admin's view of a user's tokens, and the
`flask users token|tokens|revoke-token` commands: listed with name, scope, created, expires and last use;
a new token shown once; revocation at once; issuing and revoking recorded as security events."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.people.models import ApiToken, User
from exchange.people.tokens import issue_api_token

ADDRESS = {"REMOTE_ADDR": "198.51.100.4"}
TOKEN = re.compile(r"<code[^>]*data-token>(exch_[\w-]+)</code>")


def _tokens_of(app, person) -> list[ApiToken]:
    with app.app_context():
        rows = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == person.id).order_by(ApiToken.id)))
        db.session.expunge_all()
        return rows


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("person", ["state", "provider", "coordinator", "admin"])
def test_every_role_creates_a_token_shown_once_and_uses_it(app, people, clients, person):
    client = getattr(clients, person)
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "Create a token" in page.get_data(as_text=True)
    response = client.post("/account/tokens/new", data={"name": "Nightly export", "scope": "read", "days": "30"},
                           environ_base=ADDRESS)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(html).group(1)
    assert "shown only this once" in html and "Nightly export" in html and "Read only" in html
    assert token not in client.get("/account/tokens").get_data(as_text=True)  # never shown again
    (row,) = _tokens_of(app, getattr(people, person))
    assert row.scope == "read" and row.name == "Nightly export" and (row.expires_at - row.created_at).days == 30
    assert app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Nightly export" in listing and "Never" not in listing  # its last use is shown
    (event,) = _events(app, "security.token_issued")
    assert event.actor_id == getattr(people, person).id and event.changes["address"] == "198.51.100.4"


def test_bad_input_is_refused_beside_the_field_and_creates_nothing(app, people, clients):
    for days in ("0", "366", "ten", "-4"):
        response = clients.state.post("/account/tokens/new", data={"name": "x", "scope": "write", "days": days})
        assert response.status_code == 200 and "Give a number of days from 1 to 365." in response.get_data(as_text=True)
    response = clients.state.post("/account/tokens/new", data={"name": "x", "scope": "admin"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    response = clients.state.post("/account/tokens/new", data={"name": "n" * 101, "scope": "read"})
    assert response.status_code == 200
    assert _tokens_of(app, people.state) == [] and _events(app, "security.token_issued") == []


def test_the_page_lists_only_ones_own_tokens_and_revokes_them(app, people, clients):
    with app.app_context():
        mine = issue_api_token(None, db.session.get(User, people.state.id), {"name": "mine"})
        theirs = issue_api_token(None, db.session.get(User, people.provider.id), {"name": "theirs"})
        db.session.commit()
    html = clients.state.get("/account/tokens").get_data(as_text=True)
    assert "mine" in html and "theirs" not in html
    (my_row,), (their_row,) = _tokens_of(app, people.state), _tokens_of(app, people.provider)
    assert clients.state.post(f"/account/tokens/{their_row.id}/revoke").status_code == 404  # not mine
    assert _tokens_of(app, people.provider)[0].revoked_at is None
    response = clients.state.post(f"/account/tokens/{my_row.id}/revoke", environ_base=ADDRESS)
    assert response.status_code == 302
    assert _tokens_of(app, people.state)[0].revoked_at is not None
    assert app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {mine}"}).status_code == 401
    assert app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {theirs}"}).status_code == 200
    assert "Revoked" in clients.state.get("/account/tokens").get_data(as_text=True)
    (event,) = _events(app, "security.token_revoked")
    assert event.actor_id == people.state.id and event.changes["address"] == "198.51.100.4"


def test_an_admin_sees_and_revokes_a_users_tokens_from_the_users_page(app, people, clients):
    with app.app_context():
        token = issue_api_token(None, db.session.get(User, people.provider.id), {"name": "Dashboard feed"})
        db.session.commit()
    (row,) = _tokens_of(app, people.provider)
    html = clients.admin.get(f"/admin/users/{people.provider.id}").get_data(as_text=True)
    assert "Dashboard feed" in html and "Read and write" in html
    assert clients.admin.post(f"/admin/users/{people.state.id}/tokens/{row.id}/revoke").status_code == 404
    response = clients.admin.post(f"/admin/users/{people.provider.id}/tokens/{row.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("#tokens")
    assert app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    (event,) = _events(app, "security.token_revoked")
    assert event.actor_id == people.provider.id and people.admin.email in event.summary


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_commands_issue_list_and_revoke_tokens(app, people):
    issued = _run(app, "users", "token", "--email", people.state.email, "--name", "etl", "--read-only", "--days", "7")
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    listed = _run(app, "users", "tokens", people.state.email)
    assert listed.exit_code == 0 and "etl" in listed.output and "read" in listed.output and "active" in listed.output
    assert "1 token for" in listed.output
    (row,) = _tokens_of(app, people.state)
    assert row.scope == "read" and (row.expires_at - row.created_at).days == 7
    revoked = _run(app, "users", "revoke-token", str(row.id))
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in _run(app, "users", "tokens", people.state.email).output
    assert "already revoked" in _run(app, "users", "revoke-token", str(row.id)).output
    assert [e.action for e in _events(app, "security.token_issued") + _events(app, "security.token_revoked")] == [
        "security.token_issued", "security.token_revoked"]


def test_the_commands_refuse_bad_input(app, people):
    assert _run(app, "users", "revoke-token", "999999").exit_code == 1
    assert _run(app, "users", "tokens", "ghost@nowhere.example").exit_code == 1
    assert _run(app, "users", "token", "--email", people.state.email, "--days", "1000").exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
