"""Security events: a 403 a signed-in person gets is recorded (time, user, client address, path) after the
request, never in the GET's own transaction; the admins' Security events page lists them newest first,
filters them by event, person, address and dates, and pages them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from tests.factories import World
from tests.helpers import writes_in_reads


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def test_a_403_page_records_one_event_and_its_get_writes_nothing_in_its_transaction(app, people, clients):
    with writes_in_reads() as writes:
        response = clients.provider.get("/admin/users", environ_base={"REMOTE_ADDR": "192.0.2.55"})
    assert response.status_code == 403
    assert writes == []
    (event,) = _events(app, "security.forbidden")
    assert event.actor_id == people.provider.id and event.record_type == "user" and event.record_id == people.provider.id
    assert event.changes == {"email": people.provider.email, "address": "192.0.2.55", "path": "/admin/users"}
    assert "GET /admin/users" in event.summary and abs(event.at - utcnow()) < timedelta(minutes=1)


def test_refusals_of_the_rules_are_403_events_too_and_nobody_signed_in_records_none(app, people, clients, tokens):
    request_id = World(app, people).request("submitted")
    response = app.test_client().post(f"/api/v1/requests/{request_id}/accept",
                                      headers={"Authorization": f"Bearer {tokens.state}"})
    assert response.status_code == 403  # the workflow's refusal: only a coordinator accepts
    assert clients.anonymous.get("/admin/users").status_code == 302
    assert clients.state.get("/admin/security").status_code == 403
    events = _events(app, "security.forbidden")
    assert [(e.actor_id, e.changes["path"]) for e in events] == [
        (people.state.id, f"/api/v1/requests/{request_id}/accept"), (people.state.id, "/admin/security")]


def _add(app, action, at, *, actor=None, email="", address="10.0.0.1", summary=""):
    with app.app_context():
        db.session.execute(insert(AuditEvent).values(
            at=at, actor_id=getattr(actor, "id", None), action=action, record_type="user",
            record_id=getattr(actor, "id", None), summary=summary,
            changes={"email": email or getattr(actor, "email", ""), "address": address, "path": "/login"}))
        db.session.commit()


def _rows(html: str) -> int:
    return html.count("<tr>") - 1  # less the header row


def test_the_admin_page_lists_security_events_newest_first_and_filters_them(app, people, clients):
    now = utcnow()
    _add(app, "security.sign_in_failed", now - timedelta(days=3), email="nobody@else.example", address="10.9.8.7",
         summary="Oldest failure")
    _add(app, "security.sign_in", now - timedelta(days=1), actor=people.state, address="10.0.0.1",
         summary="Middle sign-in")
    _add(app, "security.token_refused", now, actor=people.provider, address="172.16.0.9", summary="Newest refusal")
    _add(app, "request.submitted", now, actor=people.state, summary="Not a security event")
    html = clients.admin.get("/admin/security").get_data(as_text=True)
    assert _rows(html) == 3 and "Not a security event" not in html
    assert html.index("Newest refusal") < html.index("Middle sign-in") < html.index("Oldest failure")
    assert "10.9.8.7" in html and "nobody@else.example" in html and people.provider.email in html

    def shown(**args) -> str:
        response = clients.admin.get("/admin/security", query_string=args)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Middle sign-in" in (page := shown(action="security.sign_in")) and _rows(page) == 1
    assert "Oldest failure" in (page := shown(person="NOBODY@else")) and _rows(page) == 1  # the e-mail typed
    assert "Newest refusal" in (page := shown(person="unodc")) and _rows(page) == 1  # the account's e-mail
    assert "Newest refusal" in (page := shown(address="172.16.")) and _rows(page) == 1
    day = lambda d: (now - timedelta(days=d)).date().isoformat()
    assert _rows(shown(**{"from": day(1)})) == 2
    assert "Oldest failure" in (page := shown(to=day(2))) and _rows(page) == 1
    assert _rows(shown(**{"from": day(3), "to": day(3)})) == 1
    # Filters that cannot be understood say so, and are left out.
    page = shown(action="user.deleted", **{"from": "yesterday"})
    assert "Choose an action from the list." in page and "Use a date as YYYY-MM-DD." in page and _rows(page) == 3
    assert "No security events match." in shown(address="%")


def test_the_admin_page_pages_the_events(app, people, clients):
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(AuditEvent), [
            {"at": now - timedelta(seconds=i), "action": "security.sign_in_failed", "record_type": "user",
             "summary": f"Attempt {i}", "changes": {"email": "x@y.example", "address": "10.1.1.1", "path": "/login"}}
            for i in range(60)])
        db.session.commit()
    first = clients.admin.get("/admin/security?action=security.sign_in_failed").get_data(as_text=True)
    assert _rows(first) == 50 and "Page 1 of 2" in first and "Attempt 0<" in first
    second = clients.admin.get("/admin/security?action=security.sign_in_failed&page=2").get_data(as_text=True)
    assert _rows(second) == 10 and "Attempt 59<" in second
    assert "action=security.sign_in_failed" in first.split("Next")[0].rsplit("href=", 1)[1]
