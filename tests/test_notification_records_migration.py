"""Migration hn_notification_records on the run's own database (SQLite in batch mode, or PostgreSQL): going
down rebuilds each notification's old link from its record, and coming up again parses the old links back
into records (an organisation's news, or a link naming no record, names the recipient's organisation)."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from exchange.core.extensions import db
from exchange.messages.models import Notification

BEFORE = "h2_mfa"


def test_notification_links_become_records_and_back(app, people):
    state, organisation = people.state.id, people.state.organisation_id
    rows = [("message.posted", "request", 7), ("match.accept", "match", 3), ("test", "offer", 5),
            ("organisation.approved", "organisation", organisation)]
    with app.app_context():
        notes = [Notification(user_id=state, kind=kind, message="m", record_type=record_type, record_id=record_id)
                 for kind, record_type, record_id in rows]
        db.session.add_all(notes)
        db.session.commit()
        ids = [note.id for note in notes]
        db.session.remove()
        try:
            downgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                links = dict(conn.execute(text("SELECT id, link FROM notifications")).all())
                assert [links[i] for i in ids] == ["/requests/7#thread", "/matches/3", "/offers/5", "/"]
                for kind, link in [("request.accept", "/requests/12"), ("test", ""), ("test", "/somewhere/9"),
                                   ("organisation.rejected", "/requests/4")]:
                    conn.execute(text("INSERT INTO notifications (user_id, at, kind, message, link) "
                                      "VALUES (:user, CURRENT_TIMESTAMP, :kind, 'old', :link)"),
                                 {"user": state, "kind": kind, "link": link})
        finally:
            upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT id, kind, record_type, record_id FROM notifications ORDER BY id")).all()
    assert [tuple(row[1:]) for row in found] == rows + [
        ("request.accept", "request", 12), ("test", "organisation", organisation),
        ("test", "organisation", organisation), ("organisation.rejected", "organisation", organisation)]
    assert [row[0] for row in found][:4] == ids
