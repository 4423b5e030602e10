"""`flask exports write|iati|progress` and `flask imports offers`: the same exports and imports as the pages, from
the command line, as a named user (what that user may see), with a progress bar."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from exchange.core.access import is_office
from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.i18n import LANGUAGES, speaking
from exchange.offers import imports
from exchange.people.models import User
from exchange.reports import exports as export_module
from exchange.reports import iati, progress
from exchange.reports.filters import ReportFilters


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.BadParameter(_("no active user %(email)s", email=email), param_hint="--as")
    return user


def _params(pairs: tuple[str, ...]) -> dict:
    params: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(_("%(pair)s: write KEY=VALUE", pair=repr(pair)), param_hint="--filter")
        params.setdefault(key.strip(), []).append(value.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in params.items()}


@click.group(cls=AppGroup)
def exports():
    """Export lists (CSV, XLSX) and IATI XML as a given user."""


@exports.command("write")
@click.argument("kind", type=click.Choice(export_module.KINDS))
@click.option("--as", "email", required=True, help="E-mail of the user whose view is exported.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--filter", "filters", multiple=True, help="KEY=VALUE, as on the list pages (repeatable).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def exports_write(kind: str, email: str, fmt: str, filters: tuple[str, ...], out: Path):
    """Write one export to a file, with a progress bar."""
    user = _user(email)
    params = _params(filters)
    try:
        table = export_module.table_for(kind, user, params, ReportFilters.from_params(params))
    except ExchangeError as err:
        raise click.ClickException(f"{err.message} {err.fields or ''}".strip()) from None
    rows = list(table.rows)
    with click.progressbar(rows, label=_("Exporting %(num)s rows (%(kind)s)", num=len(rows), kind=kind), file=sys.stderr) as bar:
        table.rows = iter(bar)
        data = export_module.xlsx_bytes(table) if fmt == "xlsx" else export_module.csv_text(table).encode("utf-8")
    out.write_bytes(data)
    click.echo(ngettext("Wrote %(num)s row to %(path)s.", "Wrote %(num)s rows to %(path)s.", len(rows), path=out))


@exports.command("iati")
@click.option("--as", "email", required=True, help="E-mail of the user whose view is exported.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def exports_iati(email: str, out: Path):
    """Write the IATI 2.03 activity XML."""
    document, count = iati.export_for(_user(email), current_app.config.get("IATI_ORGANISATION_REFS"))
    out.write_bytes(document)
    click.echo(ngettext("Wrote %(num)s activity to %(path)s.", "Wrote %(num)s activities to %(path)s.", count,
                        path=out))


@exports.command("progress")
@click.option("--as", "email", required=True, help="E-mail of the coordinator or admin whose view is reported.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day (YYYY-MM-DD).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--language", type=click.Choice(list(LANGUAGES)), default=None,
              help="Language of the report (default: the user's).")
def exports_progress(email: str, start, end, out: Path, language: str | None):
    """Write the progress report for a period as a PDF file, in the user's language or `--language`."""
    user = _user(email)
    if not is_office(user):
        raise click.BadParameter(_("the progress report is for the Task Force office"), param_hint="--as")
    if end < start:
        raise click.BadParameter(_("the end must not be before the start"), param_hint="--end")
    from exchange.reports.progress_pdf import progress_pdf
    report = progress.compute_progress(user, start.date(), end.date())
    with speaking(language or user.language):
        out.write_bytes(progress_pdf(report, date.today()))
        click.echo(_("Wrote the progress report for %(start)s to %(end)s to %(path)s.", start=f"{start:%Y-%m-%d}",
                     end=f"{end:%Y-%m-%d}", path=out))


@exports.command("import-offers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the importing provider or coordinator.")
@click.option("--organisation", default=None, help="Provider code for rows without one (coordinators).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing.")
def import_offers(path: Path, email: str, organisation: str | None, dry_run: bool):
    """Import offers from a CSV or XLSX file: all rows or none."""
    user = _user(email)
    try:
        rows = imports.read_upload(path.name, path.read_bytes())
    except ExchangeError as err:
        raise click.ClickException(err.message) from None
    with click.progressbar(length=len(rows), label=_("Checking %(num)s rows", num=len(rows)), file=sys.stderr) as bar:
        result = imports.import_offers(user, rows, default_organisation=organisation, commit=not dry_run,
                                       progress=bar.update)
    for problem in result.problems:
        click.echo(_("row %(row)s, %(column)s: %(problem)s", row=problem.row, column=problem.column,
                     problem=problem.message), err=True)
    if not result.ok:
        raise click.ClickException(_("Nothing saved: %(bad)s of %(rows)s rows have problems.", bad=result.rows_with_problems,
                                     rows=result.rows))
    if dry_run:
        click.echo(ngettext("Checked %(num)s offer.", "Checked %(num)s offers.", result.rows))
    else:
        click.echo(ngettext("Imported %(num)s offer.", "Imported %(num)s offers.", result.rows))
