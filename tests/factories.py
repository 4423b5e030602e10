"""The one place test data is built: people of every role and their organisations, requests in any status,
offers, matches at any stage, documents, messages, API tokens and two-step credentials, through the real
operations (the same code path as the pages and the API); also the inputs of the matching engine and the
files the uploads and imports take.

Two ways to build records:
- inside the caller's app context, the functions `make_*` flush and return the records themselves;
- from outside one, `World(app, people)` (the `world` fixture) opens its own context for each record,
  commits, and answers ids.
Saved searches (`make_saved_search`) and notification settings (`set_notification_choices`) too.
Each operation is called in one place here (`make_request` files requests, `move_request` moves them…),
so that a change to an operation's signature is one edit."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import hash_password
from exchange.matching.engine import OfferData, RequestData

PASSWORD = "Correct-Horse-Battery-42"  # every built person's password

# A complete request and a complete offer, as the API and the operations take them.
REQUEST = {
    "title": "Strengthening our Financial Intelligence Unit against terrorist financing",
    "description": "The FIU needs training for analysts on suspicious transaction reports and tracing "
                   "terrorist financing through money value transfer services.",
    "beneficiary": "Financial Intelligence Unit", "themes": ["financing"], "modalities": ["training"],
    "languages": ["ru", "en"], "urgency": "high", "visibility": "task_force"}
OFFER = {
    "title": "Countering the financing of terrorism: analyst training",
    "description": "Courses for financial intelligence analysts on money laundering and terrorist financing "
                   "typologies, suspicious transaction reports and asset freezing.",
    "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"], "countries": [], "regions": []}

# How a request filed (and submitted) by its State reaches each status, and a proposed match each stage.
REQUEST_PATHS = {
    "draft": [],
    "submitted": [],
    "in_review": ["review"],
    "needs_info": [("request-info", {"message": "Which agency will host the training?"})],
    "open": ["accept"],
    "rejected": [("reject", {"reason": "Out of the Strategy's scope."})],
    "withdrawn": ["withdraw"],
    "closed": ["accept", "close"],
}
MATCH_PATHS = {
    "proposed": [],
    "accepted": ["accept"],
    "in_delivery": ["accept", "start"],
    "completed": ["accept", "start", ("complete", {"outcome": "Forty analysts trained."})],
    "declined": [("decline", {"reason": "No trainers free this year."})],
    "withdrawn": ["withdraw"],
}


def _steps(path: list) -> list[tuple[str, dict]]:
    return [step if isinstance(step, tuple) else (step, {}) for step in path]


# ------------------------------------------------------------------------------------------------
# People and organisations

@dataclass
class People:
    state: object          # member_state of KAZ
    other_state: object    # member_state of NGA
    provider: object       # provider of UNODC (a Task Force entity)
    other_provider: object  # provider of IMF
    outside: object        # provider of an approved outside provider
    pending: object        # provider of an outside provider awaiting approval
    coordinator: object
    admin: object

    def all(self) -> dict:
        return dict(self.__dict__)


_HASH = None


def password_hash() -> str:
    """PASSWORD's hash, made once: argon2 is slow on purpose."""
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def user_of(person):
    """The User row, in this app context's session, of a person: a User (even a detached one, such as those of
    the `people` fixture), anything with an `id`, or an id."""
    from exchange.people.models import User
    return db.session.get(User, getattr(person, "id", person))


def make_user(email: str, role: str, org_code: str, name: str = ""):
    from exchange.people.models import Organisation, User
    org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    user = User(email=email, role=role, organisation=org, password_hash=password_hash(), name=name or email)
    db.session.add(user)
    db.session.flush()
    return user


def make_outside_provider(code: str, approval: str):
    """An outside provider's organisation, `approved` or `pending`."""
    from exchange.people.models import Organisation
    org = Organisation(code=code, name=code.replace("-", " ").title(), kind="outside_provider", approval=approval)
    db.session.add(org)
    db.session.flush()
    return org


