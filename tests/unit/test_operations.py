"""Operations called directly against the test database, without HTTP: who may make them (refused inside,
whatever route calls them), their input validated by the area's schema, the audit event each leaves, and
the one commit per request (core/transactions.py) with the CLI's command_transaction."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from exchange.audit.models import AuditEvent
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.transactions import all_or_nothing, command_transaction
from exchange.documents.models import Document
from exchange.documents.operations import attach_document, delete_document
from exchange.matches.operations import match_move, propose_match
from exchange.messages.models import Message, ThreadRead
from exchange.messages.operations import post_message
from exchange.offers.operations import create_offer, offer_move
from exchange.people import mfa
from exchange.people.models import User
from exchange.people.operations import (
    change_password,
    create_organisation,
    create_user,
    set_organisation_approval,
    set_user_active,
    update_user,
)
from exchange.people.tokens import issue_api_token
from exchange.requests.operations import create_request, request_move
from tests.factories import PASSWORD

REQUEST = {"title": "Training for the financial intelligence unit", "themes": ["financing"],
           "description": "Analysts need training on terrorist financing typologies and suspicious reports.",
           "modalities": ["training"], "languages": ["en"]}
OFFER = {"title": "Countering the financing of terrorism course", "themes": ["financing"],
         "description": "A two-week course for FIU analysts and supervisors on terrorist financing.",
         "modalities": ["training"], "languages": ["en"]}
NEW_USER = {"email": "new.focal@kaz.test.example", "role": "member_state", "organisation": "KAZ",
            "password": "A-long-and-unguessable-password-9", "name": "New focal"}


@pytest.fixture
def as_(ctx, people):
    """The person of this role, loaded in the test's session."""
    return lambda role: db.session.get(User, getattr(people, role).id)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- people -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "state", "provider"])
def test_only_an_admin_or_the_command_line_creates_users(as_, role):
    users = count(User)
    with pytest.raises(Forbidden):
        create_user(as_(role), NEW_USER)
    assert count(User) == users
    assert create_user(as_("admin"), NEW_USER).email == NEW_USER["email"]
    assert create_user(None, NEW_USER | {"email": "cli@kaz.test.example"}).role == "member_state"


def test_creating_a_user_is_audited_with_its_actor(as_):
    admin = as_("admin")
    user = create_user(admin, NEW_USER | {"email": "  New.Focal@KAZ.test.example "})
    assert user.email == "new.focal@kaz.test.example" and user.name == "New focal"
    (event,) = events("user.created")
    assert (event.actor_id, event.record_type, event.record_id) == (admin.id, "user", user.id)
    assert event.changes["organisation"] == [None, "KAZ"]


def test_a_new_user_is_validated_by_its_schema_and_every_problem_named(as_):
    with pytest.raises(ValidationFailed) as refused:
        create_user(as_("admin"), {"email": "not-an-address", "role": "provider", "organisation": "KAZ",
                                   "password": "short"})
    assert refused.value.message == "The user could not be created."
    assert set(refused.value.fields) == {"email", "role", "password"}
    assert refused.value.fields["role"] == ["A user of KAZ (Member State) must be member_state."]
    with pytest.raises(ValidationFailed) as unknown:
        create_user(None, NEW_USER | {"organisation": "NOPE", "surname": "x"})
    assert "surname" in unknown.value.fields
    with pytest.raises(ValidationFailed) as taken:
        create_user(None, NEW_USER | {"email": "focal@kaz.test.example"})
    assert taken.value.fields == {"email": ["A user with this e-mail already exists."]}
    assert events("user.created") == []


def test_changing_users_is_for_admins_and_nobody_disables_themselves(as_):
    state = as_("state")
    with pytest.raises(Forbidden):
        update_user(as_("coordinator"), state, {"name": "X", "role": "member_state", "organisation": "KAZ"})
    with pytest.raises(ValidationFailed) as refused:
        update_user(as_("admin"), state, {"name": "X", "role": "provider", "organisation": "KAZ"})
    assert refused.value.fields == {"role": ["A user of KAZ must be member_state."]}
    admin = as_("admin")
    with pytest.raises(Forbidden, match="You cannot disable your own account."):
        set_user_active(admin, admin, {"active": False})
    with pytest.raises(ValidationFailed):
        set_user_active(admin, state, {"active": "no"})
    set_user_active(admin, state, {"active": False})
    assert state.active is False and events("user.disabled")[0].actor_id == admin.id


