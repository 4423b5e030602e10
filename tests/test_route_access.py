"""Every route declares its access rule, the rule is the one written here, and the guard enforces it
for every role (and for nobody signed in). A new route without a line below fails this test."""
from __future__ import annotations

import re

import pytest

from tests.helpers import writes_in_reads

ALL = {"member_state", "provider", "coordinator", "admin"}
OFFICE = {"coordinator", "admin"}
PUBLIC = "public"

# endpoint → who may enter: PUBLIC, or a set of roles. "approved=False" routes are marked with a *.
EXPECTED: dict[str, object] = {
    "requests.index": ALL,
    "requests.new": {"member_state", "coordinator"},
    "requests.detail": ALL,
    "requests.edit": {"member_state", "coordinator"},
    "requests.move": {"member_state", "coordinator"},
    "requests.share": {"coordinator"},
    "requests.upload_document": {"member_state", "coordinator"},
    "requests.text_language_of": ALL,
    "documents.download": ALL,
    "documents.delete": ALL,
    "offers.index": ALL,
    "offers.new": {"provider", "coordinator", "admin"},
    "offers.detail": ALL,
    "offers.edit": {"provider", "coordinator", "admin"},
    "offers.move": {"provider", "coordinator", "admin"},
    "offers.upload_document": {"provider", "coordinator", "admin"},
    "directory.index": ALL,
    "directory.countries": ALL,
    "directory.country": ALL,
    "triage.queue": {"coordinator"},
    "triage.decide": {"coordinator"},
    "triage.case": {"coordinator"},
    "triage.bulk": {"coordinator"},
    "triage.assign": {"coordinator"},
    "triage.save_view": {"coordinator"},
    "triage.delete_view": {"coordinator"},
    "search.index": ALL,
    "matches.index": ALL,
    "matches.detail": ALL,
    "matches.move": ALL,
    "matches.propose": {"coordinator"},
    "matches.add_funding_entry": {"provider", "coordinator", "admin"},
    "matches.add_result_indicator": {"provider", "coordinator", "admin"},
    "matches.comment_on_result": {"member_state"},
    "matches.save_lessons": {"provider", "coordinator", "admin"},
    "messages.post_on_request": ALL,
    "messages.post_on_match": ALL,
    "inbox.index": ALL,
    "inbox.read_all": ALL,
    "inbox.open_one": ALL,
    "subscriptions.index": ALL,
    "subscriptions.preferences": ALL,
    "subscriptions.new": {"provider", "coordinator"},
    "subscriptions.create": {"provider", "coordinator"},
    "subscriptions.delete": {"provider", "coordinator"},
    "jobs.index": ALL,
    "jobs.start": ALL,
    "jobs.detail": ALL,
    "jobs.status": ALL,
    "jobs.download": ALL,
    "jobs.failed": {"admin"},
    "jobs.retry": {"admin"},
    "audit_trail.index": OFFICE,
    "security_review.index": {"admin"},
    "tokens.index": ALL,
    "tokens.create": ALL,
    "tokens.revoke": ALL,
    "tokens.admin_revoke": {"admin"},
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.logout": ALL,
    "auth.change_password": ALL,
    "auth.account": ALL,
    "auth.end_other_sessions": ALL,
    "auth.change_language": ALL,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "mfa.challenge": PUBLIC,
    "mfa.account": ALL,
    "mfa.enrol": ALL,
    "mfa.regenerate": ALL,
    "mfa.disable": ALL,
    "mfa.reset_user": {"admin"},
    "reauth.confirm": ALL,
    "home.index": ALL,
    "home.status_colours": PUBLIC,
    "admin.users": {"admin"},
    "admin.new_user": {"admin"},
    "admin.edit_user": {"admin"},
    "admin.set_active": {"admin"},
    "admin.end_sessions": {"admin"},
    "admin.organisations": {"admin"},
    "admin.new_organisation": {"admin"},
    "admin.edit_organisation": {"admin"},
    "admin.providers": OFFICE,
    "admin.set_approval": OFFICE,
    "api_spec.openapi": PUBLIC,
    "api_reference.themes": ALL,
    "api_reference.countries": ALL,
    "api_reference.regions": ALL,
    "api_reference.organisations": ALL,
    "api_reference.modalities": ALL,
    "api_reference.languages": ALL,
    "api_suggestions.offers_for_request": ALL,
    "api_suggestions.requests_for_offer": ALL,
    "api_requests.list_requests": ALL,
    "api_requests.create_request": {"member_state", "coordinator"},
    "api_requests.get_one": ALL,
    "api_requests.update": {"member_state", "coordinator"},
    "api_requests.move_submit": ALL,
    "api_requests.move_review": ALL,
    "api_requests.move_accept": ALL,
    "api_requests.move_request_info": ALL,
    "api_requests.move_reject": ALL,
    "api_requests.move_withdraw": ALL,
    "api_requests.move_close": ALL,
    "api_offers.list_offers": ALL,
    "api_offers.create_offer": {"provider", "coordinator", "admin"},
    "api_offers.get_one": ALL,
    "api_offers.update": {"provider", "coordinator", "admin"},
    "api_offers.move_pause": {"provider", "coordinator", "admin"},
    "api_offers.move_resume": {"provider", "coordinator", "admin"},
    "api_offers.move_close": {"provider", "coordinator", "admin"},
    "api_matches.list_matches": ALL,
    "api_matches.propose": {"coordinator"},
    "api_matches.get_one": ALL,
    "api_matches.move_accept": ALL,
    "api_matches.move_decline": ALL,
    "api_matches.move_start": ALL,
    "api_matches.move_complete": ALL,
    "api_matches.move_confirm": ALL,
    "api_matches.move_withdraw": ALL,
    "api_matches.update": {"provider", "coordinator", "admin"},
    "api_matches.list_funding": ALL,
    "api_matches.create_funding": {"provider", "coordinator", "admin"},
    "api_matches.list_results": ALL,
    "api_matches.create_result": {"provider", "coordinator", "admin"},
    "api_matches.comment_on_result": {"member_state"},
    "api_messages.request_thread": ALL,
    "api_messages.post_on_request": ALL,
    "api_messages.match_thread": ALL,
    "api_messages.post_on_match": ALL,
    "api_documents.request_documents": ALL,
    "api_documents.offer_documents": ALL,
    "api_documents.attach_to_request": {"member_state", "coordinator"},
    "api_documents.attach_to_offer": {"provider", "coordinator", "admin"},
    "api_documents.download": ALL,
    "api_documents.remove": ALL,
    "reports.matrix": ALL,
    "reports.dashboard": ALL,
    "reports.progress": OFFICE,
    "reports.progress_pdf": OFFICE,
    "reports.exports_index": ALL,
    "reports.export_requests": ALL,
    "reports.export_offers": ALL,
    "reports.export_matches": ALL,
    "reports.export_matrix": ALL,
    "reports.export_audit": OFFICE,
    "reports.export_iati": ALL,
    "imports.offers": {"provider", "coordinator", "admin"},
    "imports.confirm": {"provider", "coordinator", "admin"},
    "imports.template": {"provider", "coordinator", "admin"},
    "imports.offers_job": {"provider", "coordinator", "admin"},
    "imports.offers_job_confirm": {"provider", "coordinator", "admin"},
    "api_views.matrix": ALL,
    "api_views.iati_activities": ALL,
    "api_notifications.list_notifications": ALL,
    "api_notifications.read": ALL,
    "api_live.events": ALL,
    "live.stream": ALL,
    "live.poll": ALL,
    "api_views.public_summary_api": PUBLIC,
    "public.summary": PUBLIC,
    "public.summary_csv_file": PUBLIC,
    "iati_import.upload": {"provider", "coordinator", "admin"},
    "iati_import.confirm": {"provider", "coordinator", "admin"},
    "iati_import.job": {"provider", "coordinator", "admin"},
    "iati_import.job_confirm": {"provider", "coordinator", "admin"},
    "request_imports.upload": {"coordinator"},
    "request_imports.confirm": {"coordinator"},
    "request_imports.template": {"coordinator"},
    "request_imports.job": OFFICE,
    "request_imports.job_confirm": {"coordinator"},
    "reference_admin.index": {"admin"},
    "reference_admin.new": {"admin"},
    "reference_admin.edit": {"admin"},
}
# Routes open to a provider whose organisation still awaits approval (everything else needs approval).
UNAPPROVED_OK = {"auth.logout", "auth.change_password", "auth.account", "auth.end_other_sessions", "auth.change_language",
                 "home.index", "home.status_colours", "auth.login", "auth.register", "auth.forgot_password", "auth.reset_password",
                 "api_spec.openapi"}
