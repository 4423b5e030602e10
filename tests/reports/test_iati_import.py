"""IATI in: a provider's IATI 2.03 activity file reconciled with its offers and matches (new, changed with the
fields, unchanged, invalid with reasons, unmatched), nothing saved while a chosen row is invalid, the chosen
valid rows saved together; the file checked (schema, reporting organisation, identifiers naming others'
records); the command line; who may import."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.offers.models import Offer
from tests.factories import IATI_NEW_IDS as NEW_IDS
from tests.factories import IATI_OFFER_IDS as OFFER_IDS
from tests.factories import (
    iati_activity,
    iati_file,
    make_iati_twelve,
    make_match,
    make_offer,
    make_request,
    user_of,
)


def _upload(client, data: bytes, **form):
    return client.post("/imports/iati", data={"file": (io.BytesIO(data), "activities.xml"), **form},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', html)
    assert found, html[:3000]
    return found.group(1)


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def _state(app) -> dict:
    with app.app_context():
        return {"offers": db.session.scalar(select(func.count(Offer.id))),
                "titles": sorted(db.session.scalars(select(Offer.title))),
                "matches": sorted((m.id, str(m.status), m.outcome) for m in db.session.scalars(select(Match))),
                "audit": db.session.scalar(select(func.count(AuditEvent.id)))}


@pytest.fixture
def twelve(app, people):
    """factories.make_iati_twelve: three new, eight naming UNODC's records (four unchanged, four changed), one
    invalid (activity 12)."""
    with app.app_context():
        return make_iati_twelve(people)


def test_twelve_activities_all_or_nothing_then_the_eleven_valid_ones(app, clients, twelve):
    preview = _upload(clients.provider, twelve["file"])
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert _counts(html) == {"new": 3, "changed": 4, "unchanged": 4, "invalid": 1, "unmatched": 0}
    assert "Unknown countries: ZZ." in html
    assert "Programme renamed: analysts" in html and "<del>" in html  # the field that changes, before → after
    assert "Thirty analysts trained." in html
    before = _state(app)
    token = _token(html)

    # Every row chosen, the invalid one too: nothing is saved.
    refused = clients.provider.post("/imports/iati/confirm", data={"token": token,
                                                                   "rows": [str(n) for n in range(1, 13)]})
    assert refused.status_code == 422
    assert 'id="iati-refused"' in refused.get_data(as_text=True)
    assert _state(app) == before

    # The invalid one left out: the eleven others are saved, together.
    saved = clients.provider.post("/imports/iati/confirm", data={"token": token,
                                                                 "rows": [str(n) for n in range(1, 12)]})
    assert saved.status_code == 200, saved.get_data(as_text=True)[:3000]
    assert 'id="iati-done"' in saved.get_data(as_text=True)
    after = _state(app)
    assert after["offers"] == before["offers"] + 3
    with app.app_context():
        new = list(db.session.scalars(select(Offer).where(Offer.iati_identifier.in_(NEW_IDS))))
        assert len(new) == 3 and all(o.organisation.code == "UNODC" for o in new)
        assert all(o.country_codes == ["KGZ", "TJK"] for o in new)
        renamed = db.session.scalar(select(Offer).where(Offer.iati_identifier == OFFER_IDS[1]))
        assert renamed.title == "Programme renamed: analysts' course on terrorist financing"
        assert db.session.scalar(select(Offer.budget_usd).where(Offer.iati_identifier == OFFER_IDS[2])) == 90000
        assert db.session.scalar(select(Offer).where(Offer.iati_identifier == "XM-DAC-41122-BAD-1")) is None
        m = {x.id: x for x in db.session.scalars(select(Match))}
        first, second, third, fourth = (m[i] for i in twelve["matches"])
        assert (first.status, second.status, third.status, fourth.status) == (
            "in_delivery", "completed", "completed", "in_delivery")
        assert second.outcome == "Thirty analysts trained."
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before["audit"])))
        assert {"offer.created", "offer.edited", "match.complete", "match.start"} <= actions


def test_the_same_file_again_changes_nothing(app, clients, twelve):
    preview = _upload(clients.provider, twelve["file"])
    token = _token(preview.get_data(as_text=True))
    clients.provider.post("/imports/iati/confirm", data={"token": token, "rows": [str(n) for n in range(1, 12)]})
    again = _upload(clients.provider, twelve["file"]).get_data(as_text=True)
    assert _counts(again) == {"new": 0, "changed": 0, "unchanged": 11, "invalid": 1, "unmatched": 0}


def test_records_not_in_the_file_are_listed_as_unmatched(clients, twelve):
    one = iati_file([iati_activity(OFFER_IDS[0], title=f"Programme {OFFER_IDS[0]} on terrorist financing")])
    html = _upload(clients.provider, one).get_data(as_text=True)
    counts = _counts(html)
    assert counts["unchanged"] == 1 and counts["unmatched"] == 3 + 3  # three offers, three matches in delivery
    assert 'id="iati-unmatched"' in html


def test_activities_naming_other_providers_records_or_reported_by_others_are_invalid(app, people, clients):
    with app.app_context():
        imf_offer = make_offer(people, by="other_provider")
        match = make_match(people, make_request(people, "open"), imf_offer, "in_delivery", provider="other_provider")
        db.session.commit()
        imf_match_ref, imf_offer_ref = match.reference, imf_offer.reference
    data = iati_file([
        iati_activity(f"XI-EXCHANGE-UNODC-EXCHANGE-{imf_match_ref}"),
        iati_activity(f"XI-EXCHANGE-UNODC-EXCHANGE-{imf_offer_ref}"),
        iati_activity("XM-DAC-47066-1", reporting="XI-EXCHANGE-IMF"),
        iati_activity("XI-EXCHANGE-UNODC-EXCHANGE-M-99999"),
    ])
    html = _upload(clients.provider, data).get_data(as_text=True)
    assert _counts(html)["invalid"] == 4
    assert html.count("which is not a record of UNODC") == 3
    assert "Reported by XI-EXCHANGE-IMF, not by UNODC." in html


def test_schema_and_offer_rules_give_the_reasons(clients):
    data = iati_file([iati_activity("XM-DAC-41122-T-1", title=""),
                      iati_activity("XM-DAC-41122-T-2", sectors=("99810",)),
                      iati_activity("XM-DAC-41122-T-1", title="Twice the same identifier in one file")])
    html = _upload(clients.provider, data).get_data(as_text=True)
    assert "Schema:" in html  # an empty title has no narrative: the 2.03 schema says so
    assert "Choose at least one theme." in html  # a sector that maps to no theme
    counts = _counts(html)
    assert counts["invalid"] >= 2


def test_a_completed_match_cannot_go_back_and_a_completion_needs_its_outcome(app, people, clients):
    with app.app_context():
        offer = make_offer(people)
        done = make_match(people, make_request(people, "open"), offer, "completed")
        busy = make_match(people, make_request(people, "open"), offer, "in_delivery")
        db.session.commit()
        refs = done.reference, busy.reference
    data = iati_file([iati_activity(f"XI-EXCHANGE-UNODC-EXCHANGE-{refs[0]}", status="2"),
                      iati_activity(f"XI-EXCHANGE-UNODC-EXCHANGE-{refs[1]}", status="3")])
    html = _upload(clients.provider, data).get_data(as_text=True)
    assert _counts(html)["invalid"] == 2
    assert "an IATI file cannot take it back" in html
    assert "A completed activity needs its outcome" in html


@pytest.mark.parametrize("data, message", [
    (b"", "Choose an IATI XML file"),
    (b"not xml at all", "not well-formed XML"),
    (b"<?xml version='1.0'?><iati-organisations version='2.03'/>", "not an IATI activity file"),
    (b"<?xml version='1.0'?><iati-activities version='2.03'></iati-activities>", "holds no activity"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
     b"<iati-activities version='2.03'><iati-activity><iati-identifier>&e;</iati-identifier></iati-activity>"
     b"</iati-activities>", ""),
])
def test_bad_files_are_refused_with_a_message_and_change_nothing(app, clients, people, data, message):
    before = _state(app)
    response = _upload(clients.provider, data)
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    assert message in html
    assert "root:x:" not in html  # no external entity is ever read
    assert _state(app) == before


def test_coordinators_import_for_a_provider_they_choose(app, clients):
    data = iati_file([iati_activity("XM-DAC-41122-C-1")])
    missing = _upload(clients.coordinator, data)
    assert missing.status_code == 422 and "Choose a provider from the list." in missing.get_data(as_text=True)
    preview = _upload(clients.coordinator, data, organisation="UNODC")
    assert _counts(preview.get_data(as_text=True))["new"] == 1
    saved = clients.coordinator.post("/imports/iati/confirm", data={"token": _token(preview.get_data(as_text=True)),
                                                                    "rows": ["1"]})
    assert saved.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Offer).where(Offer.iati_identifier == "XM-DAC-41122-C-1")).organisation.code \
            == "UNODC"


def test_a_token_is_the_uploaders_own(clients):
    preview = _upload(clients.provider, iati_file([iati_activity("XM-DAC-41122-O-1")]))
    token = _token(preview.get_data(as_text=True))
    other = clients.other_provider.post("/imports/iati/confirm", data={"token": token, "rows": ["1"]})
    assert other.status_code == 422 and "expired" in other.get_data(as_text=True)
    nothing = clients.provider.post("/imports/iati/confirm", data={"token": token})
    assert nothing.status_code == 422  # nothing chosen: nothing to save


@pytest.mark.parametrize("person, status", [("state", 403), ("provider", 200), ("other_provider", 200),
                                            ("coordinator", 200), ("admin", 200), ("pending", 403)])
def test_who_may_import(clients, person, status):
    assert getattr(clients, person).get("/imports/iati").status_code == status
    confirm = getattr(clients, person).post("/imports/iati/confirm", data={"token": "x"})
    assert confirm.status_code == (403 if status == 403 else 422)


def test_anonymous_people_are_sent_to_sign_in(clients):
    response = clients.anonymous.get("/imports/iati")
    assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


def test_the_command_reports_then_saves_all_or_nothing(app, people, tmp_path):
    path = tmp_path / "activities.xml"
    path.write_bytes(iati_file([iati_activity("XM-DAC-41122-CLI-1"),
                                iati_activity("XM-DAC-41122-CLI-2", countries=("ZZ",))]))
    runner = app.test_cli_runner()
    email = people.provider.email
    report = runner.invoke(args=["iati", "import", str(path), "--as", email])
    assert report.exit_code == 0, report.output
    assert "1 new, 0 changed, 0 unchanged, 1 invalid" in report.output
    refused = runner.invoke(args=["iati", "import", str(path), "--as", email, "--save"])
    assert refused.exit_code != 0 and "Nothing saved" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Offer.id))) == 0
    saved = runner.invoke(args=["iati", "import", str(path), "--as", email, "--save", "--skip", "2"])
    assert saved.exit_code == 0, saved.output
    with app.app_context():
        assert list(db.session.scalars(select(Offer.iati_identifier))) == ["XM-DAC-41122-CLI-1"]
        assert user_of(people.provider).organisation.code == "UNODC"


def test_the_scheduled_import_reads_the_configured_file_and_saves_the_valid_activities(app, people, tmp_path):
    from exchange.reports.iati_import import scheduled_import
    path = tmp_path / "published.xml"
    path.write_bytes(iati_file([iati_activity("XM-DAC-41122-JOB-1"), iati_activity("XM-DAC-41122-JOB-2",
                                                                                 countries=("ZZ",))]))
    with app.app_context():
        assert scheduled_import({}) is None  # not configured: nothing to do
        result = scheduled_import({"IATI_IMPORT_PATH": str(path), "IATI_IMPORT_AS": people.provider.email})
        assert result.saved and result.counts["new"] == 1
        assert list(db.session.scalars(select(Offer.iati_identifier))) == ["XM-DAC-41122-JOB-1"]
    runner = app.test_cli_runner()
    again = runner.invoke(args=["iati", "import", str(path), "--as", people.provider.email, "--save", "--valid-only"])
    assert again.exit_code == 0, again.output
    assert "0 new, 0 changed, 1 unchanged" in again.output