def make_people() -> People:
    """A person of every role (and the two outside providers), committed."""
    make_outside_provider("nordic-fund", "approved")
    make_outside_provider("new-institute", "pending")
    people = People(
        state=make_user("focal@kaz.test.example", "member_state", "KAZ"),
        other_state=make_user("focal@nga.test.example", "member_state", "NGA"),
        provider=make_user("officer@unodc.test.example", "provider", "UNODC"),
        other_provider=make_user("officer@imf.test.example", "provider", "IMF"),
        outside=make_user("officer@nordic.test.example", "provider", "nordic-fund"),
        pending=make_user("officer@new.test.example", "provider", "new-institute"),
        coordinator=make_user("coordinator@ctitf.test.example", "coordinator", "CTITF"),
        admin=make_user("admin@ctitf.test.example", "admin", "CTITF"),
    )
    db.session.commit()
    return people


def make_api_token(person, name: str = "", **options) -> str:
    """A bearer token the person issued for themselves (`scope`, `days` as issue_api_token takes them)."""
    from exchange.people.tokens import issue_api_token
    return issue_api_token(None, user_of(person), {"name": name, **options})


def make_session(person, *, address: str = "127.0.0.1", user_agent: str = "test client") -> str:
    """A signed-in session of the person's; answers the token its cookie carries."""
    from exchange.people.operations import open_session
    _row, token = open_session(user_of(person), {"address": address, "user_agent": user_agent})
    return token


def make_mfa(person) -> tuple[str, list[str]]:
    """Two-step sign-in on for the person, no code taken yet: its secret and its recovery codes."""
    from exchange.people import totp
    from exchange.people.credentials import MfaCredential, RecoveryCode
    user_id = user_of(person).id
    secret, codes = totp.new_secret(), totp.new_recovery_codes()
    db.session.add(MfaCredential(user_id=user_id, secret=secret, enabled_at=utcnow()))
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=totp.recovery_digest(c)) for c in codes)
    db.session.flush()
    return secret, codes


# ------------------------------------------------------------------------------------------------
# Requests, offers, matches, messages, documents (in the caller's app context)

def _person(people, who):
    return user_of(getattr(people, who) if isinstance(who, str) else who)


def make_request(people, status: str = "submitted", by="state", **fields):
    """A request of `by`'s State (KAZ for `state`, NGA for `other_state`; a person's name, a person or a
    User), from REQUEST with `fields`, brought to `status` by the coordinator (the State submits it).
    `shared_with` in `fields`: filed by the coordinator on the State's behalf (only coordinators share);
    `draft=True` is the same as status "draft"."""
    from exchange.requests.operations import create_request
    if fields.pop("draft", False):
        status = "draft"
    filer = _person(people, by)
    data = REQUEST | fields | {"draft": status == "draft"}
    if "shared_with" in data:
        data["country"] = filer.organisation.country_iso3
        filer = _person(people, "coordinator")
    req = create_request(filer, data)
    for action, body in _steps(REQUEST_PATHS[status]):
        move_request(people, req, action, body)
    return req


def move_request(people, req, action: str, body: dict | None = None, by="coordinator"):
    from exchange.requests.operations import request_move
    return request_move(action)(_person(people, by), req, body or {})


def update_request(people, req, by="coordinator", **changes):
    """An edit of the request as `by`, at the version it has now."""
    from exchange.requests.operations import update_request as update
    return update(_person(people, by), req, {"version": req.version, **changes})


def make_offer(people, by="provider", status: str = "active", **fields):
    """An offer of `by`'s organisation from OFFER with `fields`, `active`, `paused` or `closed`."""
    from exchange.offers.operations import create_offer
    offer = create_offer(_person(people, by), OFFER | fields)
    if status in ("paused", "closed"):
        move_offer(people, offer, "pause" if status == "paused" else "close", by=by)
    return offer


def move_offer(people, offer, action: str, body: dict | None = None, by="provider"):
    from exchange.offers.operations import offer_move
    return offer_move(action)(_person(people, by), offer, body or {})


