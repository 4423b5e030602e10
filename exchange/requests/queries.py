"""Request lists: filters (themes, pillars, M49 areas…), sorting."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import case, exists, func, select, true

from exchange.core.filters import linked, values
from exchange.core.search import text_search
from exchange.people.models import Organisation
from exchange.reference.data import WORLD
from exchange.reference.models import Country, Theme
from exchange.reference.queries import countries_in
from exchange.requests.models import AssistanceRequest, request_languages, request_modalities, request_themes

REQUEST_SORTS = {"newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
                 "urgency": "Most urgent first", "title": "Title A–Z"}


URGENCY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _pillar_themes(pillars: list[str]):
    return select(Theme.code).where(Theme.pillar.in_([p.upper() for p in pillars]))


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
        stmt = stmt.where(linked(request_themes, AssistanceRequest.id, "theme_code", v))
    if v := values(params, "pillar"):
        stmt = stmt.where(requests_in_pillars(v))
    if v := values(params, "country"):
        stmt = stmt.where(R.country_iso3.in_([c.upper() for c in v]))
    if v := values(params, "region"):
        stmt = stmt.where(requests_in_areas(v))
    if v := values(params, "modality"):
        stmt = stmt.where(linked(request_modalities, AssistanceRequest.id, "modality_code", v))
    if v := values(params, "language"):
        stmt = stmt.where(linked(request_languages, AssistanceRequest.id, "language_code", v))
    if v := values(params, "urgency"):
        stmt = stmt.where(R.urgency.in_(v))
    if v := values(params, "organisation"):
        stmt = stmt.where(R.organisation_id.in_(select(Organisation.id).where(Organisation.code.in_(v))))
    if q := " ".join(values(params, "q")):
        stmt = stmt.where(text_search(AssistanceRequest, q))
    return stmt


def sort_requests(stmt, sort: str | None):
    R = AssistanceRequest
    order = {
        "oldest": [R.created_at.asc(), R.id.asc()],
        "updated": [R.updated_at.desc(), R.id.desc()],
        "urgency": [case(URGENCY_ORDER, value=R.urgency, else_=9), R.created_at.asc(), R.id.asc()],
        "title": [func.lower(R.title), R.id],
    }.get(sort or "", [R.created_at.desc(), R.id.desc()])
    return stmt.order_by(None).order_by(*order)
