"""Dashboard and progress report figures against hand-computed values; access by role."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from exchange.core.extensions import db
from exchange.people.models import User
from exchange.reports.dashboards import compute_dashboard, median, percentile
from exchange.reports.filters import ReportFilters
from exchange.reports.progress import compute_progress
from tests.factories import make_match, make_offer, make_request
from tests.helpers import pdf_text


def test_median_and_nearest_rank_percentile():
    assert median([4, 1, 3, 2]) == 2.5
    assert median([5, 1, 3]) == 3
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile([1, 3, 10], 90) == 10
    assert percentile([7], 90) == 7
    assert percentile([], 90) is None and median([]) is None


def at(days: float, base=datetime(2025, 3, 1, 9, 0)) -> datetime:
    return base + timedelta(days=days)


@pytest.fixture
def timed(app, people):
    """Three KAZ requests submitted on 1 March 2025 (09:00), first proposed after 1, 3 and 10 days, the first
    two delivered after 5 and 20 days; one NGA request proposed after 2 days and declined."""
    with app.app_context():
        offer = make_offer(people, themes=["financing", "border-management"], capacity=2)
        requests = [make_request(people, "open", themes=["financing"]) for _ in range(3)]
        declined_req = make_request(people, "open", by="other_state", themes=["human-rights"])
        proposals = [1, 3, 10]
        completions = [5, 20, None]
        for req, proposed, completed in zip(requests, proposals, completions, strict=True):
            match = make_match(people, req, offer, "completed" if completed else "accepted")
            req.submitted_at = at(0)
            match.created_at = at(proposed)
            if completed:
                match.completed_at = at(completed)
        declined = make_match(people, declined_req, offer, "declined", decline={"reason": "Outside our mandate."})
        declined_req.submitted_at = at(0)
        declined.created_at = at(2)
        db.session.commit()
        db.session.remove()


def _user(person):
    return db.session.get(User, person.id)


def test_coordinator_dashboard_times_and_counts(app, people, timed):
    with app.app_context():
        data = compute_dashboard(_user(people.coordinator))
        # first proposals after 1, 3, 10 (KAZ) and 2 (NGA) calendar days from Saturday 1 March 2025, counted in
        # working days as the triage queue counts them (core/working_days.py): Sunday 0, Tuesday 4th 2, Tuesday
        # 11th 7, Monday 3rd 1; deliveries after 5 (Thursday 6th: 4) and 20 days (Friday 21st: 15)
        assert sorted(data.to_first_proposal.values) == [0, 1, 2, 7]
        assert data.to_first_proposal.median == 1.5
        assert data.to_first_proposal.p90 == 7
        assert data.to_delivery.median == 9.5 and data.to_delivery.p90 == 15
        assert data.request_total == 4
        assert data.by_month == {"2025-03": {"completed": 2, "matched": 1, "open": 1}}
        assert data.by_pillar["II"] == 3 and data.by_pillar["IV"] == 1
        assert {code: n for code, _, _, n in data.by_theme} == {"financing": 3, "human-rights": 1}
        assert {name: n for _, name, n in data.by_region} == {"Asia": 3, "Africa": 1}
        assert data.declined_total == 1 and data.decline_reasons == [("Outside our mandate.", 1)]
        take_up = data.take_up[0]
        assert (take_up["matches"], take_up["live"], take_up["completed"], take_up["declined"]) == (4, 1, 2, 1)
        assert take_up["capacity_use"] == 0.5


def test_state_and_provider_dashboards_are_about_their_own_work(app, people, timed):
    with app.app_context():
        state = compute_dashboard(_user(people.state))
        assert state.scope == "state" and state.request_total == 3 and state.take_up == []
        assert state.to_first_proposal.median == 2 and state.declined_total == 0
        other_state = compute_dashboard(_user(people.other_state))
        assert other_state.request_total == 1 and other_state.declined_total == 1
        imf = compute_dashboard(_user(people.other_provider))
        assert imf.request_total == 0 and imf.take_up == [] and imf.declined_total == 0
        unodc = compute_dashboard(_user(people.provider))
        assert unodc.request_total == 4 and len(unodc.take_up) == 1


def test_dashboard_filters(app, people, timed):
    with app.app_context():
        coordinator = _user(people.coordinator)
        assert compute_dashboard(coordinator, ReportFilters(region="002")).request_total == 1
        assert compute_dashboard(coordinator, ReportFilters(pillar="IV")).request_total == 1
        assert compute_dashboard(coordinator, ReportFilters(start=date(2025, 4, 1))).request_total == 0


def test_dashboard_page_shows_the_figures_charts_and_tables(clients, timed):
    html = clients.coordinator.get("/dashboard").get_data(as_text=True)
    assert 'id="stat-first-proposal">1.5 working days' in html
    assert 'id="stat-delivery">9.5 working days' in html
    assert "vendor/chart.js/chart.umd.min.js" in html and "js/charts.js" in html
    assert html.count("data-chart='") >= 4
    for table in ("table-by-month", "table-by-pillar", "table-by-region", "table-by-theme", "table-times",
                  "table-take-up", "table-declined"):
        assert f'id="{table}"' in html
    assert "Outside our mandate." in html
    state_html = clients.state.get("/dashboard").get_data(as_text=True)
    assert 'id="table-take-up"' not in state_html and "Your country" in state_html
    assert clients.provider.get("/dashboard").status_code == 200
    assert clients.anonymous.get("/dashboard").status_code == 302


def test_progress_report_numbers(app, people, scenario):
    """The scenario was made today: 6 requests submitted (one only submitted), 5 accepted, plus one accepted
    today but submitted in 2020 (triaged in the period, not received in it); 2 matches accepted, 1 completed."""
    with app.app_context():
        old = make_request(people, "open", themes=["wmd"])
        old.submitted_at = datetime(2020, 1, 1)
        db.session.commit()
        today = date.today()
        report = compute_progress(_user(people.coordinator), today - timedelta(days=1), today + timedelta(days=1))
        assert (report.received, report.triaged, report.matched, report.delivered) == (6, 6, 2, 1)
        assert report.received_by_pillar == {"I": 0, "II": 5, "III": 0, "IV": 1}
        assert {r["name"]: (r["received"], r["matched"], r["delivered"]) for r in report.by_region} == \
            {"Asia": (4, 2, 1), "Africa": (2, 0, 0)}
        assert [(row.country, theme.code) for row, theme, _ in report.gaps] == [("NGA", "financing")]
        assert report.to_first_proposal.count == 2
        state = compute_progress(_user(people.state), today, today)
        assert (state.received, state.matched, state.delivered) == (4, 2, 1)
        empty = compute_progress(_user(people.coordinator), date(2019, 1, 1), date(2019, 12, 31))
        assert (empty.received, empty.triaged, empty.matched, empty.delivered) == (0, 0, 0, 0)


def test_progress_report_and_dashboard_agree_on_a_period(app, people, scenario):
    """Both count pillars and times with the same helpers (dashboards.count_by_pillar, submission_durations)."""
    with app.app_context():
        today = date.today()
        coordinator = _user(people.coordinator)
        report = compute_progress(coordinator, today, today)
        board = compute_dashboard(coordinator, ReportFilters(start=today, end=today))
        assert report.received_by_pillar == board.by_pillar
        assert report.received == board.request_total
        for mine, theirs in ((report.to_first_proposal, board.to_first_proposal),
                             (report.to_delivery, board.to_delivery)):
            assert mine.count and sorted(mine.values) == sorted(theirs.values)


def test_progress_page(clients, scenario):
    today = date.today().isoformat()
    response = clients.coordinator.get(f"/reports/progress?start={today}&end={today}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-figure="received">6<' in html and 'data-figure="delivered">1<' in html
    assert "Nigeria (NGA)" in html
    bad = clients.coordinator.get("/reports/progress?start=soon")
    assert bad.status_code == 200 and "Use a date like" in bad.get_data(as_text=True)
    for person in ("state", "provider"):
        assert getattr(clients, person).get("/reports/progress").status_code == 403


def test_progress_report_as_pdf(clients, scenario):
    today = date.today().isoformat()
    page = clients.coordinator.get(f"/reports/progress?start={today}&end={today}").get_data(as_text=True)
    assert f'href="/reports/progress.pdf?start={today}&amp;end={today}"' in page

    response = clients.coordinator.get(f"/reports/progress.pdf?start={today}&end={today}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="exchange-progress-{today}-{today}.pdf"'
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF")
    text = pdf_text(response.data)
    assert "Requests received (submitted) 6" in text and "Matches accepted by a provider 2" in text
    assert "Deliveries completed 1" in text
    day = date.today().strftime("%b %-d, %Y")
    assert "Nigeria (NGA)" in text and f"Period: {day} to {day} (both ends included)" in text
    assert "II — Preventing and combating terrorism" in text


def test_progress_pdf_refuses_a_bad_period_and_other_roles(clients, scenario):
    bad = clients.coordinator.get("/reports/progress.pdf?start=2026-05-01&end=2026-04-01")
    assert bad.status_code == 422 and "The end must not be before the start." in bad.get_data(as_text=True)
    assert not bad.data.startswith(b"%PDF")
    for person in ("state", "provider"):
        assert getattr(clients, person).get("/reports/progress.pdf").status_code == 403
    assert clients.anonymous.get("/reports/progress.pdf").status_code == 302


def test_charts_tell_the_truth(app, people, timed):
    """One colour per status, from its enum (the badges' too); every month of the period on the axis, those
    without requests included; offers named by title (issue 14)."""
    from exchange.core.statuses import RequestStatus
    with app.app_context():
        data = compute_dashboard(_user(people.coordinator), ReportFilters(start=date(2025, 1, 1),
                                                                          end=date(2025, 5, 31)))
        assert data.months == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
        by_month = data.chart_specs()["by_month"]
        assert len(by_month["data"]["labels"]) == 5
        colours = {d["label"]: d["backgroundColor"] for d in by_month["data"]["datasets"]}
        assert colours == {str(RequestStatus(s).label): RequestStatus(s).colour for s in data.statuses}
        open_series = next(d for d in by_month["data"]["datasets"] if d["label"] == "Open")
        assert open_series["data"] == [0, 0, 1, 0, 0]
        # The same colour whatever the filters: Open is Open's colour with or without the other statuses.
        narrow = compute_dashboard(_user(people.coordinator), ReportFilters(region="002")).chart_specs()
        assert {d["label"]: d["backgroundColor"] for d in narrow["by_month"]["data"]["datasets"]}["Open"] == \
            RequestStatus.OPEN.colour
        labels = data.chart_specs()["take_up"]["data"]["labels"]
        assert labels and not any(label.startswith("O-0") for label in labels)
        assert labels[0] == data.take_up[0]["title"][:40] or labels[0].endswith("…")


def test_badges_and_charts_share_the_status_colours(clients, timed):
    html = clients.coordinator.get("/requests").get_data(as_text=True)
    assert 'class="badge badge-status status-request-open"' in html
    css = clients.anonymous.get("/statuses.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert ".badge.status-request-open { background-color: #0b7285;" in css.get_data(as_text=True)
