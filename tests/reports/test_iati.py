"""IATI 2.03 activity XML: valid against the standard's schema, one activity per visible match in
delivery or completed, with the codes the module documents."""
from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from exchange.reports.iati import schema, sector_shares
from tests.factories import make_match, make_offer, make_request


@pytest.fixture(scope="module")
def iati_schema():
    """The IATI 2.03 schema kept in the repository (exchange/reports/iati_schema)."""
    return schema()


@pytest.fixture
def delivering(app, people, scenario):
    """Besides the scenario's completed match (KAZ), one in delivery for KAZ on two themes."""
    from exchange.core.extensions import db
    with app.app_context():
        offer = make_offer(people, themes=["financing", "criminal-justice"], countries=["KAZ"], title="FIU and courts")
        req = make_request(people, "open", themes=["financing", "criminal-justice", "rule-of-law"])
        match = make_match(people, req, offer, "in_delivery")
        db.session.commit()
        ids = dict(scenario.ids, m_delivery=match.id)
        db.session.remove()
    return ids


def _activities(document: bytes):
    return etree.fromstring(document).findall("iati-activity")


def test_export_validates_and_holds_one_activity_per_match(api, tokens, delivering, iati_schema):
    response = api.get("/api/v1/exports/iati-activities.xml", tokens.coordinator)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    document = etree.fromstring(response.data)
    iati_schema.assertValid(document)
    assert document.get("version") == "2.03"
    activities = document.findall("iati-activity")
    identifiers = sorted(a.findtext("iati-identifier") for a in activities)
    assert identifiers == sorted([f"XI-EXCHANGE-UNODC-EXCHANGE-M-{delivering['m_done']:05d}",
                                  f"XI-EXCHANGE-UNODC-EXCHANGE-M-{delivering['m_delivery']:05d}"])
    assert response.headers["X-IATI-Activities"] == "2"  # the accepted (not started) match is not exported
    by_id = {a.findtext("iati-identifier").rsplit("-", 1)[1]: a for a in activities}
    done = by_id[f"{delivering['m_done']:05d}"]
    assert done.find("activity-status").get("code") == "3"
    assert done.find("recipient-country").get("code") == "KZ"
    assert {d.get("type") for d in done.findall("activity-date")} >= {"2", "4"}
    assert done.find("reporting-org/narrative").text
    roles = {p.get("role") for p in done.findall("participating-org")}
    assert roles == {"2", "4"}
    ongoing = by_id[f"{delivering['m_delivery']:05d}"]
    assert ongoing.find("activity-status").get("code") == "2"
    sectors = {s.get("code"): Decimal(s.get("percentage")) for s in ongoing.findall("sector")}
    assert set(sectors) == {"24010", "15130"}  # criminal-justice and rule-of-law share 15130
    assert sum(sectors.values()) == 100


def test_export_respects_visibility(api, tokens, delivering, iati_schema):
    state = etree.fromstring(api.get("/api/v1/exports/iati-activities.xml", tokens.state).data)
    iati_schema.assertValid(state)
    assert len(state.findall("iati-activity")) == 2
    other_state = api.get("/api/v1/exports/iati-activities.xml", tokens.other_state)
    assert other_state.status_code == 200 and other_state.headers["X-IATI-Activities"] == "0"
    assert _activities(other_state.data) == []
    assert api.get("/api/v1/exports/iati-activities.xml", tokens.other_provider).headers["X-IATI-Activities"] == "0"
    assert api.get("/api/v1/exports/iati-activities.xml").status_code == 401


def test_page_download_is_the_same_document(clients, delivering, iati_schema):
    response = clients.provider.get("/exports/iati-activities.xml")
    assert response.status_code == 200
    iati_schema.assertValid(etree.fromstring(response.data))
    assert "attachment" in response.headers["Content-Disposition"]


def test_configured_organisation_identifiers_are_used(app, api, tokens, delivering):
    app.config["IATI_ORGANISATION_REFS"] = {"UNODC": "XM-DAC-00000"}
    try:
        document = etree.fromstring(api.get("/api/v1/exports/iati-activities.xml", tokens.coordinator).data)
    finally:
        app.config.pop("IATI_ORGANISATION_REFS")
    assert {a.find("reporting-org").get("ref") for a in document.findall("iati-activity")} == {"XM-DAC-00000"}
    assert all(a.findtext("iati-identifier").startswith("XM-DAC-00000-") for a in document.findall("iati-activity"))


def test_sector_shares_always_sum_to_100():
    for themes in (["financing"], ["financing", "wmd", "internet"], ["victims", "human-rights"], []):
        shares = sector_shares(themes)
        assert sum(share for *_, share in shares) == 100
        assert len({code for code, *_ in shares}) == len(shares)
