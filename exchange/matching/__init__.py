"""Matching engine of the Exchange: requests for counter-terrorism technical assistance
against offers of assistance.  Plain Python (numpy/scipy), no Flask, no database.

See docs/MATCHING.md for the design, the scoring and the measurements.

The engine's names are loaded on first use (PEP 562), so that importing a light module of this
package (``models``, ``refresh`` at app start) does not import numpy and scipy.
"""
from __future__ import annotations

__all__ = [
    "MatchingIndex", "OfferData", "Reason", "RequestData", "RequestSuggestion", "Suggestion",
    "eligible", "no_strong_match", "rank", "score_pair",
]


def __getattr__(name: str):
    if name in __all__:
        from exchange.matching import engine
        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