def make_match(people, req, offer, status: str = "proposed", provider="provider", note: str | None = None,
               **bodies):
    """The coordinator proposes `offer` for `req`; `provider` (the coordinator for withdraw) moves the match
    to `status` (MATCH_PATHS); `bodies` overrides a step's body by action, e.g. decline={"reason": …}."""
    from exchange.matches.operations import propose_match
    raw = {"request_id": getattr(req, "id", req), "offer_id": getattr(offer, "id", offer)}
    if note is not None:
        raw["note"] = note
    match = propose_match(_person(people, "coordinator"), raw)
    for action, body in _steps(MATCH_PATHS[status]):
        move_match(people, match, action, bodies.get(action, body),
                   by="coordinator" if action == "withdraw" else provider)
    return match


def move_match(people, match, action: str, body: dict | None = None, by="provider"):
    from exchange.matches.operations import match_move
    return match_move(action)(_person(people, by), match, body or {})


FUNDING = {"stage": "committed", "amount": "25000.00", "currency": "EUR", "date": "2027-03-01", "funder": "UNODC",
           "usd_rate": "1.10"}
RESULT = {"kind": "output", "indicator": "Analysts trained in financial analysis", "unit": "people", "baseline": 0,
          "target": 20, "actual": 18, "note": "Two analysts left before the course."}


def make_funding(people, match, by="provider", **fields):
    """A funding entry on `match` (FUNDING with `fields`) entered by `by`."""
    from exchange.matches.delivery import add_funding
    return add_funding(_person(people, by), match, FUNDING | fields)


def make_result(people, match, by="provider", **fields):
    """A result indicator on `match` (RESULT with `fields`) entered by `by`."""
    from exchange.matches.delivery import add_result
    return add_result(_person(people, by), match, RESULT | fields)


def make_message(people, record, text: str, by="state", audience: str = "everyone"):
    """A message by `by` in the thread of a request or match, for `audience` (everyone, providers, office)."""
    from exchange.messages.operations import post_message
    return post_message(_person(people, by), record, {"message": text, "audience": audience})


def assign_case(people, req, owner, by="coordinator"):
    """`by` makes `owner` (a person or None) the owner of the case `req`."""
    from exchange.requests.operations import assign_request
    return assign_request(_person(people, by), req, {"owner_id": _person(people, owner).id if owner else None})


OFFICE_TITLES = ("Training for the financial intelligence unit", "Border risk analysis with advance passenger data",
                 "Prison management against radicalisation", "Legislative drafting on terrorist financing",
                 "Forensic support to counter-terrorism investigations")


def make_office(people, open_requests: int = 200, coordinators: int = 4, overdue_every: int = 3):
    """A busy Task Force office: `coordinators` coordinators (the people fixture's and more) and
    `open_requests` live requests of both States in triage, each third aged into overdue (its submission and
    the office's clock three weeks back), spread over the coordinators as owners (a fifth have none).
    Returns the coordinators."""
    from datetime import timedelta

    from exchange.core.models import utcnow
    office = [_person(people, "coordinator")] + [
        make_user(f"coordinator{n}@office.test.example", "coordinator", "CTITF", f"Coordinator {n}")
        for n in range(2, coordinators + 1)]
    three_weeks = utcnow() - timedelta(days=21)
    for n in range(open_requests):
        req = make_request(people, ("submitted", "in_review", "needs_info")[n % 3] if n % 4 else "submitted",
                           by="state" if n % 2 else "other_state",
                           title=f"{OFFICE_TITLES[n % len(OFFICE_TITLES)]} ({n + 1})")
        if n % 5:
            assign_case(people, req, office[n % len(office)])
        if n % overdue_every == 0 and req.status != "needs_info":
            req.submitted_at = req.clock_since = three_weeks
    return office


def make_saved_search(people, by="provider", name: str = "Financing requests", record_type: str = "request",
                      **params):
    """A search of the request (or offer) list saved by `by`, with the list's query arguments `params`."""
    from exchange.subscriptions.operations import save_search
    return save_search(_person(people, by), {"record_type": record_type, "name": name, "params": params})


