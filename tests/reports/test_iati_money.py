"""The IATI export, complete: transactions (pledge, commitment, disbursement, incoming and outgoing), budgets by
year, results with indicators, funding organisations as participating organisations with their real identifiers
where known (the organisation's `iati_identifier`); the document validates against the 2.03 schema, and money
and results are exported only to those who may see their match."""
from __future__ import annotations

import pytest
from lxml import etree

from exchange.core.extensions import db
from exchange.people.models import Organisation
from exchange.reports.iati import schema


@pytest.fixture(scope="module")
def iati_schema():
    return schema()


@pytest.fixture
def funded(app, people, world):
    """A completed KAZ match (UNODC) with money from UNODC itself and from KAZ, two results and lessons; the
    State commented on one result. UNODC and KAZ have IATI identifiers."""
    mid = world.match("completed")
    world.funding(mid, stage="pledged", amount="50000", currency="USD", usd_rate="1", date="2026-11-01")
    world.funding(mid, stage="committed", amount="40000", currency="EUR", usd_rate="1.1", date="2026-12-01")
    world.funding(mid, stage="disbursed", amount="20000", currency="EUR", usd_rate="1.08", date="2027-01-10")
    world.funding(mid, stage="committed", amount="5000000", currency="KZT", usd_rate="0.002", funder="KAZ",
                  date="2027-01-05")
    rid = world.result(mid, baseline=0, target=20, actual=18)
    world.result(mid, kind="outcome", indicator="Cases referred to prosecutors", unit="", baseline=None, target=None,
                 actual=None, note="Too early to count.")
    with app.app_context():
        from exchange.matches.delivery import comment_result, edit_lessons
        from exchange.matches.models import Match, MatchResult
        from exchange.people.models import User
        match = db.session.get(Match, mid)
        comment_result(db.session.get(User, people.state.id), match, db.session.get(MatchResult, rid),
                       {"comment": "Eighteen of ours attended."})
        edit_lessons(db.session.get(User, people.provider.id), match,
                     {"lessons": "Translate the material first.", "version": match.version})
        for code, ref in (("UNODC", "XM-DAC-41119"), ("KAZ", "KZ-GOV-1")):
            db.session.scalar(db.select(Organisation).where(Organisation.code == code)).iati_identifier = ref
        db.session.commit()
    yield mid
    with app.app_context():
        for code in ("UNODC", "KAZ"):
            db.session.scalar(db.select(Organisation).where(Organisation.code == code)).iati_identifier = ""
        db.session.commit()


def _activity(api, token):
    response = api.get("/api/v1/exports/iati-activities.xml", token)
    assert response.status_code == 200
    document = etree.fromstring(response.data)
    return document, document.findall("iati-activity")


def test_the_export_validates_with_transactions_budgets_and_results(api, tokens, funded, iati_schema):
    document, activities = _activity(api, tokens.coordinator)
    iati_schema.assertValid(document)
    [activity] = activities
    assert activity.findtext("iati-identifier") == f"XM-DAC-41119-EXCHANGE-M-{funded:05d}"
    assert activity.find("reporting-org").get("ref") == "XM-DAC-41119"
    roles = [(p.get("role"), p.get("ref")) for p in activity.findall("participating-org")]
    assert ("1", "XM-DAC-41119") in roles and ("1", "KZ-GOV-1") in roles
    assert ("4", "XM-DAC-41119") in roles and ("2", "KZ-GOV-1") in roles
    transactions = [(t.find("transaction-type").get("code"), t.find("value").get("currency"), t.findtext("value"),
                     t.find("provider-org").get("ref"), t.find("receiver-org").get("ref"))
                    for t in activity.findall("transaction")]
    assert transactions == [("12", "USD", "50000", "XM-DAC-41119", "KZ-GOV-1"),
                            ("2", "EUR", "40000", "XM-DAC-41119", "KZ-GOV-1"),
                            ("3", "EUR", "20000", "XM-DAC-41119", "KZ-GOV-1"),
                            ("11", "KZT", "5000000", "KZ-GOV-1", "XM-DAC-41119")]
    budgets = [(b.get("status"), b.find("period-start").get("iso-date"), b.findtext("value"))
               for b in activity.findall("budget")]
    assert budgets == [("2", "2026-01-01", "44000"), ("2", "2027-01-01", "10000")]
    results = activity.findall("result")
    assert [r.get("type") for r in results] == ["1", "2"]
    output = results[0].find("indicator")
    assert output.get("measure") == "1" and output.find("baseline").get("value") == "0"
    assert output.find("period/target").get("value") == "20" and output.find("period/actual").get("value") == "18"
    assert "Eighteen of ours attended." in output.findtext("period/actual/comment/narrative")
    assert results[1].find("indicator").get("measure") == "5" and results[1].find("indicator/period") is None
    descriptions = [d.findtext("narrative") for d in activity.findall("description")]
    assert "Lessons learned: Translate the material first." in descriptions


def test_money_and_results_are_exported_only_to_who_sees_the_match(api, tokens, funded, iati_schema):
    for person, count in (("state", 1), ("provider", 1), ("admin", 1), ("other_state", 0),
                          ("other_provider", 0), ("outside", 0)):
        document, activities = _activity(api, tokens[person])
        if activities:
            iati_schema.assertValid(document)
        assert len(activities) == count, person
        text = etree.tostring(document, encoding="unicode")
        assert ("5000000" in text) == bool(count) and ("Eighteen of ours" in text) == bool(count), person


def test_without_identifiers_other_organisations_have_no_made_up_ref(app, api, tokens, world, iati_schema):
    mid = world.match("in_delivery")
    world.funding(mid, funder="nordic-fund", stage="disbursed")
    document, [activity] = _activity(api, tokens.coordinator)
    iati_schema.assertValid(document)
    funder = next(p for p in activity.findall("participating-org") if p.get("role") == "1")
    assert funder.get("ref") is None and funder.findtext("narrative") == "Nordic Fund"
    assert activity.find("reporting-org").get("ref") == "XI-EXCHANGE-UNODC"
    assert activity.find("transaction/transaction-type").get("code") == "1"  # incoming funds from another funder
