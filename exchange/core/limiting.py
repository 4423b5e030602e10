"""Rate-limit helpers and the sign-in throttle. Counts live in RATELIMIT_STORAGE_URI (Redis in production)
so that a delay holds across workers.

The sign-in throttle counts failures per (typed e-mail, client address) pair: after
LOGIN_PAIR_FREE_FAILURES failures that pair waits LOGIN_PAIR_FIRST_DELAY, then twice as long after each
further failure, up to LOGIN_PAIR_MAX_DELAY. Someone failing for another person's e-mail from their own
address delays only themselves; the owner, from their address, signs in as usual. A generous per-address
ceiling (LOGIN_ADDRESS_FAILURE_LIMIT failures in LOGIN_ADDRESS_WINDOW) stops one address spraying many
accounts. The e-mail is counted whether or not it names an account, so the answers never tell.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from flask import current_app

from exchange.core.extensions import limiter

log = logging.getLogger(__name__)


def reset_limits() -> None:
    """Forget every counter (tests, and an admin lifting a lockout)."""
    try:
        limiter.reset()
    except (NotImplementedError, AttributeError, ConnectionError) as err:  # storage without reset support
        log.warning("Rate-limit counters could not be reset: %s", err)


@dataclass(frozen=True)
class Refusal:
    """A sign-in attempt refused before its password is checked: why, and for how many seconds more."""
    scope: str  # "pair" or "address"
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, -(-self.seconds // 60))


def _pair(email: str, address: str) -> str:
    account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"{account}:{address or 'unknown'}"


def _keys(email: str, address: str) -> tuple[str, str, str]:
    pair = _pair(email, address)
    return (f"login-pair-failures:{pair}", f"login-pair-wait:{pair}", f"login-address-failures:{address or 'unknown'}")


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _seconds(value) -> int:
    return int(value.total_seconds()) if hasattr(value, "total_seconds") else int(value)


def delay_after(failures: int) -> int:
    """Seconds a pair must wait after its `failures`-th failure (0: none)."""
    config = current_app.config
    free = int(config["LOGIN_PAIR_FREE_FAILURES"])
    if failures < free:
        return 0
    first, cap = _seconds(config["LOGIN_PAIR_FIRST_DELAY"]), _seconds(config["LOGIN_PAIR_MAX_DELAY"])
    return min(cap, first * 2 ** min(failures - free, 30))


def sign_in_refusal(email: str, address: str) -> Refusal | None:
    """Whether this pair or address must wait before another attempt (checked before the password)."""
    if not _enabled():
        return None
    _failures_key, wait_key, address_key = _keys(email, address)
    try:
        storage = limiter.storage
        if storage.get(wait_key) > 0:
            return Refusal("pair", max(1, round(storage.get_expiry(wait_key) - time.time())))
        if storage.get(address_key) >= int(current_app.config["LOGIN_ADDRESS_FAILURE_LIMIT"]):
            return Refusal("address", max(1, round(storage.get_expiry(address_key) - time.time())))
    except Exception:  # the counters' store is down: sign-in goes on rather than locking everyone out
        log.exception("The sign-in throttle could not read its counters")
    return None


def count_sign_in_failure(email: str, address: str) -> int:
    """Count a failed attempt; returns the seconds the pair must now wait (0: none yet)."""
    if not _enabled():
        return 0
    failures_key, wait_key, address_key = _keys(email, address)
    config = current_app.config
    try:
        storage = limiter.storage
        storage.incr(address_key, _seconds(config["LOGIN_ADDRESS_WINDOW"]))
        failures = storage.incr(failures_key, _seconds(config["LOGIN_PAIR_MEMORY"]))
        delay = delay_after(failures)
        if delay:
            storage.clear(wait_key)
            storage.incr(wait_key, delay)
        return delay
    except Exception:
        log.exception("The sign-in throttle could not count a failure")
        return 0


def forget_sign_in_failures(email: str, address: str) -> None:
    """A successful sign-in clears its pair's count (never the address's)."""
    if not _enabled():
        return
    failures_key, wait_key, _ = _keys(email, address)
    try:
        limiter.storage.clear(failures_key)
        limiter.storage.clear(wait_key)
    except Exception:
        log.exception("The sign-in throttle could not clear a pair's count")
