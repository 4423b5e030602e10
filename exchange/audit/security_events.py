"""Security events: sign-ins and their failures, lockouts, MFA and password changes, refused tokens,
403s. Each is a line in the `exchange.security` log and an audit event (`record_type` "user", the action
one of ACTIONS) written in a transaction of its own, after the request (side_writes), so a refused or
read-only request records it without writing in its own transaction."""
from __future__ import annotations

import logging

from flask import has_request_context, request

from exchange.audit import record_apart
from exchange.core.side_writes import defer_write

log = logging.getLogger("exchange.security")

ACTIONS = (
    "security.sign_in", "security.sign_in_failed", "security.locked_out", "security.sign_out",
    "security.mfa_enabled", "security.mfa_disabled", "security.mfa_failed", "security.recovery_code_used",
    "security.password_changed", "security.password_reset_requested", "security.password_reset",
    "security.sessions_ended", "security.token_issued", "security.token_revoked", "security.token_refused",
    "security.forbidden", "security.reauthenticated", "security.recovery_codes_regenerated",
)


def client_address() -> str:
    """The caller's address as the app sees it (behind configured trusted proxies, the forwarded one)."""
    return (request.remote_addr or "") if has_request_context() else ""


def record_security_event(action: str, *, user=None, email: str = "", detail: str = "") -> None:
    """Log `action` and add it to the audit trail. `user` is the account concerned (or None when the
    e-mail names no account: `email` then says what was typed, trimmed)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown security event {action!r}")
    address = client_address()
    path = request.path if has_request_context() else ""
    user_id = getattr(user, "id", None)
    email = (getattr(user, "email", None) or email or "")[:254]
    log.info("%s user=%s email=%s address=%s path=%s %s", action, user_id, email, address, path, detail)
    changes = {"email": email, "address": address, "path": path}
    defer_write(lambda connection: record_apart(connection, user_id, action, "user", user_id, detail[:500],
                                                changes))
