"""Consistent backups and restores of the database, checked after each (`flask backup` / `flask restore`).

SQLite: the copy is made with SQLite's online backup API (`sqlite3.Connection.backup`) from the live file
inside one read transaction, so it is the database as of one moment even while others write (WAL mode: the
writers are never blocked); the row counts of every table are read in that same transaction, then the copy
is checked (`PRAGMA integrity_check` = ok, the same counts). The copy is a single file (journal mode
DELETE), written beside its destination and renamed into place. A restore checks the backup first, refuses
while another process has the database open (it cannot leave WAL mode then: every Exchange connection
runs in WAL mode, and so does the restored file), replaces the file atomically, and checks the result the
same way.

PostgreSQL: `pg_dump --format=custom` (at least the server's major version) from a snapshot exported by a
repeatable-read transaction, in which the row counts are read; the dump is then read back whole
(`pg_restore --file=-`) and its rows counted. A restore is `pg_restore --clean --if-exists
--single-transaction`, then the database's counts are compared with the dump's.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import create_engine, make_url
from sqlalchemy import text as sql  # not `text`: the catalogues extract text("…") as words to translate


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


@dataclass
class Report:
    """What a backup or restore found: rows per table on both sides, and the integrity check."""
    engine: str
    path: Path
    expected: dict[str, int]             # rows per table in the source (live database, or the backup)
    found: dict[str, int]                # rows per table in the result (the copy, or the restored database)
    integrity: str = "ok"                # "ok", or what the check reported
    notes: list[str] = field(default_factory=list)

    @property
    def mismatched(self) -> list[str]:
        tables = sorted(set(self.expected) | set(self.found))
        return [t for t in tables if self.expected.get(t) != self.found.get(t)]

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.mismatched

    def lines(self, expected_label: str, found_label: str) -> list[str]:
        width = max([len(t) for t in self.expected] + [len(t) for t in self.found] + [5])
        out = [f"{'table':<{width}}  {expected_label:>10}  {found_label:>10}"]
        for table in sorted(set(self.expected) | set(self.found)):
            mark = "" if self.expected.get(table) == self.found.get(table) else "  MISMATCH"
            out.append(f"{table:<{width}}  {self.expected.get(table, '-'):>10}  {self.found.get(table, '-'):>10}{mark}")
        out.append(f"{'total':<{width}}  {sum(self.expected.values()):>10}  {sum(self.found.values()):>10}")
        if self.engine == "sqlite":
            out.append(f"integrity check: {self.integrity}")
        else:  # PostgreSQL has no integrity_check: what was checked instead
            out.append(f"integrity check: {self.integrity} (PostgreSQL: pg_restore read every table's data; "
                       "the counts above are compared)")
        return out


def engine_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(backend)s.", backend=backend))
    return backend


# --- SQLite ---------------------------------------------------------------------------------------------

def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(_("The database is in memory: there is no file to back up or restore."))
    return Path(database)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (every table, FTS shadow tables included; not the virtual tables themselves)."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    return {name: conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in names}


def sqlite_integrity(conn: sqlite3.Connection) -> str:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows[:10])


def check_sqlite_file(path: Path) -> tuple[str, dict[str, int]]:
    """Integrity check and row counts of a SQLite file, opened read-only."""
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist.", path=path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return sqlite_integrity(conn), sqlite_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(_("%(path)s is not a readable SQLite database (%(error)s).", path=path,
                            error=err)) from None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_sqlite(url: str, dest: Path) -> Report:
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(_("The database %(path)s does not exist.", path=source))
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None, timeout=15)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            src.execute("BEGIN")  # one snapshot for the counts and the copy
            expected = sqlite_counts(src)
            src.backup(copy)
            src.execute("COMMIT")
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    except sqlite3.Error as err:
        partial.unlink(missing_ok=True)
        raise BackupError(_("The copy of %(path)s failed: %(error)s.", path=source, error=err)) from None
    finally:
        src.close()
    partial.chmod(0o600)  # it holds password hashes and personal data
    integrity, found = check_sqlite_file(partial)
    return _keep_if_checked(partial, Report("sqlite", dest, expected, found, integrity))


def _keep_if_checked(partial: Path, report: Report) -> Report:
    """Rename the checked copy into place (after it reached the disk), or delete it if its check failed."""
    if not report.ok:
        partial.unlink(missing_ok=True)
        return report
    _fsync(partial)
    os.replace(partial, report.path)
    return report


def restore_sqlite(url: str, backup: Path, head: str | None = None) -> Report:
    target = sqlite_path(url)
    integrity, expected = check_sqlite_file(backup)
    if integrity != "ok":
        raise BackupError(_("The backup %(path)s fails its integrity check (%(problem)s): nothing was "
                            "restored.", path=backup, problem=integrity))
    if "alembic_version" not in expected:
        raise BackupError(_("%(path)s is not a database of the Exchange (no alembic_version table): nothing was "
                            "restored.", path=backup))
    notes = []
    revision = _sqlite_revision(backup)
    if head and revision != head:
        notes.append(_("The backup is at migration %(revision)s, the code at %(head)s: run `flask db upgrade`.",
                       revision=revision, head=head))
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    copy = sqlite3.connect(staged, isolation_level=None)
    try:
        src.backup(copy)
        # WAL from the start, as every Exchange connection sets it: while a process has a WAL database open
        # it holds a lock that makes leaving WAL fail, which is how a later restore sees that it is in use.
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
        src.close()
    staged.chmod(0o600)
    _fsync(staged)
    live = None
    try:
        if target.exists():
            # Leaving WAL mode needs the only connection to the file: any other (a server, a command) makes it fail.
            live = sqlite3.connect(target, isolation_level=None, timeout=2)
            try:
                mode = live.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
                live.execute("BEGIN EXCLUSIVE")  # held while the file is swapped
            except sqlite3.OperationalError:
                mode = "busy"
            if mode != "delete":
                raise BackupError(_("The database %(path)s is in use by another process (a server or a command): stop "
                                    "it, then restore again. Nothing was changed.", path=target))
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)  # none after leaving WAL; an old WAL must never meet the new file
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
        if live is not None:
            live.close()
    integrity, found = check_sqlite_file(target)
    return Report("sqlite", target, expected, found, integrity, notes)


def _sqlite_revision(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


# --- PostgreSQL ------------------------------------------------------------------------------------------

def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore, and the environment carrying the password (never
    on the command line, where `ps` shows it)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(_("%(tool)s is not on PATH: install the PostgreSQL client of the server's major version "
                            "(Debian: apt-get install postgresql-client-15), or back up with `pg_dump -Fc` yourself.",
                            tool=name))
    return path


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupError(_("Cannot read the version of %(path)s: %(output)s", path=path, output=output.strip()))
    return int(match.group(1))


def _check_versions(tool: str, server_major: int) -> None:
    major = _tool_major(tool)
    if major < server_major:
        raise BackupError(_("%(tool)s is version %(major)s, older than the server (%(server)s): it cannot read this "
                            "server's catalogue; install postgresql-client-%(server)s.", tool=tool, major=major,
                            server=server_major))


def _pg_table_counts(conn) -> dict[str, int]:
    names = list(conn.scalars(sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")))
    return {name: conn.scalar(sql(f"SELECT count(*) FROM {_quote(name)}")) for name in names}


COPY_LINE = re.compile(r'^COPY (?:(?:"[^"]+"|[^ .]+)\.)?("(?:[^"]|"")+"|[^ (]+) .*FROM stdin;$')


def dump_counts(pg_restore: str, dump: Path) -> dict[str, int]:
    """Rows per table in a custom-format dump, by reading its data back whole (this also proves every
    block decompresses). COPY's text format writes one row a line (newlines inside values are escaped)."""
    counts: dict[str, int] = {}
    process = subprocess.Popen([pg_restore, "--data-only", "--file=-", str(dump)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, errors="replace")
    current = None
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip("\n")
        if current is None:
            match = COPY_LINE.match(line)
            if match:
                current = match.group(1).strip('"').replace('""', '"')
                counts[current] = 0
        elif line == "\\.":
            current = None
        else:
            counts[current] += 1
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        raise BackupError(_("%(path)s cannot be read back by pg_restore: %(output)s", path=dump,
                            output=stderr.strip()))
    return counts


def backup_postgresql(url: str, dest: Path) -> Report:
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    conninfo, env = _libpq(url)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            _check_versions(pg_dump, int(conn.scalar(sql("SHOW server_version_num"))) // 10000)
            # One snapshot: the counts read here and pg_dump (which joins it) see the same rows.
            snapshot = conn.scalar(sql("SELECT pg_export_snapshot()"))
            expected = _pg_table_counts(conn)
            result = subprocess.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}",
                                     f"--dbname={conninfo}"], check=False, env=env, capture_output=True, text=True)
            conn.rollback()
    finally:
        engine.dispose()
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(_("pg_dump failed: %(output)s", output=result.stderr.strip()))
    partial.chmod(0o600)
    in_dump = dump_counts(pg_restore, partial)
    found = {table: in_dump.get(table, 0) for table in expected}  # a table without rows has no COPY block
    return _keep_if_checked(partial, Report("postgresql", dest, expected, found, "ok"))


