"""Long exports as jobs: the list a person sees (reports/exports.py: the same columns, filters and access
policy as the page's export links), written in a worker to a file of the job's, with its progress, then
offered for download on the job's page (only to whoever started it)."""
from __future__ import annotations

import os

from flask_babel import gettext as _
from sqlalchemy import select

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.jobs.queue import enqueue_tracked, files_folder, job
from exchange.people.models import User

BACKGROUND_KINDS = ("requests", "offers", "matches")
FORMATS = ("csv", "xlsx")


def start_export(actor, kind: str, fmt: str, params: dict) -> int:
    """Queue an export of the list `kind` as `actor` sees it, narrowed by the list's `params`; returns the
    job's id. The filters are checked now (ValidationFailed), not in the worker."""
    from exchange.reports.exports import table_for
    problems = {}
    if kind not in BACKGROUND_KINDS:
        problems["kind"] = [_("Choose requests, offers or matches.")]
    if fmt not in FORMATS:
        problems["format"] = [_("Choose CSV or XLSX.")]
    if problems:
        raise ValidationFailed(_("Nothing was started: check the fields marked."), problems)
    params = {k: v for k, v in params.items() if k not in ("page", "lang")}
    table_for(kind, actor, params)  # refuses filters it does not understand
    return enqueue_tracked("jobs.export", [kind, actor.id, params, fmt], owner_id=actor.id,
                           label=f"{kind}.{fmt}")


@job("jobs.export", tracked=True, retries=2, retry_delay=60)
def export_list(progress, kind: str, user_id: int, params: dict, fmt: str) -> str:
    from exchange.reports import exports
    user = db.session.scalar(select(User).where(User.id == user_id, User.active.is_(True)))
    if user is None:
        raise ValueError(f"user {user_id} is not active: nothing exported")
    with speaking(user.language):
        table = exports.table_for(kind, user, params)
        rows = list(table.rows)
        progress.start(len(rows))

        def counted():
            for row in rows:
                yield row
                progress.advance()

        table.rows = counted()
        data = exports.xlsx_bytes(table) if fmt == "xlsx" else exports.csv_text(table).encode("utf-8")
    folder = files_folder()
    path = folder / f"job-{progress.job_id or 'x'}-{kind}.{fmt}"
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
    progress.result(path, f"{table.name}.{fmt}")
    return str(path)
