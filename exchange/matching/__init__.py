"""Matching engine of the Exchange: requests for counter-terrorism technical assistance
against offers of assistance.  Plain Python (numpy/scipy), no Flask, no database.

See docs/MATCHING.md for the design, the scoring and the measurements.
"""
from exchange.matching.engine import (
    MatchingIndex,
    OfferData,
    RequestData,
    RequestSuggestion,
    Suggestion,
    eligible,
    no_strong_match,
    rank,
    score_pair,
)

__all__ = [
    "MatchingIndex", "OfferData", "RequestData", "RequestSuggestion", "Suggestion",
    "eligible", "no_strong_match", "rank", "score_pair",
]
