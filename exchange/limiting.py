"""Rate-limit helpers: the storage lives in RATELIMIT_STORAGE_URI (Redis in production) so that a
lockout holds across workers."""
from __future__ import annotations

from .extensions import limiter


def reset_limits() -> None:
    """Forget every counter (tests, and an admin lifting a lockout)."""
    try:
        limiter.reset()
    except Exception:  # storage without reset support: nothing to forget
        pass