def test_only_the_owner_changes_their_password_and_the_current_one_is_checked(as_):
    state = as_("state")
    with pytest.raises(Forbidden):
        change_password(as_("admin"), state, {"current": PASSWORD, "password": "Another-long-password-77"})
    with pytest.raises(ValidationFailed) as wrong:
        change_password(state, state, {"current": "not it", "password": "Another-long-password-77"})
    assert wrong.value.message == "The current password is not right."
    assert wrong.value.fields == {"current": ["This is not your password."]}
    with pytest.raises(ValidationFailed) as weak:
        change_password(state, state, {"current": PASSWORD, "password": "password"})
    assert weak.value.message == "Choose another password." and "password" in weak.value.fields


def test_organisations_are_made_by_admins_and_providers_approved_by_the_office(as_):
    with pytest.raises(Forbidden):
        create_organisation(as_("coordinator"), {"name": "Pacific Forum", "kind": "outside_provider"})
    org = create_organisation(as_("admin"), {"name": "Pacific Forum", "kind": "outside_provider",
                                             "approval": "pending"})
    assert org.code == "pacific-forum" and events("organisation.created")[0].record_id == org.id
    with pytest.raises(ValidationFailed) as duplicate:
        create_organisation(None, {"name": "Another CTITF", "kind": "task_force_office", "code": "CTITF"})
    assert duplicate.value.fields == {"code": ["An organisation with this code already exists."]}
    with pytest.raises(Forbidden):
        set_organisation_approval(as_("provider"), org, {"approval": "approved"})
    with pytest.raises(ValidationFailed):
        set_organisation_approval(as_("coordinator"), org, {"approval": "maybe"})
    set_organisation_approval(as_("coordinator"), org, {"approval": "approved"})
    assert org.approval == "approved" and events("organisation.approved")[0].actor_id == as_("coordinator").id


def test_tokens_and_second_factors_are_the_owners_or_an_admins(as_):
    state, provider = as_("state"), as_("provider")
    with pytest.raises(Forbidden):
        issue_api_token(provider, state, {"name": "theirs"})
    with pytest.raises(ValidationFailed) as days:
        issue_api_token(state, state, {"days": "0"})
    assert list(days.value.fields) == ["days"]
    assert issue_api_token(as_("admin"), state, {"name": "for a script", "scope": "read"})
    with pytest.raises(Forbidden):
        mfa.start_enrolment(as_("admin"), state)
    with pytest.raises(Forbidden):
        mfa.disable(provider, state)
    assert mfa.start_enrolment(state, state).user_id == state.id


# --- requests, offers, matches --------------------------------------------------------------------

def test_filing_a_request_is_authorised_validated_and_audited(as_):
    with pytest.raises(Forbidden, match="Only Member States' focal points and coordinators file requests."):
        create_request(as_("provider"), REQUEST)
    with pytest.raises(ValidationFailed) as refused:
        create_request(as_("state"), {"description": REQUEST["description"]})
    # Every problem at once (issue 14): the missing title with what else submitting it would lack.
    assert refused.value.fields == {"title": ["Enter a title of 5 to 200 characters."],
                                    "themes": ["Choose at least one theme."],
                                    "modalities": ["Choose at least one kind of assistance."],
                                    "languages": ["Choose at least one language."],
                                    "urgency": ["Choose how urgent the need is."]}
    req = create_request(as_("state"), REQUEST)
    assert req.status == "submitted"
    assert [e.record_id for e in events("request.created")] == [req.id]
    assert [e.record_id for e in events("request.submitted")] == [req.id]


