"""Money and results in the reports: the dashboard's money panel and the progress report (page and PDF) total the
US dollars by pillar, region, provider and year, and show the results by pillar, counting only the matches the
viewer may see; a provider's and a State's dashboards count their own."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from exchange.core.extensions import db
from exchange.people.models import User
from exchange.reports.filters import ReportFilters
from exchange.reports.money import money_totals, results_by_pillar
from tests.helpers import pdf_text


def _delivered(world, people):
    """Two KAZ deliveries (financing, pillar II; and financing + human-rights, pillars II and IV) by UNODC, and one
    NGA delivery by IMF, with money in three currencies and results."""
    kaz = world.match("completed", request_id=world.request("open", themes=["financing"]))
    both = world.match("in_delivery", request_id=world.request("open", themes=["financing", "human-rights"]))
    nga_request = world.request("open", by="other_state", country="NGA", themes=["criminal-justice"])
    nga = world.match("completed", request_id=nga_request, offer_id=world.offer(by="other_provider", countries=["NGA"]),
                      provider="other_provider")
    world.funding(kaz, stage="pledged", amount="10000", currency="USD", usd_rate="1", date="2026-02-01")
    world.funding(kaz, stage="disbursed", amount="8000", currency="EUR", usd_rate="1.25", date="2027-01-15")
    world.funding(both, stage="committed", amount="1000000", currency="KZT", usd_rate="0.002", funder="KAZ",
                  date="2027-01-20")
    world.funding(nga, stage="committed", amount="3000", currency="USD", usd_rate="1", date="2027-02-01",
                  by="other_provider", funder="IMF")
    world.result(kaz, indicator="Analysts trained")
    world.result(nga, by="other_provider", indicator="Prosecutors trained", kind="outcome")
    return kaz, both, nga


def test_totals_by_pillar_region_provider_and_year_for_the_office(app, people, world):
    _delivered(world, people)
    with app.app_context():
        money = money_totals(db.session.get(User, people.coordinator.id))
        assert money.entries == 4
        assert money.total == {"pledged": Decimal(10000), "committed": Decimal(5000),
                               "disbursed": Decimal(10000)}
        pillars = {row.key: row.usd for row in money.by_pillar}
        assert pillars["II"] == {"pledged": Decimal(10000), "committed": Decimal(2000), "disbursed": Decimal(10000)}
        assert pillars["IV"]["committed"] == Decimal(2000) and pillars["III"]["committed"] == Decimal(3000)
        assert pillars["I"] == {"pledged": 0, "committed": 0, "disbursed": 0}
        providers = {row.key: row.usd for row in money.by_provider}
        assert providers["UNODC"]["committed"] == Decimal(2000) and providers["IMF"]["committed"] == Decimal(3000)
        assert [row.key for row in money.by_year] == ["2026", "2027"]
        assert {row.key for row in money.by_region} == {"142", "002"}  # Asia, Africa
        in_2027 = money_totals(db.session.get(User, people.coordinator.id),
                               ReportFilters(start=date(2027, 1, 1), end=date(2027, 1, 31)))
        assert in_2027.entries == 2 and in_2027.total["disbursed"] == Decimal(10000)
        africa = money_totals(db.session.get(User, people.coordinator.id), ReportFilters(region="002"))
        assert africa.entries == 1 and africa.total["committed"] == Decimal(3000)


def test_each_viewer_counts_only_the_matches_they_may_see(app, people, world):
    _delivered(world, people)
    with app.app_context():
        def total(person):
            return money_totals(db.session.get(User, person.id)).total
        assert total(people.state) == {"pledged": 10000, "committed": 2000, "disbursed": 10000}  # KAZ's two
        assert total(people.other_state) == {"pledged": 0, "committed": 3000, "disbursed": 0}
        assert total(people.provider) == total(people.state)  # UNODC delivered KAZ's two
        assert total(people.other_provider) == total(people.other_state)
        assert total(people.outside) == {"pledged": 0, "committed": 0, "disbursed": 0}
        results = {p.pillar: [r.indicator for r in p.results]
                   for p in results_by_pillar(db.session.get(User, people.state.id))}
        assert results == {"II": ["Analysts trained"]}
        office = {p.pillar: [r.indicator for r in p.results]
                  for p in results_by_pillar(db.session.get(User, people.coordinator.id))}
        assert office == {"II": ["Analysts trained"], "III": ["Prosecutors trained"]}


def test_the_dashboard_money_panel_per_role(clients, people, world):
    _delivered(world, people)
    shown = {"coordinator": ("$10,000", "$5,000", "$10,000"), "admin": ("$10,000", "$5,000", "$10,000"),
             "state": ("$10,000", "$2,000", "$10,000"), "provider": ("$10,000", "$2,000", "$10,000"),
             "other_state": ("$0", "$3,000", "$0"), "other_provider": ("$0", "$3,000", "$0")}
    for person, figures in shown.items():
        page = getattr(clients, person).get("/dashboard").get_data(as_text=True)
        assert 'id="dashboard-money-pillar"' in page, person
        for stage, figure in zip(("pledged", "committed", "disbursed"), figures, strict=True):
            assert f'data-figure="{stage}">{figure}<' in page, (person, stage)
    assert "No money has been recorded" in clients.outside.get("/dashboard").get_data(as_text=True)


def test_the_progress_report_shows_money_and_results_by_pillar(clients, people, world):
    _delivered(world, people)
    period = f"start=2026-01-01&end={max(date.today(), date(2027, 12, 31)).isoformat()}"
    page = clients.coordinator.get(f"/reports/progress?{period}").get_data(as_text=True)
    assert 'id="progress-money-pillar"' in page and 'id="progress-money-provider"' in page
    assert 'data-figure="disbursed">$10,000<' in page
    assert 'id="progress-results-II"' in page and "Analysts trained" in page
    assert 'id="progress-results-III"' in page and "Prosecutors trained" in page
    pdf = clients.coordinator.get(f"/reports/progress.pdf?{period}")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "Money (entries dated in the period)" in text and "$10,000" in text and "United Nations Office" in text
    assert "Results of the deliveries completed in the period, by pillar" in text and "Prosecutors trained" in text
    empty = clients.coordinator.get("/reports/progress?start=2020-01-01&end=2020-01-31").get_data(as_text=True)
    assert "No money was recorded with a date in this period." in empty


def test_the_progress_pdf_in_six_languages_has_the_money(clients, people, world):
    _delivered(world, people)
    period = f"start=2026-01-01&end={max(date.today(), date(2027, 12, 31)).isoformat()}"
    for language in ("ar", "zh", "fr", "ru", "es"):
        page = clients.coordinator.get(f"/reports/progress?{period}&lang={language}")
        assert page.status_code == 200 and 'id="progress-money-pillar"' in page.get_data(as_text=True)
        pdf = clients.coordinator.get(f"/reports/progress.pdf?{period}&lang={language}")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
        assert "Money (entries dated in the period)" not in pdf_text(pdf.data), language
