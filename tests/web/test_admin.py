"""Admins manage users and organisations in pages; bad input changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.people.models import Organisation, User


def test_admin_creates_a_user_with_a_generated_password(app, clients):
    response = clients.admin.post("/admin/users/new", data={
        "email": "New.Focal@TJK.test.example", "name": "New focal", "role": "member_state", "organisation": "TJK",
        "password": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "created with the password" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.focal@tjk.test.example"))
        assert user.organisation.code == "TJK" and user.role == "member_state"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created",
                                                          AuditEvent.record_id == user.id))


def test_user_form_errors_beside_fields(app, clients, people):
    page = clients.admin.post("/admin/users/new", data={
        "email": people.state.email, "role": "provider", "organisation": "KAZ", "password": "short"}
    ).get_data(as_text=True)
    assert "already exists" in page and "must be member_state" in page and "at least 12" in page
    page = clients.admin.post("/admin/users/new", data={
        "email": "x@y.example", "role": "admin", "organisation": "NOPE", "password": ""}).get_data(as_text=True)
    assert "No organisation with code" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@y.example")) is None


def test_admin_edits_a_user_and_a_role_change_ends_their_sessions(app, clients, people):
    assert clients.provider.get("/").status_code == 200
    response = clients.admin.post(f"/admin/users/{people.provider.id}", data={
        "name": "Renamed", "role": "provider", "organisation": "IMF", "password": ""})
    assert response.status_code == 302
    assert clients.provider.get("/").status_code == 302
    with app.app_context():
        assert db.session.get(User, people.provider.id).organisation.code == "IMF"


def test_admin_cannot_disable_themselves(app, clients, people):
    clients.admin.post(f"/admin/users/{people.admin.id}/active", data={"active": "0"})
    with app.app_context():
        assert db.session.get(User, people.admin.id).active is True


def test_admin_lists_and_searches_users(clients, people):
    page = clients.admin.get("/admin/users?q=unodc").get_data(as_text=True)
    assert people.provider.email in page and people.state.email not in page
    assert clients.admin.get("/admin/users?page=abc").status_code == 200


def test_admin_creates_organisations_and_duplicates_are_refused(app, clients):
    response = clients.admin.post("/admin/organisations/new", data={
        "code": "", "name": "Pacific Islands Forum Secretariat", "kind": "outside_provider", "website": "",
        "description": ""})
    assert response.status_code == 302
    page = clients.admin.post("/admin/organisations/new", data={
        "code": "UNODC", "name": "Again", "kind": "task_force_entity"}).get_data(as_text=True)
    assert "already exists" in page
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(
            Organisation.code == "pacific-islands-forum-secretariat")) is not None
    assert "Pacific Islands Forum" in clients.admin.get("/admin/organisations?kind=outside_provider").get_data(
        as_text=True)


def test_unknown_user_id_is_404(clients):
    assert clients.admin.get("/admin/users/999999").status_code == 404