UNAPPROVED_OK |= {"mfa.account", "mfa.enrol", "mfa.regenerate", "mfa.disable", "reauth.confirm"}
SKIP = {"static", "bootstrap.static"}


def _endpoints(app):
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - SKIP)


def test_every_route_declares_the_expected_rule(app):
    missing_rule, missing_expectation, wrong = [], [], []
    for endpoint in _endpoints(app):
        rule = getattr(app.view_functions[endpoint], "access_rule", None)
        if rule is None:
            missing_rule.append(endpoint)
            continue
        if endpoint not in EXPECTED:
            missing_expectation.append(endpoint)
            continue
        expected = EXPECTED[endpoint]
        declared = PUBLIC if rule.public else set(rule.roles)
        if declared != expected:
            wrong.append(f"{endpoint}: declares {declared}, expected {expected}")
        if not rule.public and (endpoint in UNAPPROVED_OK) == rule.approved:
            wrong.append(f"{endpoint}: approval requirement is {rule.approved}")
    assert not missing_rule, f"routes without @allow: {missing_rule}"
    assert not missing_expectation, f"routes missing from EXPECTED in this test: {missing_expectation}"
    assert not wrong, wrong
    assert not set(EXPECTED) - set(_endpoints(app)), "EXPECTED names routes that no longer exist"


