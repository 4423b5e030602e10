"""Benchmark of the pages and the API at scale: python benchmarks/pages_bench.py [--requests N] [--offers M]

Builds two synthetic databases in the same process — a small one (the baseline) and a large one
(default 10,000 requests, 3,000 offers, their matches and audit events) — on fresh SQLite files (or
on PostgreSQL with --database-url, whose schema `public` it drops first), then asks each page and
endpoint the way a signed-in person would (Flask test client, the whole body read) and prints, for
each: the median time of a few runs on both databases, the ratio large/small, and how many SQL
statements one call runs (the same count on both sizes means no query per row). Prints figures;
never fails on slowness (it exits 1 only when a page does not answer 200).
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, insert, select, text

from exchange.app import create_app
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.offers.models import (
    Offer,
    offer_countries,
    offer_languages,
    offer_modalities,
    offer_regions,
    offer_themes,
)
from exchange.people.models import Organisation, User
from exchange.reference.models import Country, Region, Theme
from exchange.requests.models import AssistanceRequest, request_languages, request_modalities, request_themes

LANGUAGES = ("en", "fr", "es", "ru", "ar")
MODALITIES = ("assessment", "legislative-drafting", "training", "workshop", "expert-advice", "equipment", "funding")
FILLER = ["ministry", "officials", "staff", "agency", "unit", "department", "regional", "provincial", "national", "coordination", "plan", "strategy", "policy", "procedures", "standard", "operating", "practices", "management", "oversight", "data", "information", "exchange", "cooperation", "partners", "months", "pilot", "phase", "mentoring", "sustainability", "inter-agency", "network", "quality", "review", "report", "recommendations", "priorities", "gaps", "challenges", "airport", "border", "port", "analysts", "inspectors", "officers", "trainers", "prosecutors", "judges", "investigators"]
REQUEST_STATUS_SHARES = {"draft": 4, "submitted": 8, "in_review": 2, "needs_info": 3, "open": 35, "matched": 14,
                         "in_delivery": 10, "completed": 16, "rejected": 5, "withdrawn": 3}
MATCH_OF_REQUEST = {"matched": "accepted", "in_delivery": "in_delivery", "completed": "completed"}
COORDINATOR, STATE, PROVIDER = ("coordinator@ctitf.demo.example", "focal@kaz.demo.example",
                                "officer@unodc.demo.example")


def _text(rnd: random.Random, theme_names: list[str], words: int) -> str:
    return " ".join(rnd.sample(FILLER, words) + [n.lower() for n in theme_names])


def populate(n_requests: int, n_offers: int, seed: int = 7) -> None:
    """Synthetic requests, offers, matches and audit events, inserted in bulk (Core inserts, one transaction)."""
    rnd = random.Random(seed)
    themes = dict(db.session.execute(select(Theme.code, Theme.name)).all())
    theme_codes = sorted(themes)
    countries = list(db.session.scalars(select(Country.iso3).order_by(Country.iso3)))
    regions = list(db.session.scalars(select(Region.code)))
    state_org = dict(db.session.execute(select(Organisation.country_iso3, Organisation.id).where(
        Organisation.kind == "member_state")).all())
    providers = list(db.session.scalars(select(Organisation.id).where(
        Organisation.kind.in_(("task_force_entity", "outside_provider")), Organisation.approval == "approved")))
    coordinator = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
    now = datetime.now().replace(microsecond=0)
    first_request = (db.session.scalar(select(db.func.max(AssistanceRequest.id))) or 0) + 1
    first_offer = (db.session.scalar(select(db.func.max(Offer.id))) or 0) + 1

    offers, links = [], {t: [] for t in ("themes", "modalities", "languages", "countries", "regions")}
    for i in range(first_offer, first_offer + n_offers):
        chosen = rnd.sample(theme_codes, rnd.randint(1, 3))
        offers.append({"id": i, "organisation_id": rnd.choice(providers), "title": f"Programme {i}: "
                       + themes[chosen[0]], "description": _text(rnd, [themes[t] for t in chosen], 30),
                       "status": "active" if rnd.random() < 0.9 else "paused", "version": 1,
                       "capacity": rnd.choice((None, None, 5, 10)), "created_at": now - timedelta(days=rnd.randint(0, 700)),
                       "updated_at": now, "contact_name": "", "contact_email": ""})
        links["themes"] += [{"offer_id": i, "theme_code": t} for t in chosen]
        links["modalities"] += [{"offer_id": i, "modality_code": m} for m in rnd.sample(MODALITIES, 2)]
        links["languages"] += [{"offer_id": i, "language_code": x} for x in rnd.sample(LANGUAGES, 2)]
        place = rnd.random()
        if place < 0.4:
            links["countries"] += [{"offer_id": i, "country_iso3": c} for c in rnd.sample(countries, 3)]
        elif place < 0.8:
            links["regions"] += [{"offer_id": i, "region_code": rnd.choice(regions)}]

    requests, rlinks, matches, events = [], {"themes": [], "modalities": [], "languages": []}, [], []
    statuses, shares = list(REQUEST_STATUS_SHARES), list(REQUEST_STATUS_SHARES.values())
    for j in range(first_request, first_request + n_requests):
        iso3, status = rnd.choice(countries), rnd.choices(statuses, shares)[0]
        chosen = rnd.sample(theme_codes, rnd.randint(1, 2))
        created = now - timedelta(days=rnd.randint(1, 720), minutes=rnd.randint(0, 1440))
        submitted = None if status == "draft" else created + timedelta(hours=rnd.randint(1, 72))
        requests.append({"id": j, "organisation_id": state_org[iso3], "country_iso3": iso3, "title":
                         f"{themes[chosen[0]]}: support requested ({j})", "description":
                         _text(rnd, [themes[t] for t in chosen], 40), "beneficiary": "National unit",
                         "urgency": rnd.choice(("low", "medium", "high", "critical")),
                         "visibility": rnd.choice(("task_force", "task_force", "providers")), "status": status,
                         "version": 1, "status_note": "", "created_at": created, "updated_at": created,
                         "submitted_at": submitted, "status_changed_at": submitted or created})
        rlinks["themes"] += [{"request_id": j, "theme_code": t} for t in chosen]
        rlinks["modalities"] += [{"request_id": j, "modality_code": rnd.choice(MODALITIES)}]
        rlinks["languages"] += [{"request_id": j, "language_code": rnd.choice(LANGUAGES)}]
        events.append({"at": created, "actor_id": coordinator, "action": "request.created", "record_type": "request",
                       "record_id": j, "summary": f"R-{j:05d} created", "changes": {}})
        if status in MATCH_OF_REQUEST:
            proposed = submitted + timedelta(days=rnd.randint(2, 40))
            match = {"request_id": j, "offer_id": rnd.randrange(first_offer, first_offer + n_offers),
                     "proposed_by_id": coordinator, "status": MATCH_OF_REQUEST[status], "version": 1,
                     "note": "", "decline_reason": "", "outcome": "", "feedback": "", "created_at": proposed,
                     "updated_at": proposed, "status_changed_at": proposed,
                     "accepted_at": proposed + timedelta(days=3), "completed_at": None}
            if status == "completed":
                match["completed_at"] = proposed + timedelta(days=rnd.randint(30, 200))
            matches.append(match)

    def bulk(table, rows):
        for start in range(0, len(rows), 2_000):
            db.session.execute(insert(table), rows[start:start + 2_000])

    bulk(Offer.__table__, offers)
    for name, table in (("themes", offer_themes), ("modalities", offer_modalities), ("languages", offer_languages),
                        ("countries", offer_countries), ("regions", offer_regions)):
        bulk(table, links[name])
    bulk(AssistanceRequest.__table__, requests)
    for name, table in (("themes", request_themes), ("modalities", request_modalities),
                        ("languages", request_languages)):
        bulk(table, rlinks[name])
    bulk(Match.__table__, matches)
    bulk(AuditEvent.__table__, events)
    db.session.commit()


def prepare(url: str, n_requests: int, n_offers: int):
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    # MATCHING_EMBED_AFTER_COMMIT off: the seeded records are not embedded while pages are timed
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MATCHING_EMBED_AFTER_COMMIT": "off",
                      "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["seed", "reference"], ["seed", "demo"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}")
    with app.app_context():
        populate(n_requests, n_offers)
        db.session.execute(text("ANALYZE"))  # statistics for the planner, as after a day of normal use
        db.session.commit()
    return app


class _Caller:
    """A signed-in person: the session cookie for pages, a bearer token for the API."""

    def __init__(self, app, email: str):
        import time

        from exchange.people.operations import open_session
        from exchange.people.tokens import issue_api_token
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            self.bearer = issue_api_token(user, user, {"name": "bench"})
            user_id = user.id
            _row, session_token = open_session(user, {"address": "127.0.0.1", "user_agent": "bench"})
            db.session.commit()
        self.client = app.test_client()
        from exchange.people.views.mfa import signed_in_marks
        with self.client.session_transaction() as session:
            session["_user_id"] = session_token
            session["_fresh"] = True
            session["_seen"] = int(time.time())
            session.update(signed_in_marks(user_id))  # as after a sign-in with the second factor

    def get(self, path: str):
        headers = {"Authorization": f"Bearer {self.bearer}"} if path.startswith("/api/") else {}
        return self.client.get(path, headers=headers)


def pages(app) -> list[tuple[str, str, str]]:
    """(who, label, path): each role's home and lists, the heavy report pages, the exports and the API."""
    with app.app_context():
        matched = db.session.scalar(select(AssistanceRequest.id).where(AssistanceRequest.status == "matched")
                                    .order_by(AssistanceRequest.id.desc()))
        offer = db.session.scalar(select(Offer.id).join(Organisation).where(
            Organisation.code == "UNODC", Offer.status == "active").order_by(Offer.id.desc()))
    plain = [
        ("coordinator", "/"), ("coordinator", "/triage"), ("coordinator", "/requests"),
        ("coordinator", "/requests?q=border+management"),
        ("coordinator", "/requests?theme=financing&status=open&sort=oldest"), ("coordinator", "/requests?page=20"),
        ("coordinator", "/offers"), ("coordinator", "/directory"), ("coordinator", "/matrix"),
        ("coordinator", "/dashboard"), ("coordinator", "/reports/progress"), ("coordinator", "/audit"),
        ("coordinator", "/matches"), ("coordinator", "/exports/requests.csv"), ("coordinator", "/exports/matrix.xlsx"),
        ("coordinator", "/api/v1/requests?per_page=100"), ("coordinator", "/api/v1/matrix"),
        ("state", "/"), ("state", "/requests"), ("provider", "/"), ("provider", "/requests"),
    ]
    return [(who, path, path) for who, path in plain] + [
        ("coordinator", "/requests/<a matched one>", f"/requests/{matched}"),
        ("coordinator", "/api/v1/requests/<matched>/matches", f"/api/v1/requests/{matched}/matches"),
        ("provider", "/offers/<its newest>", f"/offers/{offer}"),
    ]


