"""Stored text vectors: each request's and offer's text embedded once, kept with the record.

One row per passage of a record's text (``passage`` 0 is the whole text; 1.. its passages when
it has several, see ``embeddings.passages_of``). Every row of a record carries the hash of the
text it was computed from and the name of the model that computed it, so a vector whose text
has changed, or that another model made, is recognised as stale and never used (the engine
scores such a record by its lexicon until ``refresh`` or ``flask matching embed`` recomputes
it). The vector is the little-endian float32 bytes of the L2-normalised row: the same on
SQLite (BLOB) and PostgreSQL (bytea), no extension needed.

``record_id`` names an ``assistance_requests`` or ``offers`` row according to ``record_type``
(no foreign key: the table serves both; rows of a deleted record are pruned by the backfill).

``MatchingChange``: the matching index's data version. A row for each request or offer whose matching
data changed (its fields, its themes, its matches' load, its stored vectors), written in the same
transaction as the change (``refresh.py``'s flush hook, ``store.py``'s vector writes). The highest ``id``
is the data version; an index catches up by reading the rows after the ids it has seen (a primary-key
range, instead of ``max(updated_at)`` over three tables). Old rows are pruned by the warm-up job.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.core.extensions import db
from exchange.core.models import utcnow

RECORD_TYPES = ("request", "offer")


class TextVector(db.Model):
    """One passage of a request's or an offer's text and its embedding."""

    __tablename__ = "text_vectors"
    __table_args__ = (
        CheckConstraint("record_type IN ('request', 'offer')", name="record_type"),
        CheckConstraint("passage >= 0", name="passage"),
    )

    record_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))       # sha256 of the record's text (embeddings.text_hash)
    model: Mapped[str] = mapped_column(String(120))           # Embedder.name
    dimension: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")       # the passage itself (quoted in reasons)
    vector: Mapped[bytes] = mapped_column(LargeBinary)        # float32, little-endian, `dimension` values
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class MatchingChange(db.Model):
    """One change of a request's or an offer's matching data (the index's data version is the highest id)."""

    __tablename__ = "matching_changes"
    __table_args__ = (CheckConstraint("record_type IN ('request', 'offer')", name="record_type"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
