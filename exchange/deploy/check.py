"""`flask check-deploy`: is this configuration fit for production? (like Django's `check --deploy`)

Reads the application's configuration (and WEB_CONCURRENCY, which gunicorn reads for its worker count) and
lists every problem: errors (the command exits 1) and warnings (printed; exit 0 unless --fail-level
warning), plus notes that are not problems. It judges the configuration as production always: the
development conveniences (the secret generated into instance/secret_key, memory rate-limit counters,
plain HTTP) are each an error here. It connects to nothing.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_babel import gettext as _

ERROR, WARNING, NOTE = "error", "warning", "note"
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128
MIN_HSTS_SECONDS = 180 * 24 * 3600
# Secrets seen in tutorials, templates and this project's own tests: never a production key.
KNOWN_WEAK_SECRETS = {"dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me",
                      "change_me", "please-change-me", "test", "test-secret", "testing", "your-secret-key",
                      "super-secret", "supersecret", "exchange", "password"}
SECRET_COMMAND = '`python -c "import secrets; print(secrets.token_hex(32))"`'


def _advice() -> str:
    return _("set EXCHANGE_SECRET_KEY to at least 32 random bytes, e.g. the output of %(command)s",
             command=SECRET_COMMAND)


@dataclass(frozen=True)
class Problem:
    level: str   # error, warning or note
    code: str    # a short stable name, e.g. "secret_key"
    message: str


def estimated_bits(secret: str) -> float:
    """Entropy of the secret as if each character were drawn from its own frequency distribution: a
    generous upper bound (a random 64-hex-digit key scores about 240 bits, "aaaa…" zero)."""
    counts = Counter(secret)
    return -sum(n * math.log2(n / len(secret)) for n in counts.values()) if secret else 0.0


def _is_repetition(secret: str) -> bool:
    """Whether the secret is a shorter string repeated (e.g. "abc123" eight times)."""
    return any(len(secret) % k == 0 and secret == secret[:k] * (len(secret) // k)
               for k in range(1, len(secret) // 2 + 1))


def secret_problems(secret: str, instance_path: Path) -> list[Problem]:
    key_file = instance_path / "secret_key"
    if not secret:
        return [Problem(ERROR, "secret_key", _("SECRET_KEY is empty: %(advice)s.", advice=_advice()))]
    if key_file.exists() and key_file.read_text().strip() == secret:
        return [Problem(ERROR, "secret_key",
                        _("SECRET_KEY is the development key generated into %(file)s: production must %(advice)s "
                          "(the same on every server, kept outside the database's backups).", file=key_file,
                          advice=_advice()))]
    if secret.strip().lower() in KNOWN_WEAK_SECRETS or "change" in secret.lower():
        return [Problem(ERROR, "secret_key", _("SECRET_KEY is a well-known placeholder: %(advice)s.",
                                               advice=_advice()))]
    if len(secret) < MIN_SECRET_CHARS:
        return [Problem(ERROR, "secret_key",
                        _("SECRET_KEY has %(count)s characters, fewer than %(minimum)s: %(advice)s.",
                          count=len(secret), minimum=MIN_SECRET_CHARS, advice=_advice()))]
    if _is_repetition(secret) or estimated_bits(secret) < MIN_SECRET_BITS:
        return [Problem(ERROR, "secret_key",
                        _("SECRET_KEY has too little entropy (about %(bits)s bits estimated, at least %(minimum)s "
                          "needed, or it repeats itself): %(advice)s.", bits=f"{estimated_bits(secret):.0f}",
                          minimum=MIN_SECRET_BITS, advice=_advice()))]
    return []


def worker_count(config) -> int | None:
    """Workers serving the app: config WORKERS, else the WEB_CONCURRENCY gunicorn reads; None if unknown."""
    value = config.get("WORKERS") or os.environ.get("WEB_CONCURRENCY")
    try:
        return int(value) if value else None
    except ValueError:
        return None


def deployment_problems(app: Flask) -> list[Problem]:
    """Every problem of this app's configuration for production, errors first."""
    config = app.config
    problems = secret_problems(str(config.get("SECRET_KEY") or ""), Path(app.instance_path))

    if app.debug or config.get("DEBUG") or config.get("DEBUG_AT_START"):
        problems.append(Problem(ERROR, "debug", _("Debug mode is on (FLASK_DEBUG or DEBUG): it shows stack "
                                                  "traces and runs the interactive debugger; unset FLASK_DEBUG.")))
    if config.get("TESTING"):
        problems.append(Problem(ERROR, "testing", _("TESTING is on: errors propagate instead of being answered "
                                                    "and logged; remove it from the configuration.")))
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.append(Problem(ERROR, "csrf", _("CSRF protection is off (WTF_CSRF_ENABLED = False): turn it "
                                                 "on.")))

    https_missing = []
    if not config.get("SESSION_COOKIE_SECURE"):
        https_missing.append("SESSION_COOKIE_SECURE")
    if not config.get("REMEMBER_COOKIE_SECURE"):
        https_missing.append("REMEMBER_COOKIE_SECURE")
    if config.get("PREFERRED_URL_SCHEME") != "https":
        https_missing.append("PREFERRED_URL_SCHEME = https")
    if https_missing:
        problems.append(Problem(ERROR, "https", _("The site is not configured for HTTPS (missing: %(missing)s): "
                                                  "serve it over HTTPS and set EXCHANGE_HTTPS=1.",
                                                  missing=", ".join(https_missing))))
    hsts = int(config.get("HSTS_MAX_AGE") or 0)
    if hsts <= 0:
        problems.append(Problem(ERROR, "hsts", _("HSTS is off (HSTS_MAX_AGE = 0): browsers may be downgraded to "
                                                 "plain HTTP; leave HSTS_MAX_AGE at its default of one year.")))
    elif hsts < MIN_HSTS_SECONDS:
        problems.append(Problem(WARNING, "hsts", _("HSTS_MAX_AGE is %(seconds)s s, less than 180 days: use a "
                                                   "year (31536000).", seconds=hsts)))

    if not config.get("TRUSTED_HOSTS"):
        problems.append(Problem(ERROR, "trusted_hosts", _(
            "TRUSTED_HOSTS is not set: any Host header is answered (host-header injection in links); set "
            "EXCHANGE_TRUSTED_HOSTS=exchange.example.org (comma-separated).")))

    workers = worker_count(config)
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append(Problem(ERROR, "rate_limits", _("Rate limiting is off (RATELIMIT_ENABLED = False): "
                                                        "sign-in attempts are not throttled.")))
    elif storage.startswith("memory"):
        if workers is None:
            problems.append(Problem(WARNING, "rate_limits", _(
                "Rate-limit counters are in memory and the number of workers is unknown: with more than one worker "
                "each counts apart; set WEB_CONCURRENCY and EXCHANGE_RATELIMIT_STORAGE_URI=redis://…")))
        elif workers > 1:
            problems.append(Problem(ERROR, "rate_limits", _(
                "Rate-limit counters are in each worker's memory with %(workers)s workers: a lockout does not hold "
                "across them; set EXCHANGE_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379", workers=workers)))

    events = str(config.get("EVENTS_URL") or "memory://")
    if events.startswith("memory"):
        if workers is None:
            problems.append(Problem(WARNING, "live_events", _(
                "Live events travel in memory and the number of workers is unknown: with more than one worker a "
                "page hears only what its own worker did; set WEB_CONCURRENCY and EXCHANGE_EVENTS_URL=redis://…")))
        elif workers > 1:
            problems.append(Problem(ERROR, "live_events", _(
                "Live events travel in each worker's memory with %(workers)s workers: a page hears only what its "
                "own worker did; set EXCHANGE_EVENTS_URL=redis://127.0.0.1:6379/0", workers=workers)))

    smtp = config.get("SMTP_URL")
    if not smtp:
        problems.append(Problem(ERROR, "smtp", _(
            "No SMTP server (EXCHANGE_SMTP_URL): password-reset links (/password/forgot) are sent by e-mail, and "
            "notifications would only be in the inbox; set EXCHANGE_SMTP_URL.")))
    base_url = str(config.get("BASE_URL") or "")
    if base_url and not base_url.startswith("https://"):
        problems.append(Problem(ERROR, "base_url", _("BASE_URL is %(url)s, not https://…: e-mails would link to "
                                                     "plain HTTP; set EXCHANGE_BASE_URL=https://…", url=base_url)))
    elif not base_url:
        problems.append(Problem(ERROR, "base_url", _("BASE_URL is not set: links in e-mails have no host; set "
                                                     "EXCHANGE_BASE_URL=https://exchange.example.org")))

    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite"):
        problems.append(Problem(NOTE, "database", _(
            "SQLite is fine on one machine, with one worker or several: it runs in WAL mode with a 15 s busy timeout "
            "and writes begin immediately; keep the file on a local disk (never a network share) and back it up "
            "with `flask backup`.")))
    order = {ERROR: 0, WARNING: 1, NOTE: 2}
    return sorted(problems, key=lambda p: order[p.level])
