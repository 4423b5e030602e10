"""Reference data managed in the app: admins edit working groups, their lead entities and the themes they
cover; each change is in the audit trail and the group's history; routing follows the edited data at once;
`seed reference` keeps the edits; only admins may do it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.reference.models import Theme, WorkingGroup
from tests.factories import make_user
from tests.helpers import signed_in_client


@pytest.fixture(autouse=True)
def restored_reference(app):
    """The reference data as loaded, again after each test (the tests' database keeps it between tests)."""
    yield
    with app.app_context():
        db.session.execute(update(WorkingGroup).values(edited_at=None))
        db.session.execute(update(Theme).values(working_group_edited_at=None))
        from exchange.reference.seed import load_reference
        load_reference()
        db.session.execute(WorkingGroup.__table__.delete().where(WorkingGroup.code == "digital-threats"))
        db.session.commit()


def _group(app, code):
    with app.app_context():
        group = db.session.get(WorkingGroup, code)
        return {"name": group.name, "leads": [o.code for o in group.leads],
                "themes": sorted(db.session.scalars(select(Theme.code).where(Theme.working_group_code == code)))}


def _save(client, code, **form):
    return client.post(f"/admin/working-groups/{code}", data=form)


def test_routing_follows_the_edited_leads_at_once(app, people, clients, world):
    with app.app_context():
        wco = make_user("officer@wco.test.example", "provider", "WCO")
        db.session.commit()
        wco_id = wco.id
    response = _save(clients.admin, "financing", name="Tackling the financing of terrorism",
                     leads=["UNODC", "WCO"], members=["CTED"], themes=["financing"])
    assert response.status_code == 302
    assert _group(app, "financing")["leads"] == ["UNODC", "WCO"]
    request_id = world.request("submitted", themes=["financing"])
    world.move_request(request_id, "accept")
    told = {n.user_id for person in (people.provider, people.other_provider)
            for n in world.notifications_of(person, "request.routed")}
    with app.app_context():
        from exchange.messages.models import Notification
        wco_told = db.session.scalars(select(Notification).where(Notification.user_id == wco_id,
                                                                 Notification.kind == "request.routed")).all()
    assert people.provider.id in told and people.other_provider.id not in told  # IMF no longer leads
    assert len(wco_told) == 1


def test_a_new_group_takes_a_theme_and_routes_it(app, people, clients, world):
    response = clients.admin.post("/admin/working-groups/new", data={
        "code": "digital-threats", "name": "Countering digital threats", "leads": ["UNODC"],
        "themes": ["internet"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _group(app, "digital-threats")["themes"] == ["internet"]
    assert "internet" not in _group(app, "internet")["themes"]
    request_id = world.request("submitted", themes=["internet"])
    world.move_request(request_id, "accept")
    assert len(world.notifications_of(people.provider, "request.routed")) == 1
    page = clients.admin.get("/admin/working-groups").get_data(as_text=True)
    assert "Countering digital threats" in page


def test_every_change_is_in_the_history_and_the_audit_trail(app, clients):
    _save(clients.admin, "wmd", name="Preventing and responding to WMD attacks",
          leads=["IAEA", "OPCW"], members=[], themes=["wmd"])
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "working_group")))
    assert len(events) == 1 and events[0].action == "working_group.edited"
    assert events[0].changes["leads"] == [["IAEA", "OPCW", "UNICRI", "UNODA", "WHO"], ["IAEA", "OPCW"]]
    assert events[0].changes["name"][1] == "Preventing and responding to WMD attacks"
    page = clients.admin.get("/admin/working-groups/wmd").get_data(as_text=True)
    assert 'id="group-history"' in page and "UNICRI" in page.split('id="group-history"')[1]
    trail = clients.admin.get("/audit?record_type=working_group").get_data(as_text=True)
    assert "Working group edited" in trail


def test_seed_reference_keeps_what_admins_edited(app, clients):
    _save(clients.admin, "financing", name="Financing of terrorism (edited)", leads=["WB"], themes=["financing"])
    clients.admin.post("/admin/working-groups/new", data={"code": "digital-threats", "name": "Digital threats",
                                                          "leads": ["UNODC"], "themes": ["internet"]})
    result = app.test_cli_runner().invoke(args=["seed", "reference"])
    assert result.exit_code == 0, result.output
    assert _group(app, "financing") == {"name": "Financing of terrorism (edited)", "leads": ["WB"],
                                        "themes": ["financing"]}
    assert _group(app, "digital-threats")["themes"] == ["internet"]
    assert _group(app, "wmd")["leads"] == ["IAEA", "OPCW", "UNICRI", "UNODA", "WHO"]  # untouched: as loaded


@pytest.mark.parametrize("form, field, message", [
    ({"name": "x", "leads": ["UNODC"]}, "name", "Length must be between 3 and 200."),
    ({"name": "Tackling the financing of terrorism", "leads": ["KAZ"]}, "leads", "Not a provider: KAZ."),
    ({"name": "Tackling the financing of terrorism", "leads": ["NO-SUCH"]}, "leads", "Not a provider: NO-SUCH."),
    ({"name": "Tackling the financing of terrorism", "themes": ["astrology"]}, "themes", "Unknown themes: astrology."),
])
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(app, clients, form, field, message):
    before = _group(app, "financing")
    response = _save(clients.admin, "financing", **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _group(app, "financing") == before


@pytest.mark.parametrize("code", ["Bad Code", "financing", ""])
def test_a_new_group_needs_a_free_code(app, clients, code):
    response = clients.admin.post("/admin/working-groups/new", data={"code": code, "name": "Another group"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(WorkingGroup).where(WorkingGroup.name == "Another group")) is None


def test_an_unknown_group_is_404(clients):
    assert clients.admin.get("/admin/working-groups/no-such-group").status_code == 404


@pytest.mark.parametrize("person", ["state", "provider", "outside", "coordinator"])
def test_only_admins_manage_reference_data(app, clients, person):
    before = _group(app, "financing")
    client = getattr(clients, person)
    assert client.get("/admin/working-groups").status_code == 403
    assert client.get("/admin/working-groups/financing").status_code == 403
    assert client.get("/admin/working-groups/new").status_code == 403
    assert _save(client, "financing", name="Taken over", leads=["WB"]).status_code == 403
    assert _group(app, "financing") == before


def test_anonymous_people_are_sent_to_sign_in(clients):
    response = clients.anonymous.get("/admin/working-groups")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_operation_refuses_anyone_but_an_admin(app, people):
    from exchange.core.errors import Forbidden
    from exchange.reference.operations import save_working_group
    from tests.factories import user_of
    with app.app_context():
        for person in (people.coordinator, people.provider, people.state):
            with pytest.raises(Forbidden):
                save_working_group(user_of(person), db.session.get(WorkingGroup, "financing"), {"name": "Taken"})
        db.session.rollback()


def test_two_admins_editing_at_once_get_a_conflict_not_a_silent_overwrite(app, clients):
    page = clients.admin.get("/admin/working-groups/financing").get_data(as_text=True)
    read_at = re.search(r'name="read_at" type="hidden" value="([^"]*)"', page).group(1)
    first = _save(clients.admin, "financing", name="First admin's name", leads=["UNODC"], themes=["financing"],
                  read_at=read_at)
    assert first.status_code == 302
    with app.app_context():
        second_admin = make_user("second-admin@ctitf.test.example", "admin", "CTITF")
        db.session.commit()
        second_id = second_admin.id
    late = _save(signed_in_client(app, second_id), "financing", name="Second admin's name", leads=["WB"],
                 themes=["financing"], read_at=read_at)
    assert late.status_code == 409 and "Someone else saved" in late.get_data(as_text=True)
    assert _group(app, "financing")["name"] == "First admin's name"
