"""Text vectors kept with the records: computing, storing, finding stale ones, loading them.

* ``text_hash(parts)``: what a stored vector was computed from (the text and the passage rules);
* ``refresh_vectors(kind, ids, embedder)``: (re)compute the vectors of these records whose stored
  ones are missing or stale (another text, another model), embedding *outside* any transaction
  and writing each batch in a short transaction of its own that first takes the write lock and
  then re-reads the texts, so a vector is stored only for the text it was computed from;
* ``backfill(embedder, progress)``: every request and offer, idempotent (what is current is
  skipped), and rows of records that no longer exist are deleted;
* ``load_vectors(executor, kind, ids, model)``: ``{record_id: (text_hash, TextVectors)}`` of one
  model, one query, for the service to pass to the engine.

Reads go through whatever ``.execute`` it is given (the session, or a connection); writes open
their own connection from ``db.engine``. No Flask request context is needed.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import delete, func, insert, select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.matching.embeddings import (
    MAX_WORDS,
    Embedder,
    TextVectors,
    many_text_vectors,
    passages_of,
)
from exchange.matching.models import MatchingChange, TextVector
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest

log = logging.getLogger(__name__)

# Part of every text hash: change it when the passage rules change, and every vector is recomputed.
PASSAGE_RULES = f"passages-v1-{MAX_WORDS}"
ROLE = {"request": "query", "offer": "passage"}
BATCH_RECORDS = 64  # records embedded, then written, per transaction


def _table(kind: str):
    return AssistanceRequest if kind == "request" else Offer


# The fields whose text is embedded (and compared for overlaps), in this order.
TEXT_FIELDS = {"request": ("title", "description", "beneficiary"), "offer": ("title", "description")}


def text_columns(kind: str):
    """The columns of those fields, for queries that read the text without loading records."""
    model = _table(kind)
    return tuple(getattr(model, name) for name in TEXT_FIELDS[kind])


def parts_of(record) -> tuple[str, ...]:
    """The text parts of a request (title, description, beneficiary) or an offer (title, description)."""
    kind = "request" if isinstance(record, AssistanceRequest) else "offer"
    return tuple(getattr(record, name) or "" for name in TEXT_FIELDS[kind])


def text_hash(parts: Sequence[str | None]) -> str:
    h = hashlib.sha256(PASSAGE_RULES.encode())
    for p in parts:
        h.update(b"\x1f")
        h.update((p or "").encode("utf-8"))
    return h.hexdigest()


def encode(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def decode(blobs: Sequence[bytes], dimension: int) -> np.ndarray:
    """Rows of float32 (read-only, no copy beyond the join)."""
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dimension).astype(np.float32, copy=False)


def _texts(executor, kind: str, ids: Iterable[int] | None) -> dict[int, tuple[str, ...]]:
    model = _table(kind)
    stmt = select(model.id, *text_columns(kind))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return {}
        stmt = stmt.where(model.id.in_(ids))
    return {row[0]: tuple(v or "" for v in row[1:]) for row in executor.execute(stmt)}


def _stored(executor, kind: str, ids: Iterable[int] | None) -> dict[int, tuple[str, str, int]]:
    """record_id -> (text_hash, model, number of rows) as stored."""
    stmt = (select(TextVector.record_id, func.min(TextVector.text_hash), func.min(TextVector.model),
                   func.count(), func.max(TextVector.text_hash), func.max(TextVector.model))
            .where(TextVector.record_type == kind).group_by(TextVector.record_id))
    if ids is not None:
        ids = list(ids)
        if not ids:
            return {}
        stmt = stmt.where(TextVector.record_id.in_(ids))
    out = {}
    for rid, h, m, n, h2, m2 in executor.execute(stmt):
        out[rid] = (h, m, n) if (h, m) == (h2, m2) else ("", "", n)  # rows of two texts: stale
    return out


def stale_ids(executor, kind: str, model: str, ids: Iterable[int] | None = None) -> list[int]:
    """Records of ``kind`` whose stored vectors are missing, of another model or of another text."""
    texts = _texts(executor, kind, ids)
    stored = _stored(executor, kind, texts.keys())
    out = []
    for rid, parts in sorted(texts.items()):
        have = stored.get(rid)
        if have is None or have[1] != model or have[0] != text_hash(parts) or have[2] != len(passages_of(parts)):
            out.append(rid)
    return out


def note_changes(connection, changes) -> None:
    """Write the matching index's data version (``models.MatchingChange``) for these (kind, id) records in
    ``connection``'s transaction: the index re-reads them on its next look."""
    if changes:
        now = utcnow()
        connection.execute(insert(MatchingChange.__table__), [
            {"record_type": kind, "record_id": record_id, "at": now} for kind, record_id in sorted(changes)])


