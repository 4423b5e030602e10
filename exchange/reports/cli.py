"""`flask exports write|iati|progress|import-offers` and `flask iati import`: the same exports and imports as the pages, from
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


@click.group(cls=AppGroup)
def iati_commands():
    """IATI in: reconcile a provider's IATI 2.03 activity file with the Exchange, and save it."""


@iati_commands.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the importing provider or coordinator.")
@click.option("--organisation", default=None, help="Provider code (coordinators and admins).")
@click.option("--save", is_flag=True, help="Save the valid activities (without it: report only).")
@click.option("--skip", default="", help="Activity numbers to leave out, e.g. 4,9.")
@click.option("--valid-only", is_flag=True, help="Leave out the invalid activities (an unattended import).")
def iati_import_command(path: Path | None, email: str, organisation: str | None, save: bool, skip: str,
                        valid_only: bool):
    """Read an IATI activity file (PATH, or the configured IATI_IMPORT_PATH), print the reconciliation
    report and, with --save, save every chosen activity or none."""
    from exchange.reports import iati_import
    path = path or (Path(current_app.config["IATI_IMPORT_PATH"]) if current_app.config.get("IATI_IMPORT_PATH")
                    else None)
    if path is None or not path.is_file():
        raise click.BadParameter(_("give the file, or set IATI_IMPORT_PATH"), param_hint="PATH")
    try:
        left_out = {int(n) for n in skip.replace(" ", "").split(",") if n}
    except ValueError:
        raise click.BadParameter(_("activity numbers separated by commas"), param_hint="--skip") from None
    user = _user(email)
    with click.progressbar(length=0, label=_("Reading activities"), file=sys.stderr) as bar:
        def tick(count: int) -> None:
            if count % 100 == 0:
                bar.label = _("Read %(num)s activities", num=count)
                bar.render_progress()
        try:
            result = iati_import.import_file(str(path), user, organisation, commit=save, skip=left_out,
                                             valid_only=valid_only, refs=current_app.config.get("IATI_ORGANISATION_REFS"), progress=tick)
        except ExchangeError as err:
            raise click.ClickException(err.message) from None
    for row in result.rows:
        kind = str(iati_import.KIND_LABELS.get(row.kind, _("Not chosen")))
        click.echo(f"{row.number}\t{kind}\t{row.activity.identifier}\t{row.record_reference or '—'}")
        for change in row.changes:
            click.echo(f"\t{change.label}: {change.before} → {change.after}")
        for problem in row.problems:
            click.echo(f"\t{problem}", err=True)
    for record in result.unmatched:
        click.echo(_("Not in the file: %(ref)s", ref=record.reference))
    counts = result.counts
    click.echo(_("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(invalid)s invalid, %(unmatched)s "
                 "in the Exchange but not in the file.", **counts))
    if save and not result.saved:
        raise click.ClickException(_("Nothing saved: %(num)s chosen activities are invalid (leave them out with "
                                     "--skip).", num=len(result.chosen_invalid)))
    if save:
        click.echo(_("Saved."))


@click.group(cls=AppGroup)
def report_commands():
    """The reports' own upkeep."""


@report_commands.command("rebuild-summaries")
def rebuild_summaries_command():
    """Recompute the report summary (the counts behind the needs matrix and the dashboard) from the records:
    after a bulk load that went past the application (a seed, a restore), or to check it."""
    from exchange.reports import summary
    rows = summary.rebuild_all()
    db.session.commit()
    click.echo(ngettext("Report summary rebuilt: %(num)s row.", "Report summary rebuilt: %(num)s rows.", rows))
