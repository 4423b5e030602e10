"""The report summary (reports/summary.py): counts kept current in the transaction of each change equal a
rebuild from the records; the matrix and the dashboard read from it give what the records give, role by role
(what each may see, never more); their statements do not grow with the requests."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.people.models import Organisation, User
from exchange.reference.models import Theme
from exchange.reports import summary
from exchange.reports.dashboards import compute_dashboard
from exchange.reports.filters import ReportFilters
from exchange.reports.matrix import compute_matrix
from exchange.requests.models import AssistanceRequest
from tests.factories import make_match, make_offer, make_request, move_request

STATUSES = ("draft", "submitted", "in_review", "needs_info", "open", "open", "matched", "in_delivery",
            "completed", "rejected", "withdrawn", "closed")
VISIBILITIES = ("task_force", "providers", "restricted")
COUNTRIES = ("KAZ", "NGA", "FRA", "BRA", "IDN")
ROLES = ("coordinator", "admin", "state", "other_state", "provider", "other_provider", "outside", "pending")


def _stored() -> dict:
    C = summary.ReportCount
    return {(r.facet, r.code, r.country_iso3, r.visibility, r.status): r.n
            for r in db.session.scalars(select(C).where(C.n != 0))}


def _rebuilt() -> dict:
    totals = summary.contributions(db.session, None) + summary.offer_contributions(db.session, None)
    return {k: n for k, n in totals.items() if n}


def _random_records(people, seed: int, n: int = 40) -> list[int]:
    """Requests with random countries, themes, statuses, visibility, shares and matches, saved through the ORM
    (so through the summary's hooks)."""
    rnd = random.Random(seed)
    themes = list(db.session.scalars(select(Theme.code).order_by(Theme.code)))
    orgs = {o.code: o for o in db.session.scalars(select(Organisation))}
    state_org = db.session.get(User, people.state.id).organisation
    offers = [make_offer(people, by=by, title=f"Offer {i}", themes=rnd.sample(themes, 2),
                         countries=rnd.choice(([], ["KAZ"], ["NGA", "FRA"])), regions=rnd.choice(([], ["142"])),
                         capacity=rnd.choice((None, 1, 2)))
              for i, by in enumerate(("provider", "other_provider", "outside", "provider"))]
    ids = []
    now = datetime(2025, 6, 1, 12)
    for i in range(n):
        created = now - timedelta(days=rnd.randint(0, 500), hours=rnd.randint(0, 23))
        status = rnd.choice(STATUSES)
        req = AssistanceRequest(
            organisation_id=state_org.id if rnd.random() < 0.5 else db.session.get(User, people.other_state.id)
            .organisation_id, country_iso3=rnd.choice(COUNTRIES), title=f"Random {i}", description="Text",
            visibility=rnd.choice(VISIBILITIES), status=status, created_at=created,
            submitted_at=None if status == "draft" else created + timedelta(hours=rnd.randint(1, 80)))
        req.themes = [db.session.get(Theme, t) for t in rnd.sample(themes, rnd.randint(1, 3))]
        if req.visibility == "restricted" and rnd.random() < 0.6:
            req.shared_with = [orgs[rnd.choice(("UNODC", "IMF", "nordic-fund"))]]
        db.session.add(req)
        db.session.flush()
        ids.append(req.id)
        if req.submitted_at and rnd.random() < 0.5:
            for offer in rnd.sample(offers, rnd.randint(1, 2)):
                proposed = req.submitted_at + timedelta(days=rnd.randint(0, 60))
                db.session.add(Match(request_id=req.id, offer_id=offer.id, status=rnd.choice(
                    ("proposed", "accepted", "completed", "declined")), created_at=proposed,
                    completed_at=proposed + timedelta(days=rnd.randint(5, 90)) if rnd.random() < 0.4 else None))
    db.session.commit()
    return ids


def _matrix_figures(user, filters=None):
    m = compute_matrix(user, filters)
    return ([t.code for t in m.themes],
            {(row.country, code): (c.open, c.matched, c.delivered, c.gap) for row in m.rows
             for code, c in row.cells.items()})


def _dashboard_figures(user, filters=None):
    d = compute_dashboard(user, filters)
    return (d.request_total, {m: dict(c) for m, c in d.by_month.items()}, d.statuses, d.months, d.by_pillar,
            d.by_theme, d.by_region, d.to_first_proposal.values, d.to_delivery.values,
            d.to_first_proposal.median, d.to_delivery.p90, d.take_up, d.take_up_total)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_kept_in_the_transaction_equal_a_rebuild_and_the_records(app, people, seed):
    with app.test_request_context("/"):
        _random_records(people, seed)
        assert _stored() == _rebuilt() and _stored()
        for role in ROLES:
            user = db.session.get(User, getattr(people, role).id)
            for filters in (ReportFilters(), ReportFilters(region="142"), ReportFilters(pillar="II")):
                with summary.using_summaries(True):
                    fast_matrix, fast_dashboard = _matrix_figures(user, filters), _dashboard_figures(user, filters)
                with summary.using_summaries(False):
                    slow_matrix, slow_dashboard = _matrix_figures(user, filters), _dashboard_figures(user, filters)
                assert fast_matrix == slow_matrix, (role, filters)
                assert fast_dashboard == slow_dashboard, (role, filters)


def test_each_role_sees_only_its_scope_in_the_counts(app, people):
    """A restricted request shared with nobody counts for the office only; a State's requests for that State
    and the office; a providers-class one for every approved provider once accepted."""
    with app.test_request_context("/"):
        make_request(people, "open", visibility="restricted", themes=["financing"])          # KAZ
        make_request(people, "open", by="other_state", visibility="providers", themes=["financing"])  # NGA
        make_request(people, "submitted", by="other_state", visibility="providers", themes=["financing"])
        db.session.commit()

        def opened(role):
            user = db.session.get(User, getattr(people, role).id)
            _, cells = _matrix_figures(user)
            return {country: cell[0] for (country, theme), cell in cells.items() if theme == "financing"}

        assert opened("coordinator") == {"KAZ": 1, "NGA": 1}
        assert opened("state") == {"KAZ": 1}
        assert opened("other_state") == {"NGA": 1}
        assert opened("outside") == {"NGA": 1}          # approved outside provider: the providers class
        assert opened("provider") == {"NGA": 1}         # not shared: the restricted one stays out
        assert opened("pending") == {}                  # not approved: nothing
        state = compute_dashboard(db.session.get(User, people.state.id))
        assert state.request_total == 1


def test_counts_follow_create_move_edit_match_and_delete(app, people):
    with app.test_request_context("/"):
        coordinator = db.session.get(User, people.coordinator.id)

        def cell(country="KAZ", theme="financing"):
            _, cells = _matrix_figures(coordinator)
            return cells.get((country, theme), (0, 0, 0, False))[:3]

        req = make_request(people, "open", themes=["financing"])
        db.session.commit()
        assert cell() == (1, 0, 0)
        offer = make_offer(people)
        db.session.commit()
        match = make_match(people, req, offer, "accepted")
        db.session.commit()
        assert cell() == (0, 1, 0)
        assert _stored() == _rebuilt()
        db.session.get(AssistanceRequest, req.id).themes.append(db.session.get(Theme, "border-management"))
        db.session.commit()
        assert cell(theme="border-management") == (0, 1, 0) and _stored() == _rebuilt()
        other = make_request(people, "open", themes=["financing"])
        db.session.commit()
        move_request(people, other, "withdraw", by="state")
        db.session.commit()
        assert cell() == (0, 1, 0) and _stored() == _rebuilt()
        db.session.delete(db.session.get(Match, match.id))
        db.session.commit()
        assert _stored() == _rebuilt()
        draft = make_request(people, "draft", themes=["financing"])
        db.session.commit()
        db.session.delete(db.session.get(AssistanceRequest, draft.id))
        db.session.commit()
        assert _stored() == _rebuilt()
        db.session.execute(summary.ReportCount.__table__.delete())
        db.session.commit()
        assert summary.rebuild_all() == len(_rebuilt())


def test_a_rolled_back_change_leaves_the_counts(app, people):
    with app.test_request_context("/"):
        make_request(people, "open", themes=["financing"])
        db.session.commit()
        before = _stored()
        make_request(people, "open", themes=["financing"])
        db.session.flush()
        db.session.rollback()
        assert _stored() == before == _rebuilt()


def test_the_rebuild_command(app, people):
    with app.app_context():
        make_request(people, "open", themes=["financing"])
        db.session.commit()
        db.session.execute(summary.ReportCount.__table__.delete())
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild-summaries"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    with app.app_context():
        assert _stored() == _rebuilt() and _stored()


def _statements(app, path_user, call) -> int:
    count = [0]

    def on_execute(*_args):
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        call(path_user)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return count[0]


def test_statements_do_not_grow_with_the_requests(app, people):
    with app.test_request_context("/"):
        _random_records(people, 5, n=20)
        counts = {}
        for label, call in (("matrix", compute_matrix), ("dashboard", compute_dashboard)):
            for role in ("coordinator", "provider", "state"):
                user = db.session.get(User, getattr(people, role).id)
                counts[(label, role, "small")] = _statements(app, user, call)
        _random_records(people, 6, n=40)
        for label, call in (("matrix", compute_matrix), ("dashboard", compute_dashboard)):
            for role in ("coordinator", "provider", "state"):
                user = db.session.get(User, getattr(people, role).id)
                assert _statements(app, user, call) == counts[(label, role, "small")], (label, role)


def test_the_reports_benchmark_runs_on_tiny_databases(capsys):
    """benchmarks/reports_bench.py: every page it times answers 200, with the summary and straight from the
    records (prints figures; the figures are not judged here)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "reports_bench.py"
    spec = importlib.util.spec_from_file_location("reports_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--sizes", "40,80", "--offers", "20", "--runs", "1", "--direct"]) == 0
    out = capsys.readouterr().out
    assert "growth 40 → 80" in out and "straight from the records" in out