def _write(kind: str, computed: dict[int, tuple[str, TextVectors]]) -> int:
    """Store vectors for the records whose text still has the hash they were computed from."""
    if not computed:
        return 0
    ids = sorted(computed)
    now = utcnow()
    with db.engine.begin() as conn:
        # The write comes first: it takes the write lock (SQLite) before the texts are read again.
        conn.execute(delete(TextVector).where(TextVector.record_type == kind, TextVector.record_id.in_(ids)))
        texts = _texts(conn, kind, ids)
        rows = []
        for rid in ids:
            h, tv = computed[rid]
            if rid not in texts or text_hash(texts[rid]) != h:
                continue  # edited (or deleted) meanwhile: that change queued its own refresh
            dim = tv.dimension
            rows += [{"record_type": kind, "record_id": rid, "passage": i, "text_hash": h, "model": tv.model,
                      "dimension": dim, "text": tv.passages[i], "vector": encode(tv.vectors[i]),
                      "computed_at": now} for i in range(len(tv.passages))]
        if rows:
            conn.execute(TextVector.__table__.insert(), rows)
            note_changes(conn, {(kind, r["record_id"]) for r in rows})
    return len({r["record_id"] for r in rows})


def refresh_vectors(kind: str, ids: Iterable[int] | None, embedder: Embedder, *, force: bool = False,
                    progress: Callable[[int], None] | None = None) -> int:
    """Compute and store the vectors of these records (None: all) that are missing or stale; returns how
    many records got new vectors. Embedding happens outside any database transaction."""
    with db.engine.connect() as conn:
        todo = sorted(_texts(conn, kind, ids)) if force else stale_ids(conn, kind, embedder.name, ids)
        texts = _texts(conn, kind, todo)
    done = 0
    for start in range(0, len(todo), BATCH_RECORDS):
        batch = [rid for rid in todo[start:start + BATCH_RECORDS] if rid in texts]
        vectors = many_text_vectors(embedder, [texts[rid] for rid in batch], ROLE[kind])
        done += _write(kind, {rid: (text_hash(texts[rid]), tv) for rid, tv in zip(batch, vectors)})
        if progress:
            progress(len(batch))
    return done


def prune_orphans() -> int:
    """Delete the vectors of records that no longer exist; returns the rows deleted."""
    deleted = 0
    with db.engine.begin() as conn:
        for kind in ("request", "offer"):
            model = _table(kind)
            result = conn.execute(delete(TextVector).where(
                TextVector.record_type == kind, TextVector.record_id.not_in(select(model.id))))
            deleted += result.rowcount or 0
    return deleted


def backfill(embedder: Embedder, progress: Callable[[int], None] | None = None,
             force: bool = False) -> dict[str, int]:
    """Vectors for every request and offer whose vectors are missing or stale (all of them with
    ``force``). Idempotent: a second run finds nothing to do."""
    pruned = prune_orphans()
    out = {"pruned_rows": pruned}
    for kind in ("request", "offer"):
        out[kind + "s"] = refresh_vectors(kind, None, embedder, force=force, progress=progress)
    return out


def count_stale(embedder: Embedder) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {kind: len(stale_ids(conn, kind, embedder.name)) for kind in ("request", "offer")}


def load_vectors(executor, kind: str, model: str, ids: Iterable[int] | None = None, whole_only: bool = False
                 ) -> dict[int, tuple[str, TextVectors]]:
    """``{record_id: (text_hash, TextVectors)}`` of ``model`` for these records (None: all), one query;
    ``whole_only``: the whole-text row alone (what the engine needs of a request: it scores whole texts and
    quotes the offer's passages). The caller compares the hash with the record's current text
    (``text_hash(parts_of(record))``)."""
    stmt = (select(TextVector.record_id, TextVector.passage, TextVector.text_hash, TextVector.dimension,
                   TextVector.text, TextVector.vector)
            .where(TextVector.record_type == kind, TextVector.model == model)
            .order_by(TextVector.record_id, TextVector.passage))
    if whole_only:
        stmt = stmt.where(TextVector.passage == 0)
    if ids is not None:
        ids = list(ids)
        if not ids:
            return {}
        stmt = stmt.where(TextVector.record_id.in_(ids))
    out: dict[int, tuple[str, TextVectors]] = {}
    rid = None
    rows: list = []

    def flush():
        if rows and all(r.passage == i for i, r in enumerate(rows)) and len({r.text_hash for r in rows}) == 1 \
                and len({r.dimension for r in rows}) == 1:
            out[rid] = (rows[0].text_hash, TextVectors(tuple(r.text for r in rows),
                                                       decode([r.vector for r in rows], rows[0].dimension), model))

    for row in executor.execute(stmt):
        if row.record_id != rid:
            flush()
            rid, rows = row.record_id, []
        rows.append(row)
    flush()
    return out


def vectors_changed_since(executor, since) -> dict[str, set[int]]:
    """Records whose vectors were stored at or after ``since`` (None: all), by kind."""
    stmt = select(TextVector.record_type, TextVector.record_id).distinct()
    if since is not None:
        stmt = stmt.where(TextVector.computed_at >= since)
    out: dict[str, set[int]] = {"request": set(), "offer": set()}
    for kind, rid in executor.execute(stmt):
        out[kind].add(rid)
    return out


__all__ = ["backfill", "count_stale", "decode", "encode", "load_vectors", "note_changes", "parts_of", "prune_orphans",
           "refresh_vectors", "stale_ids", "text_hash", "vectors_changed_since"]

