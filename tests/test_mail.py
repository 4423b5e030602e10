"""E-mail of notifications through a real local SMTP server (aiosmtpd on a free port): an event sends
one e-mail per recipient after the commit, a rolled-back change sends none, a dead server never breaks
the change, and the SMTP URL is parsed as documented."""
from __future__ import annotations

import logging
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.messages.mail import build_email, page_url, parse_smtp_url, subject_for
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import make_request, make_user, move_request
from tests.helpers import free_port


def test_an_event_is_emailed_to_its_recipients_after_commit(app, people, clients, smtp, world):
    request_id = world.request()
    smtp.messages.clear()
    clients.coordinator.post(f"/triage/{request_id}/request-info", data={"message": "Which agencies take part?"})
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == [people.state.email]
    assert message["Subject"] == "[The Exchange] Information needed on your request"
    body = message.get_payload(decode=True).decode()
    assert "Which agencies take part?" in body
    assert f"/requests/{request_id}" in body
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == people.state.id))
        assert note.emailed_at is not None


def test_a_rolled_back_change_sends_nothing(app, people, clients, smtp, world):
    request_id = world.request("open")
    unodc = world.offer(people.provider)
    clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": unodc})
    smtp.messages.clear()
    imf = world.offer(people.other_provider, title="IMF course on supervising terrorist financing risks")
    # IMF's proposal is made (and notified) first, then UNODC's fails: the whole transaction rolls back.
    response = clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": [imf, unodc]},
                                        follow_redirects=True)
    assert "Nothing was proposed" in response.get_data(as_text=True)
    assert smtp.messages == []
    with app.app_context():
        assert not db.session.scalars(select(Notification).where(
            Notification.user_id == people.other_provider.id, Notification.kind == "match.proposed")).all()
        # And directly: notifications flushed, then the operation rolled back.
        move_request(people, db.session.get(AssistanceRequest, request_id), "close")
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert smtp.messages == []


def test_each_recipient_gets_their_own_email(app, people, smtp):
    with app.app_context():
        make_request(people, title="Border control training for our airports", themes=["border-management"], description="Training for border police at international airports on travel document checks.", modalities=["training"], languages=["ru"], urgency="medium")
        make_user("second@ctitf.test.example", "coordinator", "CTITF")  # the office's second coordinator
        db.session.commit()
    # The submission before the second coordinator existed went to one coordinator; the State's focal point
    # got the acknowledgement.
    subjects = {recipients[0]: message["Subject"] for recipients, message in smtp.messages}
    assert subjects == {people.coordinator.email: "[The Exchange] New request to triage",
                        people.state.email: "[The Exchange] Your request has been received"}


def test_a_dead_mail_server_never_breaks_the_change(app, people, clients, caplog, monkeypatch, world):
    # Alembic's env.py (fileConfig) disables loggers that existed before the test database was migrated.
    monkeypatch.setattr(logging.getLogger("exchange.mail"), "disabled", False)
    request_id = world.request()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        response = clients.coordinator.post(f"/triage/{request_id}/accept")
    finally:
        app.config["SMTP_URL"] = ""
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AssistanceRequest, request_id).status == "open"
        note = db.session.scalar(select(Notification).where(Notification.user_id == people.state.id))
        assert note is not None and note.emailed_at is None
        # The e-mail job failed and waits for its retry, visible to the admins (jobs/views.failed).
        from exchange.jobs.models import Job
        failed = db.session.scalars(select(Job).where(Job.name == "mail.notifications")).one()
        assert failed.state == "retrying" and "Connection refused" in failed.error


def test_no_smtp_url_no_email(app, people, clients, world):
    request_id = world.request()
    clients.coordinator.post(f"/triage/{request_id}/accept")
    with app.app_context():
        assert all(n.emailed_at is None for n in db.session.scalars(select(Notification)))


def test_smtp_url_forms():
    plain = parse_smtp_url("smtp://127.0.0.1:8025")
    assert (plain.host, plain.port, plain.use_ssl, plain.starttls, plain.username) == ("127.0.0.1", 8025, False,
                                                                                        False, "")
    tls = parse_smtp_url("smtps://user%40x:p%3Ass@mail.example.org")
    assert (tls.port, tls.use_ssl, tls.username, tls.password) == (465, True, "user@x", "p:ss")
    assert parse_smtp_url("smtp+starttls://mail.example.org:587").starttls
    for bad in ("http://x", "smtp://", "mail.example.org"):
        with pytest.raises(ValueError):
            parse_smtp_url(bad)