def test_moves_are_operations_made_from_the_table(as_):
    req = create_request(as_("state"), REQUEST | {"draft": True})
    with pytest.raises(Conflict):
        request_move("accept")(as_("coordinator"), req, {})
    with pytest.raises(Forbidden):
        request_move("accept")(as_("state"), req, {})
    with pytest.raises(Conflict, match="Unknown action"):
        request_move("fly")(as_("state"), req, {})
    request_move("submit")(as_("state"), req, {})
    with pytest.raises(ValidationFailed) as no_reason:
        request_move("reject")(as_("coordinator"), req, {})
    assert "reason" in no_reason.value.fields
    request_move("accept")(as_("coordinator"), req, {})
    assert req.status == "open" and events("request.accept")[0].actor_id == as_("coordinator").id
    offer = create_offer(as_("provider"), OFFER)
    with pytest.raises(Forbidden):
        offer_move("pause")(as_("other_provider"), offer, {})
    match = propose_match(as_("coordinator"), {"request_id": req.id, "offer_id": offer.id})
    with pytest.raises(Forbidden):
        match_move("accept")(as_("other_provider"), match, {})
    match_move("accept")(as_("provider"), match, {})
    assert (match.status, req.status) == ("accepted", "matched")


# --- documents and threads ---------------------------------------------------------------------------

def _pdf(name: str = "terms.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(b"%PDF-1.4\n% a test document\n"), filename=name)


def test_documents_are_attached_and_deleted_by_whoever_may_edit_the_record(as_):
    req = create_request(as_("state"), REQUEST)
    with pytest.raises(Forbidden, match="Only those who may edit this request may add documents to it."):
        attach_document(as_("other_state"), req, {"file": _pdf()})
    with pytest.raises(ValidationFailed) as missing:
        attach_document(as_("state"), req, {})
    assert missing.value.fields == {"file": ["Choose a file to upload."]}
    document = attach_document(as_("state"), req, {"file": _pdf()})
    assert events("document.uploaded")[0].record_id == req.id
    with pytest.raises(Forbidden):
        delete_document(as_("other_state"), document)
    assert delete_document(as_("state"), document) is req
    assert count(Document) == 0 and events("document.deleted")[0].changes == {"document": ["terms.pdf", None]}


def test_a_deleted_documents_file_goes_only_once_the_deletion_is_committed(app, as_):
    document = attach_document(as_("state"), create_request(as_("state"), REQUEST), {"file": _pdf()})
    db.session.commit()
    from exchange.documents.storage import stored_path
    path = stored_path(document)
    delete_document(as_("state"), document)
    db.session.rollback()
    assert path.is_file()
    delete_document(as_("state"), db.session.get(Document, document.id))
    db.session.commit()
    assert not path.is_file()


def test_an_attached_file_rolled_back_is_removed(as_):
    document = attach_document(as_("state"), create_request(as_("state"), REQUEST), {"file": _pdf()})
    from exchange.documents.storage import stored_path
    path = stored_path(document)
    assert path.is_file()
    db.session.rollback()
    assert not path.is_file()


def test_posting_a_message_is_for_who_sees_the_record_and_moves_the_writers_marker(as_):
    req = create_request(as_("state"), REQUEST)
    with pytest.raises(Forbidden):
        post_message(as_("other_state"), req, {"message": "Not my State's request."})
    with pytest.raises(ValidationFailed):
        post_message(as_("state"), req, {"message": ""})
    message = post_message(as_("state"), req, {"message": "The unit has forty analysts."})
    assert count(Message) == 1
    marker = db.session.scalar(select(ThreadRead).where(ThreadRead.user_id == as_("state").id))
    assert marker.last_read_at == message.created_at


# --- the one commit --------------------------------------------------------------------------------------

def test_all_or_nothing_undoes_the_work_before_a_refusal(as_):
    from exchange.requests.models import AssistanceRequest
    with pytest.raises(Forbidden), all_or_nothing():
        req = create_request(as_("state"), REQUEST)
        request_move("accept")(as_("state"), req, {})
    assert count(AssistanceRequest) == 0 and events("request.created") == []


def test_a_command_commits_once_when_it_returns_and_nothing_when_it_fails(app, as_):
    @command_transaction
    def fails():
        create_user(None, NEW_USER)
        raise SystemExit(1)

    @command_transaction
    def works():
        create_user(None, NEW_USER)

    with pytest.raises(SystemExit):
        fails()
    assert db.session.scalar(select(User).where(User.email == NEW_USER["email"])) is None
    works()
    db.session.remove()
    assert db.session.scalar(select(User).where(User.email == NEW_USER["email"])) is not None