def restore_postgresql(url: str, backup: Path, head: str | None = None) -> Report:
    pg_restore = _tool("pg_restore")
    if not backup.is_file():
        raise BackupError(_("%(path)s does not exist.", path=backup))
    expected = dump_counts(pg_restore, backup)  # tables without rows have no COPY block: not compared
    conninfo, env = _libpq(url)
    engine = create_engine(url)
    notes = []
    try:
        with engine.connect() as conn:
            _check_versions(pg_restore, int(conn.scalar(sql("SHOW server_version_num"))) // 10000)
            others = conn.scalar(sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))
        if others:
            notes.append(_("%(count)s other connections to the database were open during the restore: restart the "
                           "servers so that nothing written meanwhile is kept by mistake.", count=others))
        result = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(backup)],
                                check=False, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(_("pg_restore failed and changed nothing (one transaction): %(output)s",
                                 output=result.stderr.strip()))
        with engine.connect() as conn:
            found = {t: n for t, n in _pg_table_counts(conn).items() if t in expected}
            revision = conn.scalar(sql("SELECT version_num FROM alembic_version")) if "alembic_version" in found \
                else None
    finally:
        engine.dispose()
    if head and revision != head:
        notes.append(_("The backup is at migration %(revision)s, the code at %(head)s: run `flask db upgrade`.",
                       revision=revision, head=head))
    return Report("postgresql", backup, expected, found, "ok", notes)


# --- Either engine ---------------------------------------------------------------------------------------

def backup(url: str, dest: Path) -> Report:
    if dest.exists():
        raise BackupError(_("%(path)s exists already: choose a new name (a backup never overwrites one).",
                            path=dest))
    if not dest.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.", path=dest.parent))
    if engine_of(url) == "sqlite":
        return backup_sqlite(url, dest)
    return backup_postgresql(url, dest)


def restore(url: str, source: Path, head: str | None = None) -> Report:
    if not source.is_file():
        raise BackupError(_("%(path)s does not exist.", path=source))
    if engine_of(url) == "sqlite":
        return restore_sqlite(url, source, head)
    return restore_postgresql(url, source, head)
