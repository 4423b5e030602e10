"""The matching index stored once and shared: a snapshot file the job worker writes and every web process
maps into memory instead of building its own index.

``warm()`` (the job ``matching.warm``: every five minutes, queued too by a web process that found no
snapshot, and ``flask matching warm``) brings the stored index up to date (or builds it when there is none)
and writes it to ``instance/matching/index-<key>.snap`` with the data version it reflects
(``service.DataVersion``: the ``matching_changes`` rows it has read). ``load()`` (``service.current_index``,
on a process's first suggestion read) maps the file and the process then catches up from that version,
reading only the records changed since; without a usable snapshot the process builds its index as before.

The file: a header (JSON: format, the index's key (database and vector model), the engine's code hash, the
data version and day, when it was written, the pickle's length, the buffers' offsets and lengths, an
HMAC-SHA256 of all that and the pickle under the app's SECRET_KEY), the pickled index (protocol 5), then
the index's large numpy arrays, each at a 64-byte boundary, kept out of the pickle. ``load`` maps the file
read-only and hands those buffers to the unpickler, so the arrays are views of the mapping: every process
reading the same file shares their pages (the operating system's page cache), and only the Python objects
(records, texts) are each process's own. A snapshot is ignored (logged, and the process builds its own
index) when it is missing, truncated or altered (the HMAC, the lengths), of another format, engine code,
database or model, ahead of the database's data version (another or a restored database), or older than
the data version rows kept (``service.PRUNE_AFTER_SECONDS``). The buffers are checked by their lengths, not
hashed (hashing hundreds of megabytes would cost each process most of what the snapshot saves): the HMAC
covers the pickle, the only part that could run code.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mmap
import os
import pickle
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.jobs.queue import job
from exchange.matching import engine
from exchange.matching.models import MatchingChange

log = logging.getLogger(__name__)

MAGIC = b"EXCHANGE-MATCHING-INDEX\n"
FORMAT = 1
ALIGN = 64
MIN_OUT_OF_BAND = 16 * 1024  # arrays at least this large stay out of the pickle (mapped, shared)
STATS = {"written": 0, "refused": 0}


def enabled(app: Flask) -> bool:
    """``MATCHING_SNAPSHOT`` (default: on, off under TESTING so that ordinary tests build their own)."""
    value = app.config.get("MATCHING_SNAPSHOT", os.environ.get("EXCHANGE_MATCHING_SNAPSHOT"))
    if value is None:
        return not app.testing
    return str(value).lower() not in ("0", "off", "false", "no", "")


def folder(app: Flask) -> Path:
    return Path(app.config.get("MATCHING_SNAPSHOT_DIR") or Path(app.instance_path) / "matching")


def path_for(app: Flask, key: str) -> Path:
    return folder(app) / f"index-{hashlib.sha256(key.encode()).hexdigest()[:16]}.snap"


_code_hash: str | None = None


def code_hash() -> str:
    """A hash of the engine's and the text analysis' source: a snapshot written by other code is not read."""
    global _code_hash
    if _code_hash is None:
        from exchange.matching import embeddings, lexicon, text
        h = hashlib.sha256()
        for module in (engine, text, lexicon, embeddings):
            h.update(Path(module.__file__).read_bytes())
        _code_hash = h.hexdigest()
    return _code_hash


def _secret(app: Flask) -> bytes:
    return hashlib.sha256(b"matching-snapshot|" + str(app.config.get("SECRET_KEY") or "").encode()).digest()


def _pad(n: int) -> int:
    return (-n) % ALIGN


def write_file(target: Path, secret: bytes, header: dict, index: engine.MatchingIndex) -> Path:
    """Write ``index`` with ``header`` (JSON values) to ``target`` atomically (a temporary file renamed)."""
    buffers: list[pickle.PickleBuffer] = []

    def out_of_band(buf: pickle.PickleBuffer):
        if buf.raw().nbytes >= MIN_OUT_OF_BAND:
            buffers.append(buf)
            return False
        return True

    payload = pickle.dumps(index, protocol=5, buffer_callback=out_of_band)
    raws = [b.raw() for b in buffers]
    header = {**header, "format": FORMAT, "code": code_hash(), "written": time.time(), "pickle": len(payload),
              "buffers": [r.nbytes for r in raws]}
    signed = json.dumps(header, sort_keys=True).encode()
    mac = hmac.new(secret, signed + payload, hashlib.sha256).hexdigest()
    head = json.dumps({"header": header, "hmac": mac}, sort_keys=True).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC)
            f.write(len(head).to_bytes(8, "little"))
            f.write(head)
            f.write(b"\0" * _pad(f.tell()))
            f.write(payload)
            for raw in raws:
                f.write(b"\0" * _pad(f.tell()))
                f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def save(app: Flask, key: str, index: engine.MatchingIndex, version, day: date) -> Path:
    """Write the snapshot of ``index`` (its tables compiled first) atomically: readers keep the file they
    mapped; the next ones map the new one."""
    index.build()
    path = write_file(path_for(app, key), _secret(app),
                      {"key": key, "version": version.as_dict(), "day": day.isoformat()}, index)
    STATS["written"] += 1
    return path


def _refuse(path: Path, why: str) -> None:
    STATS["refused"] += 1
    log.warning("Matching snapshot %s not used: %s", path, why)


def read_file(path: Path, secret: bytes, check=None) -> tuple[dict, engine.MatchingIndex]:
    """(header, index) of a snapshot file, its arrays views of the read-only mapping; ``check(header)`` may
    refuse it (raise) before the pickle is read. Raises ValueError (or OSError) when it cannot be used."""
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mm)
    if bytes(view[:len(MAGIC)]) != MAGIC:
        raise ValueError("not a snapshot")
    at = len(MAGIC)
    n = int.from_bytes(view[at:at + 8], "little")
    at += 8
    if n <= 0 or at + n > len(view):
        raise ValueError("truncated header")
    outer = json.loads(bytes(view[at:at + n]))
    header, mac = outer["header"], outer["hmac"]
    at += n
    at += _pad(at)
    payload = view[at:at + int(header["pickle"])]
    if len(payload) != int(header["pickle"]):
        raise ValueError("truncated")
    signed = json.dumps(header, sort_keys=True).encode()
    if not hmac.compare_digest(mac, hmac.new(secret, signed + payload, hashlib.sha256).hexdigest()):
        raise ValueError("its signature does not match (altered, or written under another SECRET_KEY)")
    if header["format"] != FORMAT or header["code"] != code_hash():
        raise ValueError("written by another version of the engine")
    if check is not None:
        check(header)
    at += len(payload)
    buffers = []
    for size in header["buffers"]:
        at += _pad(at)
        if at + size > len(view):
            raise ValueError("truncated")
        buffers.append(view[at:at + size])
        at += size
    if at != len(view):
        raise ValueError("of an unexpected length")
    index = pickle.loads(payload, buffers=buffers)
    if not isinstance(index, engine.MatchingIndex):
        raise TypeError("not an index")
    return header, index


def load(app: Flask, key: str):
    """(index, data version, day) from the stored snapshot of this index, or None (no usable one; logged)."""
    from exchange.matching.service import PRUNE_AFTER_SECONDS, DataVersion
    if not enabled(app):
        return None
    path = path_for(app, key)
    if not path.exists():
        return None

    def check(header: dict) -> None:
        if header["key"] != key:
            raise ValueError("of another database or vector model")
        version = DataVersion.from_dict(header["version"])
        present = db.session.scalar(select(func.max(MatchingChange.id))) or 0
        if version.last > present:
            raise ValueError(f"ahead of the database (data version {version.last}, the database's {present})")
        if time.time() - float(header["written"]) > PRUNE_AFTER_SECONDS / 2:
            raise ValueError("older than the data version kept")

    try:
        header, index = read_file(path, _secret(app), check)
    except Exception as exc:  # noqa: BLE001 - any fault: build instead
        _refuse(path, str(exc) or type(exc).__name__)
        return None
    return index, DataVersion.from_dict(header["version"]), date.fromisoformat(header["day"])


def warm(app: Flask) -> dict:
    """Bring the stored snapshot up to date (build it when there is none or it cannot be used) and delete the
    data version rows no snapshot or process needs any more. Returns what it did."""
    from exchange.matching import service
    started = time.perf_counter()
    key = service.index_key()
    loaded = load(app, key) if path_for(app, key).exists() else None
    if loaded is not None:
        index, version, day = loaded
        last = version.last
        version, day, changed = service.catch_up(index, version, day)
        fresh = False
        if not changed and version.last == last:  # (gaps that expired change nothing in the index)
            _prune()
            return {"written": False, "version": version.last, "seconds": time.perf_counter() - started}
    else:
        index, version = service.fresh_index()
        day, fresh = date.today(), True
    path = save(app, key, index, version, day)
    db.session.rollback()
    pruned = _prune()
    seconds = time.perf_counter() - started
    log.info("Matching snapshot %s written (%s, data version %s) in %.1f s", path.name,
             "built" if fresh else "caught up", version.last, seconds)
    return {"written": True, "built": fresh, "version": version.last, "pruned": pruned, "seconds": seconds,
            "path": str(path), "bytes": path.stat().st_size}


def _prune() -> int:
    from exchange.matching.service import PRUNE_AFTER_SECONDS
    result = db.session.execute(delete(MatchingChange).where(
        MatchingChange.at < utcnow() - timedelta(seconds=PRUNE_AFTER_SECONDS)))
    db.session.commit()
    return result.rowcount or 0


def every_five_minutes(moment) -> bool:
    return moment.minute % 5 == 0


@job("matching.warm", periodic=every_five_minutes, retries=2, retry_delay=60)
def warm_job() -> dict:
    """The shared matching index snapshot brought up to date by the worker (idempotent)."""
    app = current_app._get_current_object()
    if not enabled(app):
        return {"written": False, "disabled": True}
    return warm(app)


_requested: set[str] = set()


def request_warm(app: Flask) -> None:
    """A web process found no usable snapshot (and built its own index): ask the worker for one, once."""
    if not enabled(app):
        return
    key = str(path_for(app, app.config.get("SQLALCHEMY_DATABASE_URI", "")))
    if key in _requested:
        return
    _requested.add(key)
    try:
        warm_job()
    except Exception:  # the queue out of reach: the periodic run writes it
        log.exception("Could not queue matching.warm")
