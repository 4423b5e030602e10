"""Passwords (argon2), API tokens (stored hashed), the HTTP security headers, and the refusal of a Host
header the deployment does not serve (TRUSTED_HOSTS)."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Response, current_app, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError

_hasher = PasswordHasher()  # argon2id with the library's defaults (above OWASP's minimum)
MIN_PASSWORD_LENGTH = 12

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",  # no page uses <base>: an injected one could not redirect relative links
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    """What is wrong with a new password, in words a person can act on."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 256:
        problems.append("Use at most 256 characters.")
    return problems


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def new_api_token() -> tuple[str, str]:
    """A fresh token and the digest to store."""
    token = "exch_" + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    max_age = current_app.config["HSTS_MAX_AGE"]
    # Behind a TLS proxy the request itself may look like plain HTTP: EXCHANGE_HTTPS says the site is HTTPS.
    if max_age > 0 and (request.is_secure or current_app.config["PREFERRED_URL_SCHEME"] == "https"):
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    if current_user.is_authenticated or request.path.startswith("/api/"):
        headers["Cache-Control"] = "no-store"
    return response


UNTRUSTED_HOST_MESSAGE = "This server does not answer for the host name in the request."


def refuse_untrusted_host() -> Response | None:
    """First of the before-request hooks: a Host header outside TRUSTED_HOSTS gets a plain 400.

    Flask refuses such a host while it matches the URL (a SecurityError kept as the routing exception), but
    then has no URL adapter, so any page that builds a link (the error page too) would fail with a 500;
    this answer builds none, and no other hook (CSRF, rate limits, the guard) runs for that request."""
    if not isinstance(request.routing_exception, SecurityError):
        return None
    if request.path.startswith("/api/"):
        from .api.errors import api_error_response
        return api_error_response("bad_request", UNTRUSTED_HOST_MESSAGE, 400)
    return Response(UNTRUSTED_HOST_MESSAGE + "\n", status=400, mimetype="text/plain")
