"""List filters, sorting and full-text search shared by pages, the API and exports (and the audit trail's
filters, shared by its page and its export).

Every function takes a statement already limited to what the viewer may see (for example
`access.visible_requests(user)`) and narrows it; unknown codes simply match nothing. `text_search`
is the one full-text search: SQLite FTS5 tables kept in sync by triggers, or PostgreSQL's
`to_tsvector` with GIN indexes (both created by the `full_text_search` migration).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, case, exists, func, literal_column, or_, select, text, true

from .extensions import db
from .models import AssistanceRequest, AuditEvent, Country, Match, Offer, Organisation, Theme, User, as_id
from .models.assistance import (
    offer_countries,
    offer_languages,
    offer_modalities,
    offer_regions,
    offer_themes,
    request_languages,
    request_modalities,
    request_themes,
)
from .reference_data import WORLD
from .workflow import BUSY_MATCH_STATUSES

REQUEST_SORTS = {"newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
                 "urgency": "Most urgent first", "title": "Title A–Z"}
OFFER_SORTS = {"newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
               "title": "Title A–Z"}
URGENCY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def values(params: Mapping, key: str) -> list[str]:
    """The non-empty values of one parameter (a string, a list, or a MultiDict's list)."""
    if hasattr(params, "getlist"):
        raw = params.getlist(key)
    else:
        raw = params.get(key)
        raw = raw if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in raw:
        if item is None:
            continue
        for part in str(item).split(","):
            part = part.strip()
            if part and len(part) <= 200:
                out.append(part)
    return out


def _linked(link_table, owner_column, code_column, codes):
    return exists().where(link_table.c[owner_column] == (AssistanceRequest.id if owner_column == "request_id"
                                                          else Offer.id), link_table.c[code_column].in_(codes))


def _pillar_themes(pillars: list[str]):
    return select(Theme.code).where(Theme.pillar.in_([p.upper() for p in pillars]))


def countries_in(areas: list[str]):
    """Condition on Country: the countries lying in one of these M49 areas, at any level (region, sub-region,
    intermediate region). The World (001) holds every country, so naming it restricts nothing."""
    if WORLD in areas:
        return true()
    return or_(Country.region_code.in_(areas), Country.sub_region_code.in_(areas),
               Country.intermediate_region_code.in_(areas))


def requests_in_areas(areas: list[str]):
    """Condition on AssistanceRequest: its country lies in one of these M49 areas (`countries_in`)."""
    if WORLD in areas:
        return true()
    return AssistanceRequest.country_iso3.in_(select(Country.iso3).where(countries_in(areas)).correlate(None))


def requests_in_pillars(pillars: list[str]):
    """Condition on AssistanceRequest: it names a theme of one of these pillars of the Strategy (I-IV)."""
    return exists().where(request_themes.c.request_id == AssistanceRequest.id,
                          request_themes.c.theme_code.in_(_pillar_themes(pillars))).correlate(AssistanceRequest)


def filter_requests(stmt, params: Mapping):
    R = AssistanceRequest
    if v := values(params, "status"):
        stmt = stmt.where(R.status.in_(v))
    if v := values(params, "theme"):
        stmt = stmt.where(_linked(request_themes, "request_id", "theme_code", v))
    if v := values(params, "pillar"):
        stmt = stmt.where(requests_in_pillars(v))
    if v := values(params, "country"):
        stmt = stmt.where(R.country_iso3.in_([c.upper() for c in v]))
    if v := values(params, "region"):
        stmt = stmt.where(requests_in_areas(v))
    if v := values(params, "modality"):
        stmt = stmt.where(_linked(request_modalities, "request_id", "modality_code", v))
    if v := values(params, "language"):
        stmt = stmt.where(_linked(request_languages, "request_id", "language_code", v))
    if v := values(params, "urgency"):
        stmt = stmt.where(R.urgency.in_(v))
    if v := values(params, "organisation"):
        stmt = stmt.where(R.organisation_id.in_(select(Organisation.id).where(Organisation.code.in_(v))))
    if q := " ".join(values(params, "q")):
        stmt = stmt.where(text_search(AssistanceRequest, q))
    return stmt


def filter_offers(stmt, params: Mapping):
    O = Offer
    if v := values(params, "status"):
        stmt = stmt.where(O.status.in_(v))
    if v := values(params, "theme"):
        stmt = stmt.where(_linked(offer_themes, "offer_id", "theme_code", v))
    if v := values(params, "pillar"):
        stmt = stmt.where(exists().where(offer_themes.c.offer_id == O.id,
                                         offer_themes.c.theme_code.in_(_pillar_themes(v))))
    if v := values(params, "country"):
        stmt = stmt.where(delivers_in(O, [c.upper() for c in v]))
    if v := values(params, "region"):
        stmt = stmt.where(exists().where(offer_regions.c.offer_id == O.id, offer_regions.c.region_code.in_(v)))
    if v := values(params, "modality"):
        stmt = stmt.where(_linked(offer_modalities, "offer_id", "modality_code", v))
    if v := values(params, "language"):
        stmt = stmt.where(_linked(offer_languages, "offer_id", "language_code", v))
    if v := values(params, "provider"):
        stmt = stmt.where(O.organisation_id.in_(select(Organisation.id).where(Organisation.code.in_(v))))
    if q := " ".join(values(params, "q")):
        stmt = stmt.where(text_search(Offer, q))
    return stmt


def offer_load():
    """Correlated count: the matches holding a place of the offer's capacity (workflow.BUSY_MATCH_STATUSES)."""
    return (select(func.count()).select_from(Match)
            .where(Match.offer_id == Offer.id, Match.status.in_(BUSY_MATCH_STATUSES)).scalar_subquery())


def offers_taking_requests(today: date):
    """Condition on Offer: it can take a request now — active, not past `available_until`, capacity left
    (the matching engine's hard rules; `matching.service.is_live` says the first two for the index)."""
    return and_(Offer.status == "active", or_(Offer.available_until.is_(None), Offer.available_until >= today),
                or_(Offer.capacity.is_(None), Offer.capacity > offer_load()))


def delivers_in(O, iso3_codes: list[str]):
    """Offers that can deliver in one of these countries: listed, in one of their M49 areas, or anywhere."""
    areas = select(Country.region_code).where(Country.iso3.in_(iso3_codes)).union(
        select(Country.sub_region_code).where(Country.iso3.in_(iso3_codes)),
        select(Country.intermediate_region_code).where(Country.iso3.in_(iso3_codes)),
        select(literal_column("'001'")))
    listed = exists().where(offer_countries.c.offer_id == O.id, offer_countries.c.country_iso3.in_(iso3_codes))
    in_area = exists().where(offer_regions.c.offer_id == O.id, offer_regions.c.region_code.in_(areas))
    anywhere = and_(~exists().where(offer_countries.c.offer_id == O.id),
                    ~exists().where(offer_regions.c.offer_id == O.id))
    return or_(listed, in_area, anywhere)


def filter_matches(stmt, params: Mapping):
    M = Match
    if v := values(params, "status"):
        stmt = stmt.where(M.status.in_(v))
    if v := values(params, "request_id"):  # ids that are not numbers match nothing
        stmt = stmt.where(M.request_id.in_(_ints(v)))
    if v := values(params, "offer_id"):
        stmt = stmt.where(M.offer_id.in_(_ints(v)))
    if v := values(params, "provider"):
        stmt = stmt.where(M.offer_id.in_(select(Offer.id).join(Offer.organisation).where(Organisation.code.in_(v))))
    if v := values(params, "country"):
        stmt = stmt.where(M.request_id.in_(select(AssistanceRequest.id).where(
            AssistanceRequest.country_iso3.in_([c.upper() for c in v]))))
    return stmt


def _ints(raw: list[str]) -> list[int]:
    return [i for i in map(as_id, raw) if i is not None]


def sort_requests(stmt, sort: str | None):
    R = AssistanceRequest
    order = {
        "oldest": [R.created_at.asc(), R.id.asc()],
        "updated": [R.updated_at.desc(), R.id.desc()],
        "urgency": [case(URGENCY_ORDER, value=R.urgency, else_=9), R.created_at.asc(), R.id.asc()],
        "title": [func.lower(R.title), R.id],
    }.get(sort or "", [R.created_at.desc(), R.id.desc()])
    return stmt.order_by(None).order_by(*order)


def sort_offers(stmt, sort: str | None):
    O = Offer
    order = {
        "oldest": [O.created_at.asc(), O.id.asc()],
        "updated": [O.updated_at.desc(), O.id.desc()],
        "title": [func.lower(O.title), O.id],
    }.get(sort or "", [O.created_at.desc(), O.id.desc()])
    return stmt.order_by(None).order_by(*order)


# ------------------------------------------------------------------------------------------------
# The audit trail: one reading of its filters for the page (/audit) and the export (/exports/audit.*).

AUDIT_RECORD_TYPES = ("request", "offer", "match", "user", "organisation")
AUDIT_FILTERS = ("record_type", "record_id", "person", "action", "from", "to")


def _one(params: Mapping, *keys: str) -> str:
    """The first non-empty value among these parameters (a name and its aliases), stripped."""
    for key in keys:
        raw = params.getlist(key) if hasattr(params, "getlist") else params.get(key)
        for item in raw if isinstance(raw, (list, tuple)) else [raw]:
            if item is not None and str(item).strip():
                return str(item).strip()
    return ""


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_filters(params: Mapping) -> tuple[dict, dict[str, str]]:
    """The audit trail's filters, cleaned, and a message for each one that could not be understood (that
    one is left out). record_type: one of AUDIT_RECORD_TYPES; record_id: 12 or R-00012 (O-, M-);
    person: part of the actor's e-mail; action: exact, such as request.accept; from and to: ISO dates,
    both inclusive (`start` and `end` are read as `from` and `to` when those are absent)."""
    problems: dict[str, str] = {}
    record_type = _one(params, "record_type")
    if record_type and record_type not in AUDIT_RECORD_TYPES:
        problems["record_type"] = "Choose a record type from the list."
        record_type = ""
    raw_id = _one(params, "record_id").upper()
    record_id = None
    if raw_id:
        record_id = as_id(raw_id.split("-", 1)[1] if raw_id[:2] in ("R-", "O-", "M-") else raw_id)
        if record_id is None:
            problems["record_id"] = "Give a record number, such as 12 or R-00012."
    person = _one(params, "person").lower()[:254]
    action = _one(params, "action")
    if len(action) > AuditEvent.action.type.length:
        problems["action"] = "No action is that long."
        action = ""
    raw_from, raw_to = _one(params, "from", "start"), _one(params, "to", "end")
    start, end = _iso_date(raw_from), _iso_date(raw_to)
    if raw_from and start is None:
        problems["from"] = "Use a date as YYYY-MM-DD."
    if raw_to and end is None:
        problems["to"] = "Use a date as YYYY-MM-DD."
    if start and end and end < start:
        problems["to"] = "The end date must not be before the start date."
        end = None
    return {"record_type": record_type, "record_id": record_id, "person": person, "action": action,
            "from": start, "to": end}, problems


def in_period(column, start: date | None, end: date | None) -> list:
    """Conditions putting a timestamp column in a period of whole days, both ends inclusive (none for an
    open end): `column >= start` and `column < the day after end`."""
    conditions = []
    if start:
        conditions.append(column >= datetime.combine(start, time.min))
    if end:
        conditions.append(column < datetime.combine(end + timedelta(days=1), time.min))
    return conditions


def filter_audit(stmt, params: Mapping):
    """Narrow a select of AuditEvent by the audit trail's filters (`audit_filters`; a filter that cannot
    be understood is left out: callers that must refuse it check `audit_filters` first)."""
    filters, _ = audit_filters(params)
    A = AuditEvent
    if filters["record_type"]:
        stmt = stmt.where(A.record_type == filters["record_type"])
    if filters["record_id"] is not None:
        stmt = stmt.where(A.record_id == filters["record_id"])
    if filters["person"]:
        stmt = stmt.where(A.actor_id.in_(select(User.id).where(
            func.lower(User.email).contains(filters["person"], autoescape=True))))
    if filters["action"]:
        stmt = stmt.where(A.action == filters["action"])
    return stmt.where(*in_period(A.at, filters["from"], filters["to"]))


def sort_audit(stmt):
    """The audit trail's order: the newest first."""
    return stmt.order_by(None).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


# ------------------------------------------------------------------------------------------------
# Security events (security_events.py): the audit events whose action is security.*, reviewed on their own
# admin page with the audit trail's reading of action, person and dates, and the client address.

SECURITY_FILTERS = ("action", "person", "address", "from", "to")


def security_event_filters(params: Mapping) -> tuple[dict, dict[str, str]]:
    """The security events page's filters, cleaned, and a message for each one not understood. action: one
    of security_events.ACTIONS; person: part of the account's e-mail (or of the e-mail typed, when it named
    no account); address: the start of the client address; from and to: ISO dates, both inclusive."""
    from .security_events import ACTIONS
    filters, problems = audit_filters(params)
    problems = {k: v for k, v in problems.items() if k in SECURITY_FILTERS}
    if filters["action"] and filters["action"] not in ACTIONS:
        problems["action"] = "Choose an action from the list."
        filters["action"] = ""
    return {"action": filters["action"], "person": filters["person"], "address": _one(params, "address")[:100],
            "from": filters["from"], "to": filters["to"]}, problems


def filter_security_events(stmt, params: Mapping):
    """Narrow a select of AuditEvent to the security events the filters in `params` select."""
    filters, _ = security_event_filters(params)
    A = AuditEvent
    stmt = stmt.where(A.action.startswith("security.", autoescape=True))
    if filters["action"]:
        stmt = stmt.where(A.action == filters["action"])
    if filters["person"]:
        stmt = stmt.where(or_(
            A.actor_id.in_(select(User.id).where(func.lower(User.email).contains(filters["person"], autoescape=True))),
            func.lower(A.changes["email"].as_string()).contains(filters["person"], autoescape=True)))
    if filters["address"]:
        stmt = stmt.where(A.changes["address"].as_string().startswith(filters["address"], autoescape=True))
    return stmt.where(*in_period(A.at, filters["from"], filters["to"]))


# ------------------------------------------------------------------------------------------------
# Full-text search.

FTS_TABLES = {"assistance_requests": "assistance_requests_fts", "offers": "offers_fts"}
_WORDS = re.compile(r"\w+", re.UNICODE)


def _terms(q: str) -> list[str]:
    return _WORDS.findall(q.lower().replace("_", " "))[:20]


def text_search(model, q: str):
    """Rows of `model` (requests or offers) whose title/description (and beneficiary) contain every word
    of `q` (prefixes match: "financ" finds "financing"). Any string is safe: it is reduced to words."""
    terms = _terms(q)
    if not terms:
        return and_(True)
    table = model.__tablename__
    if db.engine.dialect.name == "sqlite":
        # FTS5 query: each word quoted (no operators can be injected) with a prefix star.
        match = " ".join('"' + t.replace('"', "") + '"*' for t in terms)
        fts = FTS_TABLES[table]
        return model.id.in_(select(literal_column("rowid")).select_from(text(fts)).where(
            text(f"{fts} MATCH :fts_query").bindparams(bindparam("fts_query", match))))
    document = _pg_document(model)
    query = func.to_tsquery("simple", " & ".join(f"{t}:*" for t in terms))
    return document.op("@@")(query)


def _pg_document(model):
    """The same expression as the GIN index of the migration, so that PostgreSQL uses the index."""
    columns = ["title", "description"] + (["beneficiary"] if hasattr(model, "beneficiary") else [])
    joined = " || ' ' || ".join(f"coalesce({model.__tablename__}.{c}, '')" for c in columns)
    return literal_column(f"to_tsvector('simple'::regconfig, {joined})")
