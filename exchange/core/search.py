"""Full-text search of requests and offers: SQLite FTS5 or PostgreSQL `to_tsvector`, one function for both.

On SQLite the condition is shaped by how many rows the words find (counted by FTS5 up to `COMMON_HITS`, a
read of at most that many entries): a few, and the list is read from the full-text index's hits (then sorted:
few rows); many, and the list walks its sort order's index, keeping the rows among the hits, so that a page
stops after its rows instead of sorting every hit (SQLite would otherwise always start from the hits)."""
from __future__ import annotations

import re

from sqlalchemy import and_, bindparam, func, literal_column, select, text

from exchange.core.extensions import db

FTS_TABLES = {"assistance_requests": "assistance_requests_fts", "offers": "offers_fts"}


_WORDS = re.compile(r"\w+", re.UNICODE)
COMMON_HITS = 2_000  # more hits than this: walk the list's order rather than sort the hits


def _terms(q: str) -> list[str]:
    return _WORDS.findall(q.lower().replace("_", " "))[:20]


def text_search(model, q: str):
    """Rows of `model` (requests or offers) whose title/description (and beneficiary) contain every word
    of `q` (prefixes match: "financ" finds "financing"). Any string is safe: it is reduced to words."""
    terms = _terms(q)
    if not terms:
        return and_(True)
    table = model.__tablename__
    if db.engine.dialect.name == "sqlite":
        # FTS5 query: each word quoted (no operators can be injected) with a prefix star.
        match = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
        fts = FTS_TABLES[table]
        hits = select(literal_column("rowid")).select_from(text(fts)).where(
            text(f"{fts} MATCH :fts_query").bindparams(bindparam("fts_query", match)))
        if _more_hits_than(hits, COMMON_HITS):
            return (model.id + 0).in_(hits)  # "+ 0": not an index key, so the planner walks the list's order
        return model.id.in_(hits)
    document = _pg_document(model)
    query = func.to_tsquery("simple", " & ".join(f"{t}:*" for t in terms))
    return document.op("@@")(query)


def _more_hits_than(hits, n: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(hits.limit(n + 1).subquery())) > n


def _pg_document(model):
    """The same expression as the GIN index of the migration, so that PostgreSQL uses the index."""
    columns = ["title", "description"] + (["beneficiary"] if hasattr(model, "beneficiary") else [])
    joined = " || ' ' || ".join(f"coalesce({model.__tablename__}.{c}, '')" for c in columns)
    return literal_column(f"to_tsvector('simple'::regconfig, {joined})")


_REFERENCE = re.compile(r"^\s*([ROM])\s*-?\s*0*(\d{1,9})\s*$", re.IGNORECASE)
REFERENCE_KINDS = {"R": "request", "O": "offer", "M": "match"}


def named_reference(q: str) -> tuple[str, int] | None:
    """The record a search names by its reference ("R-00012", "r12", "M-14"): (kind, id), or None."""
    found = _REFERENCE.match(q or "")
    return (REFERENCE_KINDS[found.group(1).upper()], int(found.group(2))) if found else None


def words_of(q: str) -> list[str]:
    """The words of a search, as the full-text search reads them."""
    return _terms(q)
