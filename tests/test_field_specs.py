"""The field specs (core/fields.py, requests/fields.py, offers/fields.py): each field written once drives
the input schema, the form, what a browser form sends, the snapshot, the export and import columns and the
matching engine's values; reference tables are read once per POST."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event, inspect
from werkzeug.datastructures import MultiDict

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import Field, Kind, Output, Spec
from exchange.core.schemas import StrictSchema, load
from exchange.matching import service
from exchange.offers.fields import OFFER
from exchange.offers.imports import COLUMNS
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer
from exchange.people.models import User
from exchange.requests.fields import REQUEST
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request

A_REQUEST = {"title": "Training for the FIU analysts", "description": "Analysts need training on typologies.",
             "themes": ["financing", "wmd"], "modalities": ["training"], "languages": ["en"], "urgency": "high",
             "beneficiary": "Financial Intelligence Unit", "desired_start": "2027-03-01"}
AN_OFFER = {"title": "Countering the financing of terrorism", "description": "A two-week course for FIU analysts.",
            "themes": ["financing"], "modalities": ["training"], "languages": ["en"], "regions": ["143"],
            "capacity": 2}

# A record with one field of a new kind of each: what a new field gets without being written anywhere else.
NOTE = Spec("note", [
    Field("id", kind=Kind.NUMBER, input=False, nullable=False, outputs=frozenset({Output.EXPORT})),
    Field("reference_number", "Your ministry's reference", Kind.TEXT, max_length=80, help="Optional."),
    Field("summary", "Summary", Kind.LONG_TEXT, required=True, min_length=10, max_length=500),
    Field("topics", "Topics", Kind.CODES, required=True, reference="themes"),
    Field("due", "Due", Kind.DATE),
    Field("until", "Until", Kind.DATE, not_before="due"),
    Field("cost", "Cost", Kind.MONEY, short_label="Cost in short"),
])


def note_schema():
    return NOTE.input_schema("NoteIn", StrictSchema, lambda table: frozenset({"financing", "wmd"}), "A note.")


def test_a_new_field_is_validated_shown_on_the_form_snapshotted_and_exported():
    schema = note_schema()
    with pytest.raises(ValidationFailed) as refused:
        load(schema(), {"reference_number": "x" * 81, "topics": ["nope"], "cost": -1}, partial=True)
    # Each message says what to do, naming the field by its label (issue 14: never "Longer than maximum …").
    assert refused.value.fields == {"reference_number": ["Your ministry's reference: enter at most 80 characters."],
                                    "topics": ["Unknown themes: nope."],
                                    "cost": ["Cost: enter a whole number from 0 to 1,000,000,000,000, e.g. 50000."]}
    with pytest.raises(ValidationFailed) as refused:
        load(schema(), {"due": "2027-02-01", "until": "2027-01-01"}, partial=True)
    assert refused.value.fields == {"until": ["The end must not be before the start."]}
    assert load(schema(), {"reference_number": " REF-1 ", "topics": ["wmd", "financing", "wmd"]},
                partial=True) == {"reference_number": "REF-1", "topics": ["financing", "wmd"]}
    note = SimpleNamespace(id=7, reference_number="REF-1", summary="Long enough text", topics=["wmd"],
                           due=date(2027, 1, 2), until=None, cost=None)
    assert NOTE.snapshot(note) == {"reference_number": "REF-1", "summary": "Long enough text", "topics": ["wmd"],
                                   "due": date(2027, 1, 2), "until": None, "cost": None}
    assert NOTE.export_header == ["id", "reference_number", "topics", "due", "until", "cost", "summary"]
    assert NOTE.export_row(note)[:2] == [7, "REF-1"]
    assert NOTE.required == ("summary", "topics")
    assert NOTE.matching_values(note) == {}  # the engine reads only the fields marked for it


def test_the_form_collects_what_the_schema_takes(app):
    form_class = NOTE.form_class("NoteForm", "A note's form.")
    with app.test_request_context():
        form = NOTE.form(form_class, {"themes": [SimpleNamespace(code="wmd", name="Weapons")]},
                         formdata=MultiDict([("reference_number", "REF-1"), ("summary", "  "), ("due", ""),
                                             ("cost", "12,500")]))
        assert form.reference_number.label.text == "Your ministry's reference"
        assert 'maxlength="80"' in form.reference_number()
        assert form.topics.choices == [("wmd", "Weapons")] and form.summary.flags.required
        sent = NOTE.form_input(form, creating=True)
        assert sent == {"reference_number": "REF-1", "summary": "  ", "topics": [], "due": None, "until": None,
                        "cost": 12500}
        assert NOTE.form_input(form, creating=True, as_draft=True) == {
            "reference_number": "REF-1", "due": None, "until": None, "cost": 12500}
        stored = SimpleNamespace(reference_number="REF-2", summary="", topics=[], due=None, until=None, cost=None)
        assert NOTE.changed_labels(stored, form) == ["Your ministry's reference", "Cost in short"]


def in_order(header: list[str], published: list[str]) -> bool:
    """The published columns are all there, in their order (new fields may come between them)."""
    return [c for c in header if c in published] == published


def test_the_export_and_import_columns_keep_their_published_order():
    assert in_order(REQUEST.export_header, [
        "id", "reference", "status", "country", "organisation", "title", "themes", "modalities", "languages",
        "urgency", "visibility", "beneficiary", "desired_start", "desired_end", "estimated_budget_usd",
        "created_at", "submitted_at", "accepted_at", "updated_at", "description"])
    assert REQUEST.export_header[-1] == "description"  # long text last
    assert in_order(OFFER.export_header, [
        "id", "reference", "status", "organisation", "title", "themes", "modalities", "languages", "countries",
        "regions", "available_from", "available_until", "capacity", "budget_usd", "contact_name", "contact_email",
        "created_at", "updated_at", "description"])
    assert in_order(COLUMNS, ["organisation", "title", "description", "themes", "modalities", "languages",
                              "countries", "regions", "available_from", "available_until", "capacity", "budget_usd",
                              "contact_name", "contact_email"])


@pytest.mark.parametrize("spec, model", [(REQUEST, AssistanceRequest), (OFFER, Offer)])
def test_every_stored_field_of_a_spec_is_a_column_or_relationship_of_its_model(spec, model):
    mapper = inspect(model)
    names = set(mapper.columns.keys()) | set(mapper.relationships.keys())
    for f in spec.fields:
        if f.read is None and f.input and not f.create_only:
            assert f.name in names, f"{spec.record}.{f.name} is not stored"


def test_the_matching_adapter_gives_the_engine_the_records_values_from_the_spec(app, people):
    """service.request_data/offer_data read the fields the specs mark for matching: what the engine gets is
    what was filed, by the engine's names."""
    from datetime import date
    with app.app_context():
        req = create_request(db.session.get(User, people.coordinator.id), {**A_REQUEST, "country": "KAZ"})
        offer = create_offer(db.session.get(User, people.provider.id), AN_OFFER)
        db.session.flush()
        data = service.request_data(req)
        assert (data.id, data.country, data.title, data.beneficiary, data.urgency) == (
            req.id, "KAZ", A_REQUEST["title"], "Financial Intelligence Unit", "high")
        assert data.themes == frozenset({"financing", "wmd"}) and data.languages == frozenset({"en"})
        assert data.desired_start == date(2027, 3, 1) and data.desired_end is None
        assert "143" in data.areas  # Central Asia, from the country
        offered = service.offer_data(offer, 1)
        assert (offered.title, offered.capacity, offered.load, offered.active) == (AN_OFFER["title"], 2, 1, True)
        assert offered.regions == frozenset({"143"}) and offered.countries == frozenset()
        db.session.rollback()


def test_filing_a_request_from_the_form_reads_each_reference_table_once(app, clients):
    form = {**A_REQUEST, "country": "KAZ", "action": "submit", "visibility": "task_force"}
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = clients.coordinator.post("/requests/new", data=form)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 302
    for table in ("themes", "modalities", "languages", "countries"):
        assert sum(f"FROM {table}" in s for s in statements) == 1, table