def set_notification_choices(people, by, **choices):
    """`by`'s notification settings: category=(in the inbox, by e-mail), each "now", "daily" or "off"."""
    from exchange.messages.preferences import set_preferences
    return set_preferences(_person(people, by), choices)


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_document(people, record, by="state", name: str = "needs assessment.pdf", data: bytes = PDF_BYTES):
    """A document attached to a request or an offer by `by`, as an upload would be."""
    from exchange.documents.operations import attach_document
    return attach_document(_person(people, by), record, {"file": FileStorage(io.BytesIO(data), filename=name)})


# ------------------------------------------------------------------------------------------------
# The same, each in its own app context and committed: ids

class World:
    """Builds records as the people of the `people` fixture, each committed in its own app context, and
    answers their ids; reads a record's status, a row or a count the same way."""

    def __init__(self, app, people):
        self.app, self.people = app, people

    def _commit(self, build) -> int:
        with self.app.app_context():
            record = build()
            db.session.commit()
            return record.id

    def request(self, status: str = "submitted", by="state", **fields) -> int:
        return self._commit(lambda: make_request(self.people, status, by, **fields))

    def offer(self, by="provider", status: str = "active", **fields) -> int:
        return self._commit(lambda: make_offer(self.people, by, status, **fields))

    def match(self, status: str = "proposed", request_id: int | None = None, offer_id: int | None = None,
              **options) -> int:
        request_id = request_id or self.request("open")
        offer_id = offer_id or self.offer()
        return self._commit(lambda: make_match(self.people, request_id, offer_id, status, **options))

    def funding(self, match_id: int, by="provider", **fields) -> int:
        from exchange.matches.models import Match
        return self._commit(lambda: make_funding(self.people, db.session.get(Match, match_id), by, **fields))

    def result(self, match_id: int, by="provider", **fields) -> int:
        from exchange.matches.models import Match
        return self._commit(lambda: make_result(self.people, db.session.get(Match, match_id), by, **fields))

    def move_request(self, request_id: int, action: str, body: dict | None = None, by="coordinator") -> None:
        from exchange.requests.models import AssistanceRequest
        self._commit(lambda: move_request(self.people, db.session.get(AssistanceRequest, request_id), action,
                                          body, by))

    def move_match(self, match_id: int, action: str, body: dict | None = None, by="provider") -> None:
        from exchange.matches.models import Match
        self._commit(lambda: move_match(self.people, db.session.get(Match, match_id), action, body, by))

    def mfa(self, person) -> tuple[str, list[str]]:
        """Two-step sign-in on for the person (make_mfa), committed: its secret and recovery codes."""
        with self.app.app_context():
            secret_and_codes = make_mfa(person)
            db.session.commit()
            return secret_and_codes

    def age(self, model, record_id: int, days: float, *columns: str) -> None:
        """Move a record's timestamps `days` into the past (as if it had waited)."""
        with self.app.app_context():
            record = db.session.get(model, record_id)
            for column in columns or ("status_changed_at",):
                setattr(record, column, getattr(record, column) - timedelta(days=days))
            db.session.commit()

    def status_of(self, model, record_id) -> str:
        with self.app.app_context():
            return db.session.get(model, record_id).status

    def row(self, model, record_id):
        with self.app.app_context():
            record = db.session.get(model, record_id)
            db.session.expunge(record)
            return record

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.query(model).count()

    def notifications_of(self, person, kind: str | None = None) -> list:
        from exchange.messages.models import Notification
        with self.app.app_context():
            stmt = select(Notification).where(Notification.user_id == person.id).order_by(Notification.id)
            if kind:
                stmt = stmt.where(Notification.kind == kind)
            rows = list(db.session.scalars(stmt))
            db.session.expunge_all()
            return rows


# ------------------------------------------------------------------------------------------------
# Files: uploads and offer imports

def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype"
                             else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "Needs"
    book.save(buffer)
    return buffer.getvalue()


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return zip_bytes({"mimetype": mimetype, "content.xml": b"<office:document-content/>"})


