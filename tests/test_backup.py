"""`flask backup` and `flask restore` while people write: three threads insert rows (each its own committed
transaction) during the backup; the copy holds every row committed before the backup began and no more than
were committed when it ended, passes its integrity check, and restores to a database with the same counts.
A SQLite restore is refused while another connection has the database open, and without --yes."""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from exchange.app import create_app
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from tests.helpers import DATABASE_URL, test_config

ACTION = "backup.concurrent"
IS_SQLITE = DATABASE_URL.startswith("sqlite")
WRITERS = 3


class Writers:
    """Threads inserting audit events until stopped, through an engine of their own (as another process
    would: the commands' engine is not theirs); `committed` lists the ids whose commit returned."""

    def __init__(self, app):
        self.committed, self.errors = [], []
        self.engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                    **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(i,), daemon=True) for i in range(WRITERS)]

    def _write(self, number: int) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                try:
                    with conn.begin():
                        row = conn.execute(insert(AuditEvent).values(
                            action=ACTION, record_type="user", summary=f"writer {number}", changes={}))
                        new_id = row.inserted_primary_key[0]
                    self.committed.append(new_id)
                except Exception as err:  # noqa: BLE001 - counted, and the test asserts there are none
                    self.errors.append(repr(err))
                time.sleep(0.002)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(self.committed) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        self.engine.dispose()

    def __exit__(self, *exc):
        self.stop()


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def audit_line(output: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[:1] == ["audit_events"])


def written_ids(app) -> set[int]:
    with app.app_context():
        ids = set(db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == ACTION)))
        db.session.remove()
        return ids


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup_during_writes(app, path: Path) -> tuple[list[int], int, object]:
    with Writers(app) as writers:
        before = list(writers.committed)
        result = run(app, "backup", str(path))
        after = len(writers.committed)
        writers.stop()
    assert not writers.errors, writers.errors[:3]
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output and "MISMATCH" not in result.output
    _, in_database, in_backup = audit_line(result.output)
    assert in_database == in_backup
    print(f"\n{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {len(before)} rows committed before the "
          f"backup began, {after} when it ended, {len(writers.committed)} in all; the backup holds "
          f"{in_backup} audit events")
    return before, after, result


@pytest.mark.skipif(not IS_SQLITE, reason="the SQLite backup API and file replacement")
def test_sqlite_backup_during_writes_restores_what_was_committed(app, tmp_path):
    path = tmp_path / "exchange-backup.sqlite3"
    before, after, _ = backup_during_writes(app, path)
    copy = sqlite3.connect(path)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    ids = {r[0] for r in copy.execute("SELECT id FROM audit_events WHERE action = ?", (ACTION,))}
    copy.close()
    assert set(before) <= ids and len(before) <= len(ids) <= after
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only

    scratch = create_app(test_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'restored.sqlite3'}"))
    result = run(scratch, "restore", str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output and "MISMATCH" not in result.output
    assert written_ids(scratch) == ids
    with scratch.app_context():  # the restored file is a working database of the app
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= len(ids)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(not IS_SQLITE, reason="SQLite's file replacement")
def test_sqlite_restore_is_refused_while_in_use_and_without_yes(app, tmp_path):
    live_path, backup_path = tmp_path / "live.sqlite3", tmp_path / "backup.sqlite3"
    live = create_app(test_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{live_path}"))
    assert run(live, "backup", str(backup_path)).exit_code != 0  # no database file yet: refused, nothing written
    assert not backup_path.exists()
    assert run(app, "backup", str(backup_path)).exit_code == 0
    assert run(live, "restore", str(backup_path), "--yes").exit_code == 0
    with Writers(live) as writers:  # a server writing: the file may not be swapped under it
        refused = run(live, "restore", str(backup_path), "--yes")
        writers.stop()
    assert refused.exit_code == 1 and "in use by another process" in refused.output
    assert len(written_ids(live)) == len(writers.committed) > 0  # nothing of theirs was lost
    with live.app_context():
        db.engine.dispose()
    digest = file_digest(live_path)

    declined = run(live, "restore", str(backup_path), input="n\n")
    assert declined.exit_code == 1 and "Replace the database" in declined.output
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database" * 100)
    assert run(live, "restore", str(garbage), "--yes").exit_code == 1
    assert run(live, "restore", str(tmp_path / "missing.sqlite3"), "--yes").exit_code == 1
    assert file_digest(live_path) == digest

    accepted = run(live, "restore", str(backup_path), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert written_ids(live) == set()  # back to the backup, which has none of the writers' rows
    with live.app_context():
        db.engine.dispose()


def test_backup_never_overwrites(app, tmp_path):
    path = tmp_path / "taken.bak"
    path.write_text("an older backup")
    result = run(app, "backup", str(path))
    assert result.exit_code == 1 and "exists already" in result.output
    assert path.read_text() == "an older backup"


@pytest.mark.skipif(IS_SQLITE, reason="pg_dump and pg_restore")
def test_postgresql_backup_during_writes_restores_what_was_committed(app, tmp_path):
    path = tmp_path / "exchange.dump"
    before, after, _ = backup_during_writes(app, path)
    assert path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP and then nothing useful")
    ids_now = written_ids(app)
    assert run(app, "restore", str(garbage), "--yes").exit_code == 1
    assert written_ids(app) == ids_now  # nothing changed

    result = run(app, "restore", str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output
    with app.app_context():
        db.engine.dispose()  # the tables were dropped and made again
    ids = written_ids(app)
    assert set(before) <= ids and len(before) <= len(ids) <= after
    _, in_backup, restored = audit_line(result.output)
    assert int(in_backup) == int(restored) >= len(ids)
