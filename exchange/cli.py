"""Flask commands: `seed reference|demo|synthetic`, `users create|token|tokens|revoke-token`, `reminders send` (and,
from deploy_cli, `check-deploy`, `backup`, `restore`). A command that writes is a `command_transaction`: its
work (the operations it calls, actor None: the command line) is committed once when it returns and rolled
back when it fails or exits."""
from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, text

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.core.transactions import command_transaction
from exchange.messages.reminders import DEFAULT_FEEDBACK_DAYS, DEFAULT_STALLED_DAYS
from exchange.people.models import User
from exchange.people.operations import create_user
from exchange.people.schemas import normalise_email
from exchange.people.tokens import get_token, issue_api_token, revoke_api_token, tokens_of
from exchange.requests.models import AssistanceRequest


def register_cli(app: Flask) -> None:
    from exchange.reports.cli import exports, iati_commands, report_commands
    app.cli.add_command(exports)
    app.cli.add_command(iati_commands, "iati")
    app.cli.add_command(report_commands, "reports")
    app.cli.add_command(seed)
    app.cli.add_command(users)
    app.cli.add_command(matching)
    app.cli.add_command(reminders)
    from exchange.deploy import cli as deploy_cli
    deploy_cli.register(app)
    from exchange.jobs import cli as jobs_cli
    jobs_cli.register(app)


@click.group(cls=AppGroup)
def seed():
    """Load reference or demo data."""


