"""The documented commands: seed reference (idempotent), seed demo, users create, users token."""
from __future__ import annotations

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.security import token_digest
from exchange.people.models import ApiToken, Organisation, User
from exchange.reference.models import Country


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_seed_reference_is_idempotent(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Organisation))
    first, second = run(app, "seed", "reference"), run(app, "seed", "reference")
    assert first.exit_code == 0 and second.exit_code == 0 and "193 countries" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == before
        assert db.session.scalar(select(func.count()).select_from(Country)) == 193
        tjk, nga = db.session.get(Country, "TJK"), db.session.get(Country, "NGA")
        assert "143" in tjk.areas and "011" in nga.areas and "002" in nga.areas


def test_users_create_with_password_from_stdin_and_token(app):
    result = run(app, "users", "create", "--email", "focal@tjk.cli.example", "--role", "member_state",
                 "--org", "TJK", "--password-stdin", input="A-long-password-123\n")
    assert result.exit_code == 0, result.output
    result = run(app, "users", "token", "--email", "focal@tjk.cli.example")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    with app.app_context():
        assert db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    response = app.test_client().get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_users_create_generates_and_prints_a_password(app):
    result = run(app, "users", "create", "--email", "officer@wco.cli.example", "--role", "provider", "--org", "WCO")
    assert result.exit_code == 0 and "Password: " in result.output


def test_users_create_refuses_bad_input_and_changes_nothing(app):
    for args in (["--email", "not-an-email", "--role", "provider", "--org", "WCO"],
                 ["--email", "a@b.example", "--role", "coordinator", "--org", "KAZ"],
                 ["--email", "a@b.example", "--role", "provider", "--org", "NOPE"]):
        result = run(app, "users", "create", *args)
        assert result.exit_code != 0
    assert run(app, "users", "create", "--email", "a@b.example", "--role", "boss", "--org", "WCO").exit_code != 0
    assert run(app, "users", "token", "--email", "ghost@nowhere.example").exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_demo_creates_every_role_and_is_idempotent(app):
    first = run(app, "seed", "demo")
    assert first.exit_code == 0, first.output
    assert "demo-password-2026" in first.output
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        count = db.session.scalar(select(func.count()).select_from(User))
        pending = db.session.scalar(select(Organisation).where(Organisation.approval == "pending"))
    assert roles == {"member_state", "provider", "coordinator", "admin"} and pending is not None
    assert run(app, "seed", "demo").exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == count
