"""Rate-limit helpers: the storage lives in RATELIMIT_STORAGE_URI (Redis in production) so that a
lockout holds across workers."""
from __future__ import annotations

import logging

from .extensions import limiter

log = logging.getLogger(__name__)


def reset_limits() -> None:
    """Forget every counter (tests, and an admin lifting a lockout)."""
    try:
        limiter.reset()
    except (NotImplementedError, AttributeError, ConnectionError) as err:  # storage without reset support
        log.warning("Rate-limit counters could not be reset: %s", err)