def import_rows(n: int, changes: dict | None = None) -> list[dict]:
    """n valid offer-import rows (no organisation: the importer's own); `changes` = {row_index: {column: value}}."""
    from exchange.offers.imports import EXAMPLE_ROW
    result = []
    for i in range(n):
        row = dict(EXAMPLE_ROW, organisation="", title=f"Programme number {i + 1} on terrorism financing")
        row.update((changes or {}).get(i, {}))
        result.append(row)
    return result


def as_csv(data: list[dict]) -> bytes:
    from exchange.offers.imports import COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue().encode("utf-8")


def request_import_rows(n: int, changes: dict | None = None, countries=("KAZ", "NGA")) -> list[dict]:
    """n valid request-import rows (the needs of an assessment visit), for the States in turn; `changes` =
    {row_index: {column: value}}."""
    from exchange.requests.imports import EXAMPLE_ROW
    result = []
    for i in range(n):
        row = dict(EXAMPLE_ROW, country=countries[i % len(countries)],
                   title=f"Recommendation {i + 1}: legal advice on terrorist financing offences")
        row.update((changes or {}).get(i, {}))
        result.append(row)
    return result


def as_requests_csv(data: list[dict]) -> bytes:
    from exchange.requests.imports import COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------------------
# IATI activity files (the IATI import)

IATI_DESCRIPTION = ("Courses for financial intelligence analysts on terrorist financing typologies and suspicious "
                    "transaction reports.")


def iati_activity(identifier: str, title: str = "Regional training on countering the financing of terrorism",
                  description: str = IATI_DESCRIPTION,
                  reporting: str = "XI-EXCHANGE-UNODC", countries=("KZ",), sectors=("24010",), status: str = "2",
                  start: str = "2026-03-01", end: str = "2026-12-31", budget: int | None = 150000,
                  outcome: str = "", lang: str = "en", contact_email: str = "programme@unodc.example.org") -> str:
    """One `iati-activity` in the order the IATI 2.03 schema requires (a provider's own publication)."""
    from xml.sax.saxutils import escape
    parts = [f'<iati-activity xml:lang="{lang}" default-currency="USD" last-updated-datetime="2026-06-01T00:00:00Z">',
             f"<iati-identifier>{escape(identifier)}</iati-identifier>",
             f'<reporting-org ref="{escape(reporting)}" type="40"><narrative>Reporter</narrative></reporting-org>',
             f"<title><narrative>{escape(title)}</narrative></title>" if title else "<title/>",
             f'<description type="1"><narrative>{escape(description)}</narrative></description>']
    if outcome:
        parts.append(f'<description type="4"><narrative>Outcome: {escape(outcome)}</narrative></description>')
    parts += [f'<participating-org ref="{escape(reporting)}" role="4" type="40"><narrative>Reporter</narrative>'
              "</participating-org>",
              f'<activity-status code="{status}"/>',
              f'<activity-date type="1" iso-date="{start}"/>', f'<activity-date type="3" iso-date="{end}"/>',
              f'<contact-info type="1"><email>{escape(contact_email)}</email></contact-info>']
    parts += [f'<recipient-country code="{c}" percentage="{100 // len(countries)}"/>' for c in countries]
    parts += [f'<sector vocabulary="1" code="{c}" percentage="{100 // len(sectors)}"/>' for c in sectors]
    parts.append('<default-aid-type code="D02" vocabulary="1"/>')
    if budget is not None:
        parts.append(f'<budget type="1" status="1"><period-start iso-date="{start}"/><period-end iso-date="{end}"/>'
                     f'<value currency="USD" value-date="{start}">{budget}</value></budget>')
    parts.append("</iati-activity>")
    return "".join(parts)


