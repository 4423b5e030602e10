"""Deployment: `flask check-deploy` fails on the defaults and on each problem alone, passes on the documented
production settings; TRUSTED_HOSTS (EXCHANGE_TRUSTED_HOSTS) is honoured with a 400, never a 500; the CSP's
base-uri 'none' and HSTS once the site is HTTPS."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from exchange.app import create_app
from tests.helpers import DATABASE_URL, UPLOADS

# The production settings README.md documents (### Production deployment), as the environment.
PRODUCTION_ENV = {
    "EXCHANGE_SECRET_KEY": secrets.token_hex(32),
    "EXCHANGE_HTTPS": "1",
    "EXCHANGE_TRUSTED_HOSTS": "exchange.example.org",
    "EXCHANGE_TRUSTED_PROXIES": "1",
    "EXCHANGE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "EXCHANGE_EVENTS_URL": "redis://127.0.0.1:6379/0",
    "EXCHANGE_SMTP_URL": "smtp+starttls://exchange:password@mail.example.org:587",
    "EXCHANGE_MAIL_FROM": "exchange@example.org",
    "EXCHANGE_BASE_URL": "https://exchange.example.org",
    "WEB_CONCURRENCY": "2",
}
ENV_NAMES = [*PRODUCTION_ENV, "EXCHANGE_DATABASE_URL", "FLASK_DEBUG"]


@pytest.fixture
def deploy_app(monkeypatch):
    """make(env=…, **config): an app built as production would build it (from the environment), on the
    tests' database; `env` replaces the production environment's entries (None removes one)."""

    def make(env: dict | None = None, **config):
        for name in ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
        for name, value in {**PRODUCTION_ENV, **(env or {})}.items():
            if value is not None:
                monkeypatch.setenv(name, value)
        return create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "UPLOAD_FOLDER": str(UPLOADS), **config})

    return make


def check(app, *args):
    return app.test_cli_runner().invoke(args=["check-deploy", *args])


def test_documented_production_settings_pass(deploy_app):
    result = check(deploy_app())
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_defaults_fail_and_say_why(deploy_app):
    result = check(deploy_app({name: None for name in PRODUCTION_ENV}))
    assert result.exit_code == 1
    for code in ("secret_key", "https", "trusted_hosts"):
        assert f"ERROR    {code}:" in result.output
    assert "instance/secret_key" in result.output and "EXCHANGE_SECRET_KEY" in result.output
    assert "ERROR    smtp:" in result.output and "/password/forgot" in result.output  # resets need e-mail


@pytest.mark.parametrize(("env", "config", "code", "words"), [
    ({"EXCHANGE_SECRET_KEY": None}, {}, "secret_key", "generated into"),
    ({"EXCHANGE_SECRET_KEY": "short-but-random-Zx81"}, {}, "secret_key", "fewer than 32"),
    ({"EXCHANGE_SECRET_KEY": "a" * 64}, {}, "secret_key", "too little entropy"),
    ({"EXCHANGE_SECRET_KEY": "Abc123xY" * 6}, {}, "secret_key", "repeats itself"),
    ({"EXCHANGE_SECRET_KEY": "please-change-this-secret-key-in-production"}, {}, "secret_key", "placeholder"),
    ({"EXCHANGE_SECRET_KEY": "test-secret"}, {}, "secret_key", "placeholder"),
    ({}, {"DEBUG": True}, "debug", "Debug mode is on"),
    ({"FLASK_DEBUG": "1"}, {}, "debug", "Debug mode is on"),
    ({}, {"TESTING": True}, "testing", "TESTING is on"),
    ({}, {"WTF_CSRF_ENABLED": False}, "csrf", "CSRF protection is off"),
    ({"EXCHANGE_HTTPS": None}, {}, "https", "SESSION_COOKIE_SECURE"),
    ({}, {"PREFERRED_URL_SCHEME": "http"}, "https", "PREFERRED_URL_SCHEME"),
    ({}, {"HSTS_MAX_AGE": 0}, "hsts", "HSTS is off"),
    ({"EXCHANGE_TRUSTED_HOSTS": None}, {}, "trusted_hosts", "EXCHANGE_TRUSTED_HOSTS"),
    ({"EXCHANGE_RATELIMIT_STORAGE_URI": None}, {}, "rate_limits", "with 2 workers"),
    ({"EXCHANGE_EVENTS_URL": None}, {}, "live_events", "with 2 workers"),
    ({"EXCHANGE_RATELIMIT_STORAGE_URI": None, "WEB_CONCURRENCY": None}, {"WORKERS": 3}, "rate_limits",
     "with 3 workers"),
    ({}, {"RATELIMIT_ENABLED": False}, "rate_limits", "not throttled"),
    ({"EXCHANGE_BASE_URL": "http://exchange.example.org"}, {}, "base_url", "not https"),
    ({"EXCHANGE_BASE_URL": None}, {}, "base_url", "links in e-mails have no host"),
])
def test_each_problem_alone_fails(deploy_app, env, config, code, words):
    result = check(deploy_app(env, **config))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR    {code}:") and words in errors[0], result.output


def test_warnings_are_printed_and_fail_only_at_warning_level(deploy_app):
    app = deploy_app({"EXCHANGE_RATELIMIT_STORAGE_URI": None, "WEB_CONCURRENCY": None})
    result = check(app)
    assert result.exit_code == 0, result.output
    assert "WARNING  rate_limits:" in result.output
    assert "no problems" not in result.output and "0 errors, 1 warning" in result.output
    assert check(app, "--fail-level", "warning").exit_code == 1


def test_memory_rate_limits_are_fine_with_one_worker_and_a_warning_when_the_count_is_unknown(deploy_app):
    one = check(deploy_app({"EXCHANGE_RATELIMIT_STORAGE_URI": None, "WEB_CONCURRENCY": "1"}))
    assert one.exit_code == 0 and "no problems" in one.output, one.output
    unknown = check(deploy_app({"EXCHANGE_RATELIMIT_STORAGE_URI": None, "WEB_CONCURRENCY": None}))
    assert unknown.exit_code == 0 and "WARNING  rate_limits:" in unknown.output, unknown.output


def test_no_smtp_or_base_url_is_an_error_as_password_reset_sends_links_by_mail(deploy_app):
    for missing, code in (("EXCHANGE_SMTP_URL", "smtp"), ("EXCHANGE_BASE_URL", "base_url")):
        result = check(deploy_app({missing: None}))
        errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
        assert result.exit_code == 1 and len(errors) == 1 and errors[0].startswith(f"ERROR    {code}:"), result.output


def test_sqlite_with_several_workers_is_a_note_about_wal(deploy_app):
    result = check(deploy_app())
    if DATABASE_URL.startswith("sqlite"):
        assert "NOTE     database:" in result.output and "WAL" in result.output
    else:
        assert "NOTE     database:" not in result.output


# --- TRUSTED_HOSTS ---

def test_trusted_hosts_come_from_the_environment_and_other_hosts_get_400(deploy_app):
    app = deploy_app({"EXCHANGE_TRUSTED_HOSTS": " exchange.example.org, .example.net ,"}, WTF_CSRF_ENABLED=True)
    assert app.config["TRUSTED_HOSTS"] == ["exchange.example.org", ".example.net"]
    client = app.test_client()
    for host in ("exchange.example.org", "exchange.example.org:8443", "www.example.net"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "exchange.example.org.evil.example", "example.org"):
        for method, path in (("GET", "/login"), ("POST", "/login"), ("GET", "/"), ("GET", "/no-such-page"),
                             ("GET", "/static/css/app.css")):
            response = client.open(path, method=method, headers={"Host": host}, data={"email": "a@b.example"})
            assert response.status_code == 400, (host, method, path)
            assert "does not answer for the host name" in response.get_data(as_text=True)
            assert response.headers["Content-Security-Policy"]
        response = client.get("/api/v1/themes", headers={"Host": host})
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"


def test_untrusted_host_is_400_not_500_outside_testing(deploy_app):
    app = deploy_app(TESTING=False)  # errors are answered, not raised: a 500 would show as one
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_no_trusted_hosts_answers_any_host(app):
    assert app.config["TRUSTED_HOSTS"] is None
    assert app.test_client().get("/login", headers={"Host": "anything.example"}).status_code == 200


# --- headers ---

def test_csp_forbids_base_elements_and_no_template_uses_one(app):
    csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "base-uri 'self'" not in csp
    templates = Path(__file__).resolve().parents[1] / "templates"
    assert not [p for p in templates.rglob("*.html") if "<base" in p.read_text().lower()]


def test_hsts_once_the_site_is_https_even_behind_a_proxy(deploy_app):
    https = deploy_app()
    response = https.test_client().get("/login", headers={"Host": "exchange.example.org"})  # plain HTTP to the app
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = deploy_app({"EXCHANGE_HTTPS": None})
    assert "Strict-Transport-Security" not in plain.test_client().get(
        "/login", headers={"Host": "exchange.example.org"}).headers
    off = deploy_app(HSTS_MAX_AGE=0)
    assert "Strict-Transport-Security" not in off.test_client().get(
        "/login", headers={"Host": "exchange.example.org"}).headers


def test_live_events_in_memory_are_fine_with_one_worker_and_a_warning_when_the_count_is_unknown(deploy_app):
    one = check(deploy_app({"EXCHANGE_EVENTS_URL": None, "WEB_CONCURRENCY": "1"}))
    assert one.exit_code == 0 and "no problems" in one.output, one.output
    unknown = check(deploy_app({"EXCHANGE_EVENTS_URL": None, "WEB_CONCURRENCY": None}))
    assert unknown.exit_code == 0 and "WARNING  live_events:" in unknown.output, unknown.output
