"""Operating commands: `flask check-deploy`, `flask backup PATH`, `flask restore PATH`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from exchange.deploy.backup import BackupError, Report
from exchange.deploy.check import ERROR, WARNING, deployment_problems


def register(app) -> None:
    app.cli.add_command(check_deploy)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("check-deploy")
@click.option("--fail-level", type=click.Choice([ERROR, WARNING]), default=ERROR, show_default=True,
              help="Exit 1 on problems of this level or worse.")
@with_appcontext
def check_deploy(fail_level: str):
    """Check this configuration for production: print every problem, exit 1 on any error."""
    problems = deployment_problems(current_app)
    for problem in problems:
        click.echo(f"{problem.level.upper():<8} {problem.code}: {problem.message}")
    errors = sum(p.level == ERROR for p in problems)
    warnings = sum(p.level == WARNING for p in problems)
    if not errors and not warnings:
        click.echo(_("check-deploy: no problems."))
        return
    click.echo(_("check-deploy: %(errors)s, %(warnings)s.",
                 errors=ngettext("%(num)d error", "%(num)d errors", errors),
                 warnings=ngettext("%(num)d warning", "%(num)d warnings", warnings)))
    if errors or (fail_level == WARNING and warnings):
        raise SystemExit(1)


def _migration_head() -> str | None:
    try:
        from alembic.script import ScriptDirectory
        migrate = current_app.extensions["migrate"]
        return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_current_head()
    except Exception:  # noqa: BLE001 - only a hint in the report
        return None


def _print(report: Report, expected: str, found: str) -> None:
    for line in report.lines(expected, found):
        click.echo("  " + line)
    for note in report.notes:
        click.echo(note)


def _database_url() -> str:
    from exchange.core.extensions import db
    db.engine.dispose()  # no connection of ours stays open on the file or the database
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a consistent copy of the database to PATH while it is in use, then check the copy.

    SQLite: a copy by SQLite's backup API; PostgreSQL: pg_dump's custom format (restore with `flask restore`
    or pg_restore). Prints the rows of every table in the database and in the copy; exit 1 if they differ
    or the copy fails its integrity check."""
    from exchange.deploy.backup import backup
    try:
        report = backup(_database_url(), path)
    except BackupError as err:
        click.echo(_("Backup refused: %(reason)s", reason=err), err=True)
        raise SystemExit(1) from None
    _print(report, "database", "backup")
    if not report.ok:
        click.echo(_("Backup FAILED its check (%(problem)s): no file was written.",
                     problem=", ".join(report.mismatched) or report.integrity), err=True)
        raise SystemExit(1)
    click.echo(_("Backup written to %(path)s (%(size)s bytes) and checked.", path=path, size=path.stat().st_size))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Replace the database with the backup at PATH, then check the result.

    SQLite: refused while another process has the database open (stop the servers first); the file is
    replaced at once (a rename). PostgreSQL: pg_restore --clean in one transaction."""
    from exchange.deploy.backup import restore
    url = _database_url()
    if not yes:
        click.confirm(_("Replace the database (%(database)s) with %(path)s? Everything written since that backup "
                        "is lost.", database=current_app.config["SQLALCHEMY_DATABASE_URI"], path=path), abort=True)
    try:
        report = restore(url, path, _migration_head())
    except BackupError as err:
        click.echo(_("Restore refused: %(reason)s", reason=err), err=True)
        raise SystemExit(1) from None
    _print(report, "backup", "restored")
    if not report.ok:
        click.echo(_("Restore FAILED its check (%(problem)s).",
                     problem=", ".join(report.mismatched) or report.integrity), err=True)
        raise SystemExit(1)
    click.echo(_("Database restored from %(path)s and checked.", path=path))

