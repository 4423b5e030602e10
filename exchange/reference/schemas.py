"""The valid codes of the reference tables (themes, modalities, languages, countries, regions), for the input
schemas' checks."""
from __future__ import annotations

from exchange.reference.queries import LINKED_REFERENCES, reference_rows


def reference_codes(kind: str) -> frozenset[str]:
    """The valid codes of one reference table, from the rows read once per session (reference_rows)."""
    key = LINKED_REFERENCES[kind][1].key
    return frozenset(getattr(row, key) for row in reference_rows(kind))
