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

ERROR, WARNING, NOTE = "error", "warning", "note"
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128
MIN_HSTS_SECONDS = 180 * 24 * 3600
# Secrets seen in tutorials, templates and this project's own tests: never a production key.
KNOWN_WEAK_SECRETS = {"dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me",
                      "change_me", "please-change-me", "test", "test-secret", "testing", "your-secret-key",
                      "super-secret", "supersecret", "exchange", "password"}
SECRET_ADVICE = ('set EXCHANGE_SECRET_KEY to at least 32 random bytes, e.g. the output of '
                 '`python -c "import secrets; print(secrets.token_hex(32))"`')


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
        return [Problem(ERROR, "secret_key", f"SECRET_KEY is empty: {SECRET_ADVICE}.")]
    if key_file.exists() and key_file.read_text().strip() == secret:
        return [Problem(ERROR, "secret_key",
                        f"SECRET_KEY is the development key generated into {key_file}: production must "
                        f"{SECRET_ADVICE} (the same on every server, kept outside the database's backups).")]
    if secret.strip().lower() in KNOWN_WEAK_SECRETS or "change" in secret.lower():
        return [Problem(ERROR, "secret_key", f"SECRET_KEY is a well-known placeholder: {SECRET_ADVICE}.")]
    if len(secret) < MIN_SECRET_CHARS:
        return [Problem(ERROR, "secret_key",
                        f"SECRET_KEY has {len(secret)} characters, fewer than {MIN_SECRET_CHARS}: {SECRET_ADVICE}.")]
    if _is_repetition(secret) or estimated_bits(secret) < MIN_SECRET_BITS:
        return [Problem(ERROR, "secret_key",
                        f"SECRET_KEY has too little entropy (about {estimated_bits(secret):.0f} bits estimated, "
                        f"at least {MIN_SECRET_BITS} needed, or it repeats itself): {SECRET_ADVICE}.")]
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
        problems.append(Problem(ERROR, "debug", "Debug mode is on (FLASK_DEBUG or DEBUG): it shows stack traces "
                                "and runs the interactive debugger; unset FLASK_DEBUG."))
    if config.get("TESTING"):
        problems.append(Problem(ERROR, "testing", "TESTING is on: errors propagate instead of being answered "
                                "and logged; remove it from the configuration."))
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.append(Problem(ERROR, "csrf", "CSRF protection is off (WTF_CSRF_ENABLED = False): turn it on."))

    https_missing = []
    if not config.get("SESSION_COOKIE_SECURE"):
        https_missing.append("SESSION_COOKIE_SECURE")
    if not config.get("REMEMBER_COOKIE_SECURE"):
        https_missing.append("REMEMBER_COOKIE_SECURE")
    if config.get("PREFERRED_URL_SCHEME") != "https":
        https_missing.append("PREFERRED_URL_SCHEME = https")
    if https_missing:
        problems.append(Problem(ERROR, "https", "The site is not configured for HTTPS (missing: "
                                f"{', '.join(https_missing)}): serve it over HTTPS and set EXCHANGE_HTTPS=1."))
    hsts = int(config.get("HSTS_MAX_AGE") or 0)
    if hsts <= 0:
        problems.append(Problem(ERROR, "hsts", "HSTS is off (HSTS_MAX_AGE = 0): browsers may be downgraded to "
                                "plain HTTP; leave HSTS_MAX_AGE at its default of one year."))
    elif hsts < MIN_HSTS_SECONDS:
        problems.append(Problem(WARNING, "hsts", f"HSTS_MAX_AGE is {hsts} s, less than 180 days: "
                                "use a year (31536000)."))

    if not config.get("TRUSTED_HOSTS"):
        problems.append(Problem(ERROR, "trusted_hosts", "TRUSTED_HOSTS is not set: any Host header is answered "
                                "(host-header injection in links); set EXCHANGE_TRUSTED_HOSTS=exchange.example.org "
                                "(comma-separated)."))

    workers = worker_count(config)
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append(Problem(ERROR, "rate_limits", "Rate limiting is off (RATELIMIT_ENABLED = False): "
                                "sign-in attempts are not throttled."))
    elif storage.startswith("memory"):
        if workers is None:
            problems.append(Problem(WARNING, "rate_limits", "Rate-limit counters are in memory and the number of "
                                    "workers is unknown: with more than one worker each counts apart; set "
                                    "WEB_CONCURRENCY and EXCHANGE_RATELIMIT_STORAGE_URI=redis://…"))
        elif workers > 1:
            problems.append(Problem(ERROR, "rate_limits", f"Rate-limit counters are in each worker's memory with "
                                    f"{workers} workers: a lockout does not hold across them; set "
                                    "EXCHANGE_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379"))

    smtp = config.get("SMTP_URL")
    if not smtp:
        problems.append(Problem(ERROR, "smtp", "No SMTP server (EXCHANGE_SMTP_URL): password-reset links "
                                "(/password/forgot) are sent by e-mail, and notifications would only be in the "
                                "inbox; set EXCHANGE_SMTP_URL."))
    base_url = str(config.get("BASE_URL") or "")
    if base_url and not base_url.startswith("https://"):
        problems.append(Problem(ERROR, "base_url", f"BASE_URL is {base_url}, not https://…: e-mails would link "
                                "to plain HTTP; set EXCHANGE_BASE_URL=https://…"))
    elif not base_url:
        problems.append(Problem(ERROR, "base_url", "BASE_URL is not set: links in e-mails have no host; set "
                                "EXCHANGE_BASE_URL=https://exchange.example.org"))

    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite"):
        many = f"{workers} workers" if workers else "several workers"
        problems.append(Problem(NOTE, "database", f"SQLite with {many} is fine on one machine: it runs in WAL "
                                "mode with a 15 s busy timeout and writes begin immediately; keep the file on a "
                                "local disk (never a network share) and back it up with `flask backup`."))
    order = {ERROR: 0, WARNING: 1, NOTE: 2}
    return sorted(problems, key=lambda p: order[p.level])