def measure(app, runs: int) -> tuple[dict, float]:
    """{(who, label): (median seconds, statements per call, status)}, and the time of the first request page
    of the process (which builds the matching index)."""
    clients = {"coordinator": _Caller(app, COORDINATOR), "state": _Caller(app, STATE),
               "provider": _Caller(app, PROVIDER)}
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    targets = pages(app)
    from exchange.matching.service import forget_indexes
    forget_indexes()  # the first page with suggestions builds the process's matching index: time it apart
    start = time.perf_counter()
    clients["coordinator"].get(next(path for _, label, path in targets if label.startswith("/requests/<")))
    cold = time.perf_counter() - start
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        out = {}
        for who, label, path in targets:
            times = []
            for run in range(runs + 1):
                count[0] = 0
                start = time.perf_counter()
                response = clients[who].get(path)
                response.get_data()
                elapsed = time.perf_counter() - start
                if run == 0:
                    statements = count[0]
                    continue  # the first run warms caches
                times.append(elapsed)
            out[(who, label)] = (statistics.median(times), statements, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return out, cold


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--offers", type=int, default=3_000)
    ap.add_argument("--small", type=int, default=200, help="requests in the baseline database (offers: a third)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per page (after one warm-up)")
    ap.add_argument("--database-url", help="PostgreSQL URL to use instead of SQLite files (its schema is dropped)")
    args = ap.parse_args(argv)

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, n_req, n_off in (("small", args.small, max(args.small // 3, 10)),
                                    ("large", args.requests, args.offers)):
            url = args.database_url or f"sqlite:///{tmp}/{label}.sqlite3"
            start = time.perf_counter()
            app = prepare(url, n_req, n_off)
            print(f"{label}: {n_req} requests, {n_off} offers loaded in {time.perf_counter() - start:.1f} s",
                  flush=True)
            results[label] = measure(app, args.runs)
            with app.app_context():
                db.engine.dispose()

    small, cold_small = results["small"]
    large, cold_large = results["large"]
    print(f"\nPages and API: median of {args.runs} runs after a warm-up; statements = SQL per call")
    print(f"{'who':<12} {'page':<52} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'stmts s/l':>10} status")
    for key, (t_large, n_large, status) in large.items():
        t_small, n_small, _ = small[key]
        print(f"{key[0]:<12} {key[1][:52]:<52} {t_small * 1000:9.1f} {t_large * 1000:9.1f} "
              f"{t_large / t_small:6.1f} {n_small:>4}/{n_large:<5} {status}")
    slowest = max(large.items(), key=lambda item: item[1][0])
    print(f"\nfirst request page of a process (builds the matching index): {cold_small * 1000:.0f} ms small, "
          f"{cold_large * 1000:.0f} ms large")
    print(f"slowest on the large database: {slowest[0][1]} ({slowest[0][0]}) {slowest[1][0] * 1000:.0f} ms")
    print(f"peak memory (ru_maxrss, whole process, both databases): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    failed = [f"{who} {label}: {status}" for result in (small, large)
              for (who, label), (_, _, status) in result.items() if status != 200]
    if failed:
        print("pages that did not answer 200:", *failed, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
