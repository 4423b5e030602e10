"""Configuration: defaults in a class, overridden by the environment and instance/config.py."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from exchange.core.statuses import Role


def _instance_secret(instance_path: Path) -> str:
    """A secret key generated once and kept in instance/ (never committed)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


class Config:
    """Defaults for every deployment; `load()` fills what depends on the instance folder."""

    SQLALCHEMY_DATABASE_URI: str = ""
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SECRET_KEY: str = ""

    # Sessions: short-lived, HttpOnly, SameSite; no year-long remember cookie. A session (one row of
    # user_sessions) lapses PERMANENT_SESSION_LIFETIME after sign-in, or SESSION_IDLE_TIMEOUT after its last
    # request. Under HTTPS the cookie is named __Host-exchange_session (Secure, Path=/, no Domain).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    PASSWORD_RESET_TTL = timedelta(minutes=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(hours=8)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    # Login throttling (exchange/limiting.py): counts live in RATELIMIT_STORAGE_URI (redis://… in production).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_ENABLED = True
    LOGIN_PAIR_FREE_FAILURES = 5  # failures of one (e-mail, address) pair before it must wait
    LOGIN_PAIR_FIRST_DELAY = timedelta(minutes=1)  # then 2, 4, 8 … minutes
    LOGIN_PAIR_MAX_DELAY = timedelta(minutes=30)
    LOGIN_PAIR_MEMORY = timedelta(hours=24)  # how long a pair's failures are remembered
    LOGIN_ADDRESS_FAILURE_LIMIT = 100  # failures from one address (any e-mail) in LOGIN_ADDRESS_WINDOW
    LOGIN_ADDRESS_WINDOW = timedelta(minutes=15)
    # Wrong codes on the two-step and confirmation pages (reached only with the right password), per account
    # and per address.
    SECOND_FACTOR_FAILURE_LIMIT = "10 per 15 minutes"
    # How many proxies in front of the app may be believed about the client's address (X-Forwarded-For) and
    # scheme (X-Forwarded-Proto); 0 ignores those headers.
    TRUSTED_PROXIES = 0

    # API tokens: how long a new one lives (its owner may choose up to the maximum), and how often a
    # token's last use is written (after the request, in a transaction of its own).
    API_TOKEN_LIFETIME_DAYS = 90
    API_TOKEN_MAX_LIFETIME_DAYS = 365
    API_TOKEN_USE_INTERVAL = 300  # seconds

    # Multi-factor sign-in (TOTP) and re-authentication before sensitive changes.
    MFA_REQUIRED_ROLES = Role.OFFICE
    MFA_PENDING_LIFETIME = timedelta(minutes=5)  # between a right password and the code
    REAUTH_WINDOW = timedelta(minutes=10)  # how long a confirmed password (and code) counts as recent

    MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    # Office and ODF files are ZIP archives: how far one may expand when read, how much more than its
    # compressed size a part may grow, and how many parts (nested archives' included) it may hold.
    UPLOAD_ARCHIVE_MAX_BYTES = 100 * 1024 * 1024
    UPLOAD_ARCHIVE_MAX_RATIO = 100
    UPLOAD_ARCHIVE_MAX_MEMBERS = 1000
    UPLOAD_FOLDER: str = ""

    SMTP_URL: str = ""
    MAIL_FROM = "exchange@localhost"
    BASE_URL: str = ""  # e.g. https://exchange.example.org: e-mails link to pages under it

    # The job queue (exchange/jobs/queue.py): "" is SQLite in instance/jobs.sqlite3 (the embedded default),
    # redis://host:port/db for several processes, memory:// for one process only. JOBS_IMMEDIATE runs each job
    # as it is queued (None: under TESTING only). The scheduler's hours are UTC.
    JOBS_QUEUE_URL: str = ""
    JOBS_IMMEDIATE: bool | None = None
    JOBS_WORKERS = 2  # worker threads of `flask serve` and of `flask jobs worker`
    JOBS_DIGEST_HOUR = 7
    JOBS_REMINDER_MINUTE = 5
    JOBS_FILES_FOLDER: str = ""  # the files long jobs make (default instance/job-files)
    # An import of more rows (offers, requests) or activities (IATI) than this is checked and saved by
    # background jobs, with its progress on its page (jobs/imports.py); 0: every import.
    IMPORT_JOB_ROWS = 50
    BACKUP_DIR: str = ""  # a daily checked backup there at BACKUP_HOUR:30 when set; the last BACKUP_KEEP kept
    BACKUP_HOUR = 2
    BACKUP_KEEP = 7

    API_TITLE = "The Exchange API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = None  # the document is served by our own route under /api/v1

    PREFERRED_URL_SCHEME = "http"
    TESTING = False

    # Deployment (checked by `flask check-deploy`): the Host names served (None: any; EXCHANGE_TRUSTED_HOSTS),
    # HSTS sent once the site is served over HTTPS, and the number of server workers (None: WEB_CONCURRENCY).
    TRUSTED_HOSTS: list[str] | None = None
    HSTS_MAX_AGE = 31536000
    WORKERS: int | None = None

    # Live events (exchange/live/): how they travel between processes (memory:// in one process; redis://…
    # with several, EXCHANGE_EVENTS_URL), how many streams one process holds before pages poll instead (keep it
    # below the server's threads a process: see the README's production layout), the heartbeat, how long a
    # stream lasts before the client reconnects, how often a page polls, how many events are kept for resume.
    EVENTS_URL = "memory://"
    EVENTS_CHANNEL = "exchange:events"  # the Redis pub/sub channel (one per site sharing a Redis)
    LIVE_MAX_STREAMS = 50
    LIVE_HEARTBEAT_SECONDS = 15
    LIVE_STREAM_SECONDS = 300
    LIVE_POLL_SECONDS = 5
    LIVE_RECENT_EVENTS = 1000
    # IATI in (reports/iati_import.py): the activity file a scheduled import reads, and as whom.
    IATI_IMPORT_PATH: str | None = None
    IATI_IMPORT_AS: str | None = None