@seed.command("reference")
@command_transaction
def seed_reference():
    """Load or refresh reference data (idempotent)."""
    from exchange.reference.seed import load_reference
    counts = load_reference()
    click.echo(_("Reference data loaded: %(counts)s", counts=", ".join(f"{n} {k}" for k, n in counts.items())))


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no assistance requests yet.")
@command_transaction
def seed_demo(if_empty: bool):
    """Load the demo data set (idempotent) and print the demo logins."""
    from exchange.seed.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
    if if_empty and db.session.scalar(select(func.count()).select_from(AssistanceRequest)):
        click.echo(_("The database already has assistance requests: demo data not loaded again."))
        existing = set(db.session.scalars(select(User.email).where(User.email.in_([u[0] for u in DEMO_USERS]))))
        logins = [(email, role, org) for email, _, role, org in DEMO_USERS if email in existing]
    else:
        logins = load_demo()
        click.echo(_("Demo data loaded."))
    if logins:
        click.echo(_("Demo logins (password for all, unless changed: %(password)s):", password=DEMO_PASSWORD))
        for email, role, org in logins:
            click.echo(f"  {role:<13} {org:<26} {email}")
        from exchange.seed.demo import DEMO_TOTP_SECRET
        click.echo(_("The coordinator and admin also type a code from an authenticator app set up with the demo key "
                     "%(key)s (or: %(command)s).", key=DEMO_TOTP_SECRET,
                     command=f"python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""))


@seed.command("synthetic")
@click.option("--requests", "n_requests", default=10_000, show_default=True, type=click.IntRange(min=0),
              help="Synthetic assistance requests to add.")
@click.option("--offers", "n_offers", default=5_000, show_default=True, type=click.IntRange(min=1),
              help="Synthetic offers to add.")
@click.option("--seed", "seed_value", default=7, show_default=True, help="Random seed (the same seed, the same office).")
@click.option("--force", is_flag=True,
              help="Add them even when the database has people besides the demo logins (a real office).")
def seed_synthetic(n_requests: int, n_offers: int, seed_value: int, force: bool):
    """Add a synthetic office at scale (requests, offers, matches, messages, notifications, audit events in
    realistic shares; the demo logins too) for trying and benchmarking, with a progress bar."""
    import time

    from exchange.seed.synthetic import SyntheticRefused, seed_synthetic
    started = time.perf_counter()
    try:
        with click.progressbar(length=n_requests + n_offers, label=_("Adding synthetic records"),
                               show_pos=True) as bar:
            def progress(done: int, _total: int) -> None:
                bar.update(done - bar.pos)
            counts = seed_synthetic(n_requests, n_offers, seed=seed_value, force=force, progress=progress)
        db.session.commit()
    except SyntheticRefused as err:
        db.session.rollback()
        if err.reason == "no_reference":
            click.echo(_("No reference data: run %(command)s first.", command="flask seed reference"), err=True)
        else:
            click.echo(ngettext("The database has %(num)d person besides the demo logins: it looks like a real "
                                "office. Nothing was added (%(option)s adds the synthetic records anyway).",
                                "The database has %(num)d people besides the demo logins: it looks like a real "
                                "office. Nothing was added (%(option)s adds the synthetic records anyway).",
                                err.people, option="--force"), err=True)
        raise SystemExit(1) from None
    except BaseException:
        db.session.rollback()
        raise
    db.session.execute(text("ANALYZE"))  # the planner's statistics, as after a day of ordinary use
    db.session.commit()
    click.echo(_("Synthetic office added in %(seconds)s s: %(counts)s.", seconds=f"{time.perf_counter() - started:.1f}",
                 counts=", ".join(f"{n} {table}" for table, n in counts.items() if n)))


@click.group(cls=AppGroup)
def users():
    """Manage users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--org", "org", required=True, help="Organisation code (ISO3, entity code, CTITF, or a slug).")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@command_transaction
def users_create(email: str, role: str, org: str, name: str, password_stdin: bool):
    """Create a user; without --password-stdin a password is generated and printed."""
    from exchange.core.security import generate_password
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    try:
        user = create_user(None, {"email": email, "role": role, "organisation": org, "password": password,
                                  "name": name})
    except ValidationFailed as err:
        _exit_refused(err)
    click.echo(_("Created %(email)s (%(role)s, %(org)s).", email=user.email, role=role, org=org))
    if not password_stdin:
        click.echo(_("Password: %(password)s", password=password))


@users.command("token")
@click.option("--email", required=True)
@click.option("--name", default="cli")
@click.option("--read-only", is_flag=True, help="The token may only read (GET and HEAD).")
@click.option("--days", type=int, default=None,
              help="Days until it expires (default API_TOKEN_LIFETIME_DAYS, 90; at most API_TOKEN_MAX_LIFETIME_DAYS).")
@command_transaction
def users_token(email: str, name: str, read_only: bool, days: int | None):
    """Issue a new API token for the user and print it alone on the last line."""
    user = _user_or_exit(email)
    try:
        token = issue_api_token(None, user, {"name": name, "scope": "read" if read_only else "write", "days": days})
    except ValidationFailed as err:
        _exit_refused(err)
    click.echo(_("API token for %(email)s (shown once; store it safely):", email=user.email))
    click.echo(token)


@users.command("tokens")
@click.argument("email")
def users_tokens(email: str):
    """List the user's API tokens: id, name, scope, created, expires, last use and state."""
    from exchange.core.models import utcnow
    user = _user_or_exit(email)
    rows = tokens_of(user)
    now = utcnow()
    click.echo(f"{'id':>6}  {'name':<24} {'scope':<6} {'created':<16} {'expires':<16} {'last used':<16} state")
    for t in rows:
        click.echo(f"{t.id:>6}  {(t.name or '-')[:24]:<24} {t.scope:<6} {_when(t.created_at):<16} "
                   f"{_when(t.expires_at):<16} {_when(t.last_used_at):<16} {t.state(now)}")
    click.echo(ngettext("%(num)d token for %(email)s.", "%(num)d tokens for %(email)s.", len(rows), email=user.email))


@users.command("revoke-token")
@click.argument("token_id", type=click.IntRange(min=1))
@command_transaction
def users_revoke_token(token_id: int):
    """Revoke the API token with this id (see `flask users tokens EMAIL`): it stops working at once."""
    from exchange.core.errors import NotFound
    try:
        token = get_token(None, token_id)
    except NotFound:
        click.echo(_("No API token with id %(id)s.", id=token_id), err=True)
        raise SystemExit(1) from None
    if revoke_api_token(None, token):
        click.echo(_("Revoked API token %(id)s (%(name)s) of %(email)s.", id=token.id, name=token.name or "-",
                     email=token.user.email))
    else:
        click.echo(_("API token %(id)s was already revoked.", id=token.id))


def _exit_refused(err: ValidationFailed) -> NoReturn:
    """Print each field's problem and exit 1 (command_transaction rolls back)."""
    for field, messages in err.fields.items():
        click.echo(f"{field}: {' '.join(messages)}", err=True)
    raise SystemExit(1) from None


def _user_or_exit(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        click.echo(_("No user with e-mail %(email)s.", email=email), err=True)
        raise SystemExit(1)
    return user


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@click.group(cls=AppGroup)
def reminders():
    """Remind people of cases waiting for them now (the job queue's scheduler also does it every hour)."""


@reminders.command("send")
@click.option("--stalled-days", default=DEFAULT_STALLED_DAYS, show_default=True, type=click.IntRange(min=1),
              help="Remind whoever holds a request or match that has not moved for this many days.")
@click.option("--feedback-days", default=DEFAULT_FEEDBACK_DAYS, show_default=True, type=click.IntRange(min=1),
              help="Ask the State to confirm a completed delivery after this many days.")
@command_transaction
def reminders_send(stalled_days: int, feedback_days: int):
    """Send the reminders due now (once per state of each case) and print what was sent."""
    from exchange.core.models import utcnow
    from exchange.messages.reminders import send_reminders
    done = send_reminders(utcnow(), stalled_days, feedback_days)
    for reminder, count in done:
        click.echo(f"{reminder.kind:<18} {reminder.reference:<8} "
                   + ngettext("to %(num)d person: %(message)s", "to %(num)d people: %(message)s", count,
                              message=reminder.message))
    click.echo(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", len(done)))


@click.group(cls=AppGroup)
def matching():
    """Suggested matches: rebuild, evaluate, benchmark."""


@matching.command("rebuild")
@click.option("--limit", default=10, show_default=True, help="Offers kept per request.")
@command_transaction
def matching_rebuild(limit: int):
    """Recompute every request's suggested offers (stored as a dated snapshot), with a progress bar."""
    import time

    from exchange.matching import service
    from exchange.matching.cli import embed_missing
    embed_missing(label="Embedding missing or stale texts")  # what a refresh after commit missed
    started = time.perf_counter()
    with click.progressbar(length=1, label="Scoring requests", show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)
        rows = service.rebuild_suggestions(limit=limit, progress=progress)
    click.echo(ngettext("%(num)d suggestion stored in %(seconds)s s.", "%(num)d suggestions stored in %(seconds)s s.",
                        rows, seconds=f"{time.perf_counter() - started:.2f}"))


from exchange.matching.cli import embed_command

matching.add_command(embed_command)


@matching.command("evaluate")
@click.option("--set", "which", type=click.Choice(["old", "hard", "both"]), default="both", show_default=True,
              help="old: dataset.json (written with the engine); hard: hard_set.json (written apart).")
@click.option("--model/--no-model", default=True, show_default=True,
              help="Embed the texts with the sentence-embedding model (vectors cached on disk).")
@click.option("--text-baselines/--no-text-baselines", default=False, show_default=True,
              help="Also the scikit-learn TF-IDF baselines.")
def matching_evaluate(which: str, model: bool, text_baselines: bool):
    """nDCG@5, MRR and no-match accuracy of the engine, themes-only, BM25 and the raw embedding,
    overall and per language and group, on the labelled evaluation sets."""
    from exchange.matching.evaluation import DATASET, HARD_SET, evaluate, format_report
    embedder = None
    if model:
        from exchange.matching.embeddings import CachingEmbedder, default_embedder
        embedder = CachingEmbedder(default_embedder())
        click.echo(_("Embedding with %(model)s (cache %(path)s); the first run takes minutes.",
                     model=embedder.name, path=embedder.path))
    paths = {"old": [DATASET], "hard": [HARD_SET], "both": [DATASET, HARD_SET]}[which]
    for i, path in enumerate(paths):
        if i:
            click.echo("")
        click.echo(format_report(evaluate(path, with_text_baselines=text_baselines, embedder=embedder)))


@matching.command("bench")
@click.option("--requests", "n_requests", default=10_000, show_default=True)
@click.option("--offers", "n_offers", default=5_000, show_default=True)
def matching_bench(n_requests: int, n_offers: int):
    """Synthetic benchmark: full rebuild, one request p50/p95, peak memory, ratio to brute force."""
    from exchange.matching.bench import format_bench, run_bench
    click.echo(format_bench(run_bench(n_requests=n_requests, n_offers=n_offers, log=click.echo)))