def iati_file(activities: list) -> bytes:
    """An `iati-activities` 2.03 document of these activities (strings, or lxml elements from the export)."""
    from lxml import etree
    body = "".join(a if isinstance(a, str) else etree.tostring(a, encoding="unicode") for a in activities)
    return (f'<?xml version="1.0" encoding="UTF-8"?><iati-activities version="2.03" '
            f'generated-datetime="2026-06-01T00:00:00Z">{body}</iati-activities>').encode()


def exported_activities(matches) -> list:
    """The activities the Exchange's own IATI export writes for these matches (lxml elements)."""
    from exchange.reports.iati import activity_element
    return [activity_element(m) for m in matches]


IATI_OFFER_IDS = tuple(f"XM-DAC-41122-CFT-{n}" for n in range(1, 5))
IATI_NEW_IDS = tuple(f"XM-DAC-41122-NEW-{n}" for n in range(1, 4))


def make_imported_offer(people, identifier: str, **fields):
    """An offer of UNODC imported from IATI earlier: the values iati_activity(identifier, **same) reads."""
    offer = make_offer(people, title=fields.pop("title", f"Programme {identifier} on terrorist financing"),
                       description=fields.pop("description", IATI_DESCRIPTION), themes=["financing"],
                       countries=["KAZ"], available_from="2026-03-01", available_until="2026-12-31",
                       budget_usd=150000, contact_email="programme@unodc.example.org", **fields)
    offer.iati_identifier = identifier
    db.session.flush()
    return offer


def make_iati_twelve(people) -> dict:
    """UNODC's four offers imported from IATI before, four matches of its offers (two in delivery, one
    completed, one accepted), and its file of twelve activities (`file`): three new (10-12… see below), eight
    naming those records (four unchanged, four changed) and one invalid. Activities: 1-4 the offers (2 renamed,
    3 with a new budget), 5-7 the export's own activities for the first three matches (6 reported completed
    with its outcome), 8 the accepted match reported started, 9-11 new, 12 invalid (a recipient country that
    does not exist). Commits; answers ids."""
    from lxml import etree
    offers = [make_imported_offer(people, identifier) for identifier in IATI_OFFER_IDS]
    offer = make_offer(people)
    reqs = [make_request(people, "open", title=f"Need number {n} of the FIU on terrorist financing") for n in range(4)]
    matches = [make_match(people, reqs[0], offer, "in_delivery"), make_match(people, reqs[1], offer, "in_delivery"),
               make_match(people, reqs[2], offer, "completed"), make_match(people, reqs[3], offer, "accepted")]
    db.session.commit()
    exported = exported_activities(matches[:3])
    exported[1].find("activity-status").set("code", "3")
    outcome = etree.Element("description", {"type": "4"})
    etree.SubElement(outcome, "narrative").text = "Outcome: Thirty analysts trained."
    exported[1].find("description").addnext(outcome)
    title = "Programme {} on terrorist financing".format
    activities = [
        iati_activity(IATI_OFFER_IDS[0], title=title(IATI_OFFER_IDS[0])),
        iati_activity(IATI_OFFER_IDS[1], title="Programme renamed: analysts' course on terrorist financing"),
        iati_activity(IATI_OFFER_IDS[2], title=title(IATI_OFFER_IDS[2]), budget=90000),
        iati_activity(IATI_OFFER_IDS[3], title=title(IATI_OFFER_IDS[3])),
        *exported,
        iati_activity(f"XI-EXCHANGE-UNODC-EXCHANGE-{matches[3].reference}", title="Need 3", status="2"),
        *[iati_activity(i, title=f"New programme {i} against terrorist financing", countries=("TJ", "KG"))
          for i in IATI_NEW_IDS],
        iati_activity("XM-DAC-41122-BAD-1", title="Programme for a country that does not exist", countries=("ZZ",)),
    ]
    return {"file": iati_file(activities), "offers": [o.id for o in offers], "matches": [m.id for m in matches]}


# ------------------------------------------------------------------------------------------------
# Inputs of the matching engine (plain data, no database)

CENTRAL_ASIA = frozenset({"142", "143", "001"})
WESTERN_AFRICA = frozenset({"002", "202", "011", "001"})