ENV_KEYS = {
    "EXCHANGE_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "EXCHANGE_SECRET_KEY": "SECRET_KEY",
    "EXCHANGE_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "EXCHANGE_SMTP_URL": "SMTP_URL",
    "EXCHANGE_MAIL_FROM": "MAIL_FROM",
    "EXCHANGE_BASE_URL": "BASE_URL",
    "EXCHANGE_UPLOAD_FOLDER": "UPLOAD_FOLDER",
    "EXCHANGE_JOBS_QUEUE_URL": "JOBS_QUEUE_URL",
    "EXCHANGE_BACKUP_DIR": "BACKUP_DIR",
    "EXCHANGE_EVENTS_URL": "EVENTS_URL",
    "EXCHANGE_EVENTS_CHANNEL": "EVENTS_CHANNEL",
    "EXCHANGE_IATI_IMPORT_PATH": "IATI_IMPORT_PATH",
    "EXCHANGE_IATI_IMPORT_AS": "IATI_IMPORT_AS",
}


def load(app, overrides: dict | None = None) -> None:
    """Fill app.config: class defaults, then instance/config.py, the environment, then overrides."""
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    for env_key, config_key in ENV_KEYS.items():
        if os.environ.get(env_key):
            app.config[config_key] = os.environ[env_key]
    if os.environ.get("EXCHANGE_TRUSTED_HOSTS", "").strip():
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in os.environ["EXCHANGE_TRUSTED_HOSTS"].split(",") if h.strip()]
    if os.environ.get("EXCHANGE_HTTPS") == "1":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if os.environ.get("EXCHANGE_JOBS_IMMEDIATE"):
        app.config["JOBS_IMMEDIATE"] = os.environ["EXCHANGE_JOBS_IMMEDIATE"] == "1"
    if os.environ.get("EXCHANGE_LIVE_MAX_STREAMS", "").strip().isdigit():
        app.config["LIVE_MAX_STREAMS"] = int(os.environ["EXCHANGE_LIVE_MAX_STREAMS"])
    if os.environ.get("EXCHANGE_TRUSTED_PROXIES"):
        app.config["TRUSTED_PROXIES"] = int(os.environ["EXCHANGE_TRUSTED_PROXIES"])
    if overrides:
        app.config.update(overrides)
    if app.config["SESSION_COOKIE_SECURE"] and app.config.get("SESSION_COOKIE_NAME", "session") == "session":
        # The __Host- prefix: browsers accept it only Secure, for Path=/ and without Domain, so no other host
        # or path can plant or shadow it.
        app.config.update(SESSION_COOKIE_NAME="__Host-exchange_session", SESSION_COOKIE_PATH="/",
                          SESSION_COOKIE_DOMAIN=None)
    # As a WSGI server will run it: `flask` commands reset app.debug from FLASK_DEBUG (for check-deploy).
    app.config["DEBUG_AT_START"] = bool(app.config.get("DEBUG"))
    instance = Path(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'exchange.sqlite3'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance)
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