def _concrete(rule) -> str:
    path = re.sub(r"<int:[^>]+>", "999999", rule.rule)
    path = re.sub(r"<(?:path:|string:)?[^>]+>", "zzz", path)
    return path


def _cases(app):
    # Signing out ends the session the other cases use: it goes last.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        if rule.endpoint in SKIP:
            continue
        method = "GET" if "GET" in rule.methods else min(rule.methods - {"HEAD", "OPTIONS"})
        yield rule.endpoint, method, _concrete(rule)


PERSONS = ["anonymous", "state", "provider", "outside", "pending", "coordinator", "admin"]
ROLE_OF = {"state": "member_state", "provider": "provider", "outside": "provider", "pending": "provider",
           "coordinator": "coordinator", "admin": "admin"}


def _admitted(endpoint: str, person: str) -> bool:
    expected = EXPECTED[endpoint]
    if expected == PUBLIC:
        return True
    if person == "anonymous":
        return False
    if person == "pending" and endpoint not in UNAPPROVED_OK:
        return False
    return ROLE_OF[person] in expected


@pytest.mark.parametrize("person", PERSONS)
def test_the_guard_enforces_every_rule_for_every_person(app, clients, tokens, person):
    failures = []
    with writes_in_reads() as writes:  # refusals and token uses leave their traces after the request only
        _walk(app, clients, tokens, person, failures)
    assert not failures, failures
    assert not writes, writes


def _walk(app, clients, tokens, person, failures):
    for endpoint, method, path in _cases(app):
        if endpoint not in EXPECTED:
            continue  # reported by the test above
        is_api = path.startswith("/api/")
        if is_api:
            client = app.test_client()
            headers = {} if person == "anonymous" else {"Authorization": f"Bearer {tokens[person]}"}
        else:
            client, headers = getattr(clients, person), {}
        response = client.open(path, method=method, headers=headers)
        status = response.status_code
        denied_page = status == 403 or (status == 302 and "/login?next=" in response.headers.get("Location", ""))
        denied = status in (401, 403) if is_api else denied_page
        if _admitted(endpoint, person):
            # Admitted: the guard let it through (the view may still say 404 for a record that does not exist).
            if status in (401, 403) or (not is_api and denied_page):
                failures.append(f"{person} refused at {method} {path} ({status})")
            assert status != 500, f"{method} {path} as {person} gave 500"
        elif not denied:
            failures.append(f"{person} let in at {method} {path} ({status})")


def test_ids_too_large_for_any_record_answer_404_not_500(app, clients, tokens):
    """Every route with an id, given one beyond the 32-bit range of primary keys, as the office."""
    failures = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", str(2**40), rule.rule)
        path = re.sub(r"<(?:path:|string:)?[^>]+>", "zzz", path)
        method = "GET" if "GET" in rule.methods else min(rule.methods - {"HEAD", "OPTIONS"})
        if path.startswith("/api/"):
            response = app.test_client().open(path, method=method,
                                              headers={"Authorization": f"Bearer {tokens.coordinator}"})
        else:
            response = clients.coordinator.open(path, method=method)
        if response.status_code >= 500:
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, failures
