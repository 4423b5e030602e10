"""Passwords (argon2; the one rule for a new password: length and zxcvbn's strength estimate against its
offline lists of common passwords, words and names), API, session and reset tokens (stored hashed), the
HTTP security headers, and the refusal of a Host header the deployment does not serve (TRUSTED_HOSTS)."""
from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from zxcvbn import zxcvbn

_hasher = PasswordHasher()  # argon2id with the library's defaults (above OWASP's minimum)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0–4: 3 is "safely unguessable: moderate protection from offline attacks"
_ZXCVBN_MAX_LENGTH = 72  # the library refuses longer input; a longer password is judged by its first 72
# Words anyone would try against this site first.
SITE_WORDS = ("exchange", "ctitf", "counter-terrorism", "counterterrorism", "terrorism", "unoct", "united nations")

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


def password_inputs(*values: str | None) -> list[str]:
    """What a person's own details give a guesser: the e-mail, its parts, names (for zxcvbn's user inputs)."""
    inputs: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        inputs.append(value)
        if "@" in value:
            local, _, domain = value.partition("@")
            inputs += [local, *domain.split(".")]
        parts = value.split("@")[0].replace(".", " ").replace("-", " ").replace("_", " ").split()
        inputs += [*parts, "".join(parts)]
    return [word for word in dict.fromkeys(inputs) if len(word) >= 3]


def _made_of(password: str, words: list[str]) -> bool:
    """Whether the password's letters are nothing but these words (zxcvbn scores "officer-unodc-2026" well,
    taking the separators for random characters)."""
    letters = re.sub(r"[^a-z]", "", password.lower())
    for word in sorted({re.sub(r"[^a-z]", "", w.lower()) for w in words}, key=len, reverse=True):
        if len(word) >= 3:
            letters = letters.replace(word, "")
    return len(letters) < 4


# zxcvbn's warnings (English only), in the reader's language; any other is left out of the sentence.
ZXCVBN_WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeats like “aaa” are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l("Repeats like “abcabcabc” are only slightly harder to guess than “abc”."),
    'Sequences like "abc" or "6543" are easy to guess.': _l("Sequences like “abc” or “6543” are easy to guess."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is one of the 10 most common passwords."),
    "This is a top-100 common password.": _l("This is one of the 100 most common passwords."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("Names and surnames by themselves are easy to guess."),
    "Common names and surnames are easy to guess.": _l("Common names and surnames are easy to guess."),
}


def password_problems(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a new password, in words a person can act on (empty: it may be used).

    The one rule for every place a password is set: long enough, not too long, not made of the person's own
    details, and not guessable (zxcvbn scores it at least MIN_PASSWORD_SCORE, knowing those details and the
    site's words)."""
    password = password or ""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(min)d characters: a phrase of four or more unrelated words is easy "
                          "to remember.", min=MIN_PASSWORD_LENGTH))
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(max)d characters.", max=MAX_PASSWORD_LENGTH))
    elif _made_of(password, [*user_inputs, *SITE_WORDS]):
        problems.append(_("This password is made of your name, e-mail or organisation, which a guesser tries "
                          "first. Use words that have nothing to do with you."))
    else:
        result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=[*user_inputs, *SITE_WORDS])
        if result["score"] < MIN_PASSWORD_SCORE:
            warning = (result["feedback"].get("warning") or "").strip()
            if warning in ZXCVBN_WARNINGS:
                problems.append(_("This password is too easy to guess (%(reason)s) Add more unrelated words, or "
                                  "let a password manager make one.", reason=str(ZXCVBN_WARNINGS[warning])))
            else:
                problems.append(_("This password is too easy to guess. Add more unrelated words, or let a "
                                  "password manager make one."))
    return problems


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def new_api_token() -> tuple[str, str]:
    """A fresh token and the digest to store."""
    token = "exch_" + secrets.token_urlsafe(32)
    return token, token_digest(token)


def new_secret_token() -> tuple[str, str]:
    """A fresh random token for a session cookie or a reset link, and the digest to store."""
    token = secrets.token_urlsafe(32)
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


UNTRUSTED_HOST_MESSAGE = _l("This server does not answer for the host name in the request.")
