"""The shared matching index: the job worker stores a snapshot with the data version it reflects, another
process maps it instead of building its own index and catches up from that version; a snapshot of another
data version, an altered or a truncated file is ignored (the process builds, as without one). Also the data
version itself: a read with nothing changed costs one primary-key statement, a rolled-back change leaves no
trace, and a match's status change brings its offer's load up to date."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from exchange.core.extensions import db
from exchange.matching import service, snapshot
from exchange.matching.models import MatchingChange
from exchange.offers.models import Offer
from exchange.offers.operations import update_offer
from exchange.people.models import User
from tests.factories import REQUEST, make_match, make_offer, make_request
from tests.helpers import test_config

ROOT = Path(__file__).resolve().parents[2]


def db_is_postgresql() -> bool:
    from tests.helpers import DATABASE_URL
    return DATABASE_URL.startswith("postgresql")


@pytest.fixture
def snapshots(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MATCHING_SNAPSHOT", True)
    monkeypatch.setitem(app.config, "MATCHING_SNAPSHOT_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def records(app, people):
    with app.app_context():
        req = make_request(people, **REQUEST)
        offer = make_offer(people, regions=["143"])
        other = make_offer(people, "other_provider", title="Port facility security audits",
                           description="ISPS Code audits of port facilities.", themes=["maritime-security"],
                           modalities=["assessment"])
        db.session.commit()
        return {"request": req.id, "offer": offer.id, "other": other.id}


def offers_suggested(request_id: int) -> list[int]:
    index = service.current_index()
    req = index.request(request_id)
    return [s.offer_id for s in index.offers_for(req)]


def counts() -> dict:
    return dict(service.STATS) | {"refused": snapshot.STATS["refused"]}


def delta(before: dict) -> dict:
    now = counts()
    return {k: now[k] - before[k] for k in now}


def test_a_process_without_a_snapshot_builds_and_the_worker_stores_one(app, snapshots, records):
    with app.app_context():
        before = counts()
        assert records["offer"] in offers_suggested(records["request"])
        assert delta(before)["built"] == 1
        files = list(snapshots.glob("index-*.snap"))  # the warm-up job (run at once under TESTING) wrote it
        assert len(files) == 1 and files[0].stat().st_size > 0


def test_another_process_maps_the_snapshot_instead_of_building(app, snapshots, records, monkeypatch):
    monkeypatch.setattr(snapshot, "MIN_OUT_OF_BAND", 0)  # this tiny index's arrays out of the pickle too
    with app.app_context():
        result = snapshot.warm(app)
        assert result["written"] and result["built"]
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from exchange.app import create_app
from exchange.matching import service
from tests.helpers import test_config
app = create_app(test_config(MATCHING_SNAPSHOT=True, MATCHING_SNAPSHOT_DIR={str(snapshots)!r}))
with app.app_context():
    index = service.current_index()
    ids = [s.offer_id for s in index.offers_for(index.request({records['request']}))]
    table = index._tables["request"]
    print(json.dumps({{"stats": service.STATS, "ids": ids, "mapped": not table.vec.flags.writeable
                      and not table.data.flags.writeable}}))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["stats"]["loaded"] == 1 and got["stats"]["built"] == 0
    assert records["offer"] in got["ids"]
    assert got["mapped"]  # its arrays are views of the mapped file (shared pages), not copies


def test_a_change_after_the_snapshot_is_caught_up(app, snapshots, records, people):
    with app.app_context():
        snapshot.warm(app)
        assert records["other"] not in offers_suggested(records["request"])
        provider = db.session.get(User, people.other_provider.id)
        other = db.session.get(Offer, records["other"])
        update_offer(provider, other, {"version": other.version, "themes": ["financing", "maritime-security"],
                                       "regions": ["143"]})
        db.session.commit()
        service.forget_indexes()  # as a new process: it has only the (now older) snapshot
        before = counts()
        assert records["other"] in offers_suggested(records["request"])
        assert delta(before) == {"built": 0, "loaded": 1, "caught_up": 1, "refused": 0}
        # the worker's next run brings the snapshot itself up to date, and then has nothing to do
        assert snapshot.warm(app)["written"] is True
        assert snapshot.warm(app)["written"] is False


def test_a_snapshot_of_another_data_version_is_ignored(app, snapshots, records):
    with app.app_context():
        index, version = service.fresh_index()
        version.last += 1000  # as written for a database that has seen more changes (another or restored one)
        from datetime import date
        snapshot.save(app, service.index_key(), index, version, date.today())
        service.forget_indexes()
        before = counts()
        assert records["offer"] in offers_suggested(records["request"])
        assert delta(before)["built"] == 1 and delta(before)["refused"] >= 1 and delta(before)["loaded"] == 0
        # the worker (asked by the process that built) replaced it: the next process maps the new one
        service.forget_indexes()
        before = counts()
        assert records["offer"] in offers_suggested(records["request"])
        assert delta(before)["loaded"] == 1 and delta(before)["built"] == 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "other key"])
def test_a_damaged_snapshot_is_ignored(app, snapshots, records, damage):
    with app.app_context():
        snapshot.warm(app)
        path = snapshot.path_for(app, service.index_key())
        data = bytearray(path.read_bytes())
        if damage == "flip":
            data[len(data) // 3] ^= 0xFF  # inside the pickle: the HMAC no longer matches
            path.write_bytes(bytes(data))
        elif damage == "truncate":
            path.write_bytes(bytes(data[:len(data) - 100]))
        elif damage == "empty":
            path.write_bytes(b"")
        else:
            app.config["SECRET_KEY"], secret = "another-secret", app.config["SECRET_KEY"]
        service.forget_indexes()
        before = counts()
        try:
            assert records["offer"] in offers_suggested(records["request"])
        finally:
            if damage == "other key":
                app.config["SECRET_KEY"] = secret
        assert delta(before)["built"] == 1 and delta(before)["refused"] >= 1 and delta(before)["loaded"] == 0


def test_a_read_with_nothing_changed_costs_one_primary_key_statement(app, records):
    with app.app_context():
        service.current_index()
        statements = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            service.current_index()
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert len(statements) == 1 and "matching_changes" in statements[0]
        assert "updated_at" not in statements[0]


def test_the_data_version_moves_with_commits_only(app, records, people):
    with app.app_context():
        last = db.session.scalar(select(func.max(MatchingChange.id)))
        offer = db.session.get(Offer, records["offer"])
        offer.description = offer.description + " More."
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.max(MatchingChange.id))) == last
        offer = db.session.get(Offer, records["offer"])
        offer.contact_name = "Not a field the engine reads"
        db.session.commit()
        assert db.session.scalar(select(func.max(MatchingChange.id))) == last
        # a match taking the offer's only place: the offer's load changes, the offer is noted
        update_offer(db.session.get(User, people.provider.id), offer, {"version": offer.version, "capacity": 1})
        db.session.commit()
        assert records["offer"] in offers_suggested(records["request"])
        other = make_request(people, "open", by="coordinator", **REQUEST | {"country": "TJK", "title": "Other"})
        make_match(people, other, db.session.get(Offer, records["offer"]), "accepted")
        db.session.commit()
        noted = set(db.session.scalars(select(MatchingChange.record_id).where(
            MatchingChange.id > last, MatchingChange.record_type == "offer")))
        assert records["offer"] in noted
        assert records["offer"] not in offers_suggested(records["request"])  # its one place is taken


def test_the_warm_job_prunes_old_data_version_rows(app, snapshots, records):
    from datetime import timedelta

    from exchange.core.models import utcnow
    with app.app_context():
        db.session.add(MatchingChange(record_type="offer", record_id=records["offer"],
                                      at=utcnow() - timedelta(seconds=service.PRUNE_AFTER_SECONDS + 60)))
        db.session.commit()
        old = db.session.scalar(select(func.count()).select_from(MatchingChange).where(
            MatchingChange.at < utcnow() - timedelta(seconds=service.PRUNE_AFTER_SECONDS)))
        assert old == 1
        db.session.commit()
        snapshot.warm_job()  # (queued: under TESTING it runs at once)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(MatchingChange).where(
            MatchingChange.at < utcnow() - timedelta(seconds=service.PRUNE_AFTER_SECONDS))) == 0


assert test_config  # (imported for the subprocess's code, which builds its app the same way)


@pytest.mark.skipif(not db_is_postgresql(), reason="SQLite writers take turns: ids commit in their order")
def test_a_change_committed_after_a_later_one_is_still_caught(app, records, people):
    """PostgreSQL: a transaction takes its data-version id, another commits a later id first; the reader, having
    seen the later one, still reads the earlier one when it commits (a gap asked for again)."""
    from sqlalchemy import update

    from exchange.matching.store import note_changes
    with app.app_context():
        assert records["offer"] in offers_suggested(records["request"])
        slow = db.engine.connect()
        slow_tx = slow.begin()
        slow.execute(update(Offer).where(Offer.id == records["offer"]).values(status="paused"))
        note_changes(slow, {("offer", records["offer"])})  # its id taken, not committed
        provider = db.session.get(User, people.other_provider.id)
        other = db.session.get(Offer, records["other"])
        update_offer(provider, other, {"version": other.version, "description": other.description + " Later."})
        db.session.commit()  # the later id, committed first
        assert records["offer"] in offers_suggested(records["request"])  # the slow change not committed yet
        assert [bool(c.version.gaps) for c in service._indexes.values()] == [True]  # its id kept as a gap
        slow_tx.commit()
        slow.close()
        db.session.commit()
        assert records["offer"] not in offers_suggested(records["request"])  # caught through the gap