def engine_request(id=1, country="TJK", areas=CENTRAL_ASIA, themes=("financing",), modalities=("training",),
                   languages=("en",), title="Request", description="", beneficiary="",
                   desired_start=None, desired_end=None, urgency="medium") -> RequestData:
    return RequestData(id=id, country=country, areas=frozenset(areas), themes=frozenset(themes),
                       modalities=frozenset(modalities), languages=frozenset(languages), title=title,
                       description=description, beneficiary=beneficiary, desired_start=desired_start,
                       desired_end=desired_end, urgency=urgency)


def engine_offer(id=1, active=True, countries=(), regions=(), themes=("financing",), modalities=("training",),
                 languages=("en",), title="Offer", description="", available_from=None, available_until=None,
                 capacity=None, load=0) -> OfferData:
    return OfferData(id=id, active=active, countries=frozenset(countries), regions=frozenset(regions),
                     themes=frozenset(themes), modalities=frozenset(modalities),
                     languages=frozenset(languages), title=title, description=description,
                     available_from=available_from, available_until=available_until,
                     capacity=capacity, load=load)


# Hypothesis strategies drawing engine inputs over a few places, the vocabularies and mixed-language text.
def _engine_strategies():
    from exchange.matching.lexicon import MODALITY_NAMES, THEME_NAMES
    places = {"TJK": {"142", "143", "001"}, "KAZ": {"142", "143", "001"}, "SEN": {"002", "202", "011", "001"},
              "PER": {"019", "419", "005", "001"}}
    regions = sorted(set().union(*places.values()))
    phrases = ["money laundering", "terrorist financing", "AML/CFT", "forged passports", "faux passeports",
               "border guards", "nuclear security", "training of judges", "prison radicalization",
               "victims support", "port security", "aviation screening", "MRTD", "lavado de activos",
               "отмывание денег", "غسل الأموال", "hotel tourism", "mediation", "social media propaganda",
               "capacity", "equipment for laboratory", "the"]
    themes = st.frozensets(st.sampled_from(sorted(THEME_NAMES)), max_size=3)
    mods = st.frozensets(st.sampled_from(sorted(MODALITY_NAMES)), max_size=3)
    langs = st.frozensets(st.sampled_from(["en", "fr", "es", "ru", "ar"]), max_size=3)
    texts = st.lists(st.sampled_from(phrases), max_size=5).map(" ".join)
    dates = st.one_of(st.none(), st.integers(0, 400).map(lambda d: date(2026, 1, 1) + timedelta(days=d)))

    def ordered(draw):
        start, end = draw(dates), draw(dates)
        return (end, start) if start and end and end < start else (start, end)

    @st.composite
    def requests(draw, id=None):
        country = draw(st.sampled_from(sorted(places)))
        start, end = ordered(draw)
        return engine_request(
            id=draw(st.integers(1, 10_000)) if id is None else id, country=country, areas=places[country],
            themes=draw(themes), modalities=draw(mods), languages=draw(langs), title=draw(texts),
            description=draw(texts), beneficiary=draw(texts), desired_start=start, desired_end=end,
            urgency=draw(st.sampled_from(["low", "medium", "high", "critical"])))

    @st.composite
    def offers(draw, id):
        start, end = ordered(draw)
        capacity = draw(st.one_of(st.none(), st.integers(0, 3)))
        return engine_offer(
            id=id, active=draw(st.booleans()),
            countries=draw(st.frozensets(st.sampled_from(sorted(places)), max_size=2)),
            regions=draw(st.frozensets(st.sampled_from(regions), max_size=2)),
            themes=draw(themes), modalities=draw(mods), languages=draw(langs), title=draw(texts),
            description=draw(texts), available_from=start, available_until=end, capacity=capacity,
            load=draw(st.integers(0, 4)))

    offer_lists = st.integers(0, 25).flatmap(lambda n: st.tuples(*[offers(i + 1) for i in range(n)]))
    return requests, offers, offer_lists


engine_requests, engine_offers, engine_offer_lists = _engine_strategies()
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