def test_email_content(app):
    app.config["BASE_URL"] = "https://exchange.example/"
    try:
        url = page_url(app, "match", 3, "match.proposed")  # no request: built from the app's route table
        assert page_url(app, "request", 7, "message.posted") == "https://exchange.example/requests/7#thread"
    finally:
        app.config["BASE_URL"] = ""
    assert page_url(app, "organisation", 5, "organisation.approved") == "/"  # no BASE_URL: the path alone
    email = build_email("exchange@un.example", "focal@kaz.example", "match.proposed", "UNODC was asked to help.", url)
    assert email["To"] == "focal@kaz.example" and email["Subject"] == subject_for("match.proposed", "")
    assert "Open it: https://exchange.example/matches/3" in email.get_content()
    assert subject_for("unknown.kind", "x") == "[The Exchange] Notification"


def test_a_savepoint_inside_the_change_sends_nothing_before_the_commit(app, people, clients, smtp, world):
    """Proposing two offers at once makes a savepoint for each match (so that the database's refusal of a
    second live match can be answered): the e-mails of the first wait for the real commit."""
    request_id = world.request("open")
    offers = [world.offer(people.provider), world.offer(people.other_provider)]
    smtp.messages.clear()
    response = clients.coordinator.post("/matches", data={"request_id": str(request_id),
                                                          "offer_id": [str(o) for o in offers]})
    assert response.status_code == 302
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.kind == "match.proposed")).all()
        assert len(notes) == 4 and all(n.emailed_at is not None for n in notes)
    assert sorted(r for recipients, _ in smtp.messages for r in recipients) == sorted(
        [people.provider.email, people.other_provider.email, people.state.email, people.state.email])


def _subject(email) -> str:
    """The subject as the reader sees it (a non-ASCII one travels encoded, RFC 2047)."""
    return str(make_header(decode_header(email["Subject"])))


def _speaks(app, person, code: str) -> None:
    from exchange.people.models import User
    with app.app_context():
        db.session.get(User, person.id).language = code
        db.session.commit()


def test_a_notification_is_written_in_its_readers_language_in_the_inbox_and_the_email(app, people, clients, smtp,
                                                                                         world):
    """The coordinator reads the Exchange in English; the French focal point reads what they wrote of in
    French, on the page and in the e-mail, the words written when read (not stored by the sender)."""
    request_id = world.request("open")
    _speaks(app, people.state, "fr")
    smtp.messages.clear()
    clients.coordinator.post(f"/requests/{request_id}/messages", data={"message": "Which agencies take part?"},
                             headers={"Accept-Language": "en"})
    [email] = [m for r, m in smtp.messages if r == [people.state.email]]
    body = email.get_payload(decode=True).decode()
    assert _subject(email) == "[La Plateforme d'échange] Nouveau message"
    assert " a écrit sur R-" in body and "Which agencies take part?" in body  # their words stay as written
    assert "Ouvrir : " in body and f"/requests/{request_id}#thread" in body and "wrote on" not in body
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == people.state.id,
                                                            Notification.kind == "message.posted"))
        assert "wrote on" in note.message  # the English words, kept for what reads the row without a reader
    inbox = clients.state.get("/inbox").get_data(as_text=True)
    assert '<html lang="fr"' in inbox and " a écrit sur <span lang=\"\">R-" in inbox and "wrote on" not in inbox
    coordinator_email = [m for r, m in smtp.messages if r == [people.provider.email]]
    assert all(m["Subject"] == "[The Exchange] New message" for m in coordinator_email)


def test_the_acknowledgement_a_focal_point_gets_on_their_request_is_in_their_language(app, people, clients, smtp,
                                                                                        world):
    request_id = world.request()
    _speaks(app, people.state, "es")
    smtp.messages.clear()
    clients.coordinator.post(f"/triage/{request_id}/accept")
    [email] = [m for r, m in smtp.messages if r == [people.state.email]]
    body = email.get_payload(decode=True).decode()
    assert _subject(email) == "[La Plataforma de Intercambio] Su solicitud fue aceptada"
    assert "Su bandeja de entrada" in body and f"/requests/{request_id}" in body
    [office] = [m for r, m in smtp.messages if r == [people.coordinator.email]] or [None]
    assert office is None  # the coordinator who acted is not told


def test_an_old_notification_without_params_reads_as_stored(app, people):
    from exchange.messages.models import written
    assert written("Stored words", None) == "Stored words"
    assert written("Stored", {"msgid": "%(ref)s", "values": {"other": "x"}}) == "Stored"  # values that do not fit
