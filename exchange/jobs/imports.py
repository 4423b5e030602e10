"""Large imports as jobs: offers and requests from a spreadsheet, activities from an IATI file. An upload of
more than IMPORT_JOB_ROWS rows (or activities) is kept in the jobs' file area (as the exports' files are) and
handled by two tracked jobs, with their progress on the import's page and in the CLI:

1. the check (`jobs.import_check`): the preview the pages have always shown, every row tried through its
   area's rules in a SAVEPOINT and undone (offers/imports.py, requests/imports.py, reports/iati_import.py);
   its report (every problem by row, or for IATI every activity as new, changed, unchanged or invalid) is kept
   on the upload. A refused file changes nothing;
2. once its owner confirms a clean check, the apply (`jobs.import_apply`): every row saved in one
   transaction, or none if something changed since the check (its refusal reported row by row).

Idempotent: the apply job's argument is the upload's `key`, and the job claims it (`applied_at`, by a
conditional UPDATE) in the very transaction that saves the rows: a job run again (a retry, a worker that died
after its commit, two workers at once) finds it claimed and saves nothing. Only the upload's owner (and
admins) see its page; the jobs carry the owner, so the progress JSON (`/jobs/<id>/status`) is theirs alone.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.core.imports import ImportResult
from exchange.core.models import utcnow
from exchange.core.statuses import Role
from exchange.jobs.models import ImportState, ImportUpload, Job
from exchange.jobs.queue import enqueue_tracked, files_folder, job
from exchange.people.models import User

KINDS = ("offers", "requests", "iati")


def job_rows() -> int:
    """Above this many rows (or activities) an import runs as jobs (config IMPORT_JOB_ROWS; 0: always)."""
    return int(current_app.config.get("IMPORT_JOB_ROWS", 50))


def runs_as_job(rows: int) -> bool:
    return rows > job_rows()


def iati_activity_count(data: bytes) -> int:
    """How many activities an IATI file holds, counted without parsing it (to choose the page or a job)."""
    return data.count(b"<iati-activity") - data.count(b"<iati-activities")


def _write(path: Path, data: bytes) -> None:
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def start_import(actor, kind: str, filename: str, count: int, *, rows: list[dict] | None = None,
                 data: bytes | None = None, options: dict | None = None) -> ImportUpload:
    """Keep an upload (a spreadsheet's parsed `rows`, or an IATI file's `data`) and queue its check after the
    current transaction commits; returns the upload (its page follows `upload.job_id`)."""
    if kind not in KINDS:
        raise ValueError(kind)
    key = secrets.token_urlsafe(24)
    path = files_folder() / (f"import-{key}.xml" if kind == "iati" else f"import-{key}.json")
    _write(path, data if kind == "iati" else json.dumps(rows or []).encode("utf-8"))
    upload = ImportUpload(key=key, kind=kind, owner_id=actor.id, filename=(filename or "")[:255],
                          options=options or {}, rows=count, data_path=str(path), state=ImportState.CHECKING)
    db.session.add(upload)
    db.session.flush()
    upload.check_job_id = enqueue_tracked("jobs.import_check", [upload.id], owner_id=actor.id,
                                          label=f"{kind}: {upload.filename}"[:200])
    db.session.get(Job, upload.check_job_id).total = count  # its page says "0 of N rows" while it waits
    return upload


def upload_of(actor, upload_id: int, kind: str) -> ImportUpload | None:
    """The actor's own upload of this kind (an admin: anyone's); None otherwise, as for one that does not exist."""
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.kind != kind:
        return None
    if upload.owner_id != actor.id and actor.role != Role.ADMIN:
        return None
    return upload


def confirm_import(actor, upload: ImportUpload, chosen: list[int] | None = None) -> bool:
    """Queue the apply of a clean check, once: False if the upload is not waiting for its confirmation (not
    checked, refused, or already confirmed — a second click, another tab)."""
    if upload.owner_id != actor.id:  # an admin sees an upload; only its owner imports it, as its owner
        return False
    claimed = db.session.execute(update(ImportUpload).where(ImportUpload.id == upload.id,
                                                            ImportUpload.state == ImportState.CHECKED)
                                 .values(state=ImportState.APPLYING)).rowcount
    if claimed != 1:
        return False
    db.session.refresh(upload)
    if chosen is not None:
        upload.options = {**(upload.options or {}), "chosen": sorted(set(chosen))}
    upload.apply_job_id = enqueue_tracked("jobs.import_apply", [upload.key], owner_id=actor.id,
                                          label=f"{upload.kind}: {upload.filename}"[:200])
    db.session.get(Job, upload.apply_job_id).total = upload.rows
    return True


# ------------------------------------------------------------------------------------------------
# The jobs.

def _owner(upload: ImportUpload) -> User:
    user = db.session.scalar(select(User).where(User.id == upload.owner_id, User.active.is_(True)))
    if user is None:
        raise ValueError(f"import {upload.id}: its owner is not active; nothing imported")
    return user


def _begin_writing(upload_id: int) -> None:
    """End what the job read so far and begin its transaction with a write: on SQLite the write lock is taken
    now, so that the rows' reads and writes that follow never meet "database is locked" half-way (a deferred
    transaction that read cannot take it once another writer has committed)."""
    db.session.rollback()
    db.session.execute(update(ImportUpload).where(ImportUpload.id == upload_id)
                       .values(state=ImportState.CHECKING))


def _refusal(err: ExchangeError) -> dict:
    """A file the check could not read (an IATI file that is not one): one problem, of the file."""
    messages = [m for values in (err.fields or {}).values() for m in values]
    return {"rows": 0, "problems": [[0, "—", " ".join([err.message, *messages]).strip()]], "saved_ids": []}


@job("jobs.import_check", tracked=True, live=True, retries=2, retry_delay=60)
def check_import(progress, upload_id: int) -> str:
    """The preview of a kept upload, every row tried and undone; its report kept on the upload."""
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.state != ImportState.CHECKING:
        return "checked already"  # run again after it finished: the report stands
    user = _owner(upload)
    kind, language = upload.kind, user.language
    _begin_writing(upload_id)
    with speaking(language):
        try:
            report, ok = CHECKS[kind](progress, upload, user)
        except ExchangeError as err:
            db.session.rollback()
            report, ok = _refusal(err), False
    db.session.rollback()  # whatever the rows did is undone (the import functions roll back already)
    db.session.execute(update(ImportUpload).where(ImportUpload.id == upload_id,
                                                  ImportUpload.state == ImportState.CHECKING)
                       .values(report=report, state=ImportState.CHECKED if ok else ImportState.REFUSED))
    db.session.commit()
    return "checked"


@job("jobs.import_apply", tracked=True, live=True, retries=2, retry_delay=60)
def apply_import(progress, key: str) -> str:
    """Save every row of a confirmed upload in one transaction, or none; at most once per upload (its key)."""
    upload = db.session.scalar(select(ImportUpload).where(ImportUpload.key == key))
    if upload is None or upload.applied_at is not None:
        return "applied already"
    user = _owner(upload)
    upload_id, kind, language = upload.id, upload.kind, user.language
    db.session.rollback()  # what was read ends here: the claim below begins the saving transaction
    # The claim: the first write of the transaction that saves the rows (on PostgreSQL a second worker waits
    # for this row's lock, then finds it claimed; on SQLite it waits for the write lock).
    claimed = db.session.execute(update(ImportUpload).where(ImportUpload.key == key,
                                                            ImportUpload.applied_at.is_(None),
                                                            ImportUpload.state == ImportState.APPLYING)
                                 .values(applied_at=utcnow(), state=ImportState.APPLIED)).rowcount
    if claimed != 1:
        db.session.rollback()
        return "applied already"

    def keep(result: dict) -> None:  # in the saving transaction, before its commit
        db.session.execute(update(ImportUpload).where(ImportUpload.id == upload_id).values(result=result))

    with speaking(language):
        try:
            result, saved = APPLIES[kind](progress, upload, user, keep)
        except ExchangeError as err:
            result, saved = _refusal(err), False
    if not saved:  # refused: the rows and the claim were rolled back; the refusal is told on the page
        db.session.rollback()
        db.session.execute(update(ImportUpload).where(ImportUpload.id == upload_id)
                           .values(result=result, state=ImportState.REFUSED))
        db.session.commit()
        return "refused"
    return "applied"


# ------------------------------------------------------------------------------------------------
# Each kind: its rows read back, checked, applied. The areas register theirs (offers/imports.py,
# requests/imports.py, reports/iati_import.py), which the worker loads (jobs/__init__.JOB_MODULES).

def _rows(upload: ImportUpload) -> list[dict]:
    return json.loads(Path(upload.data_path).read_text(encoding="utf-8"))


def _check_sheet(import_rows):
    def check(progress, upload, user):
        rows = _rows(upload)
        progress.start(len(rows))
        result = import_rows(user, rows, upload.options or {}, commit=False, progress=progress.advance)
        return result.as_dict(), result.ok
    return check


def _apply_sheet(import_rows):
    def apply(progress, upload, user, keep):
        rows = _rows(upload)
        progress.start(len(rows))
        result: ImportResult = import_rows(user, rows, upload.options or {}, commit=True, progress=progress.advance,
                                           before_commit=lambda r: keep(r.as_dict()))
        return result.as_dict(), result.ok
    return apply


def register_kind(kind: str, check: Callable, apply: Callable) -> None:
    """An area's import: `check(progress, upload, user)` → (report, ok) undoing every row;
    `apply(progress, upload, user, keep)` → (result, saved), calling `keep(result)` before its commit."""
    CHECKS[kind], APPLIES[kind] = check, apply


def register_sheet(kind: str, import_rows: Callable) -> None:
    """A spreadsheet import: `import_rows(user, rows, options, commit=, progress=, before_commit=)` → ImportResult
    (offers/imports.py, requests/imports.py)."""
    register_kind(kind, _check_sheet(import_rows), _apply_sheet(import_rows))


def write_file(path: Path, data: bytes) -> None:
    _write(path, data)


CHECKS: dict[str, Callable] = {}
APPLIES: dict[str, Callable] = {}
