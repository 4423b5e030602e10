"""Flask commands: `seed reference|demo`, `users create|token`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import operations
from .errors import ValidationFailed
from .extensions import db
from .models import AssistanceRequest, User


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(users)


@click.group(cls=AppGroup)
def seed():
    """Load reference or demo data."""


@seed.command("reference")
def seed_reference():
    """Load or refresh reference data (idempotent)."""
    from .seed.reference import load_reference
    counts = load_reference()
    db.session.commit()
    click.echo("Reference data loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no assistance requests yet.")
def seed_demo(if_empty: bool):
    """Load the demo data set (idempotent) and print the demo logins."""
    from .seed.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
    if if_empty and db.session.scalar(select(func.count()).select_from(AssistanceRequest)):
        click.echo("The database already has assistance requests: demo data not loaded again.")
        existing = set(db.session.scalars(select(User.email).where(User.email.in_([u[0] for u in DEMO_USERS]))))
        logins = [(email, role, org) for email, _, role, org in DEMO_USERS if email in existing]
    else:
        logins = load_demo()
        db.session.commit()
        click.echo("Demo data loaded.")
    if logins:
        click.echo(f"Demo logins (password for all, unless changed: {DEMO_PASSWORD}):")
        for email, role, org in logins:
            click.echo(f"  {role:<13} {org:<26} {email}")


@click.group(cls=AppGroup)
def users():
    """Manage users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["member_state", "provider", "coordinator", "admin"]))
@click.option("--org", "org", required=True, help="Organisation code (ISO3, entity code, CTITF, or a slug).")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, org: str, name: str, password_stdin: bool):
    """Create a user; without --password-stdin a password is generated and printed."""
    from .security import generate_password
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    try:
        user = operations.create_user(None, email=email, role=role, organisation_code=org, password=password,
                                      name=name)
        db.session.commit()
    except ValidationFailed as err:
        db.session.rollback()
        for field, messages in err.fields.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {user.email} ({role}, {org}).")
    if not password_stdin:
        click.echo(f"Password: {password}")


@users.command("token")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def users_token(email: str, name: str):
    """Issue a new API token for the user and print it alone on the last line."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        click.echo(f"No user with e-mail {email}.", err=True)
        raise SystemExit(1)
    token = operations.issue_api_token(None, user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once; store it safely):")
    click.echo(token)
