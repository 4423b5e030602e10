"""Request lists: the SQL of their filters (themes, pillars, M49 areas…; read as `filters.RequestFilters`),
sorting."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, literal_column, or_, select, true

from exchange.core.filters import where_linked
from exchange.core.search import text_search
from exchange.people.models import Organisation
from exchange.reference.data import WORLD
from exchange.reference.models import Country, Theme
from exchange.reference.names import find_countries
from exchange.reference.queries import countries_in
from exchange.requests.models import AssistanceRequest, request_languages, request_modalities, request_themes

if TYPE_CHECKING:
    from exchange.requests.filters import RequestFilters

REQUEST_SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "updated": _l("Recently updated"),
                 "urgency": _l("Most urgent first"), "title": _l("Title A–Z")}


URGENCY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
# The "Most urgent first" sort's rank, written as the expression index `ix_sort_requests_urgency` has it
# (migration h17d_list_indexes: literals, not parameters, so that both engines match the index to it).
URGENCY_RANK = literal_column("CASE assistance_requests.urgency " + " ".join(
    f"WHEN '{code}' THEN {rank}" for code, rank in URGENCY_ORDER.items()) + " ELSE 9 END")


def pillar_themes(pillars: list[str]):
    """The codes of the themes of these pillars of the Strategy (a subquery)."""
    return select(Theme.code).where(Theme.pillar.in_([p.upper() for p in pillars]))


def requests_in_areas(areas: list[str]):
    """Condition on AssistanceRequest: its country lies in one of these M49 areas (`countries_in`)."""
    if WORLD in areas:
        return true()
    return AssistanceRequest.country_iso3.in_(select(Country.iso3).where(countries_in(areas)).correlate(None))


def requests_in_pillars(pillars: list[str]):
    """Condition on AssistanceRequest: it names a theme of one of these pillars of the Strategy (I-IV)."""
    return exists().where(request_themes.c.request_id == AssistanceRequest.id,
                          request_themes.c.theme_code.in_(pillar_themes(pillars))).correlate(AssistanceRequest)


# The filters a link table answers: filter name → (the link table, its code column).
REQUEST_LINKS = {"theme": (request_themes, "theme_code"), "modality": (request_modalities, "modality_code"),
                 "language": (request_languages, "language_code")}


def filter_requests(stmt, filters: RequestFilters):
    """Narrow a select of AssistanceRequest to the requests `filters` selects."""
    R = AssistanceRequest
    if filters.status:
        stmt = stmt.where(R.status.in_(filters.status))
    stmt = where_linked(stmt, filters, R.id, REQUEST_LINKS)
    if filters.pillar:
        stmt = stmt.where(requests_in_pillars(list(filters.pillar)))
    if filters.country:
        stmt = stmt.where(R.country_iso3.in_(filters.country))
    if filters.region:
        stmt = stmt.where(requests_in_areas(list(filters.region)))
    if filters.urgency:
        stmt = stmt.where(R.urgency.in_(filters.urgency))
    if filters.content_language:
        stmt = stmt.where(R.content_language.in_(filters.content_language))
    if filters.organisation:
        stmt = stmt.where(R.organisation_id.in_(select(Organisation.id).where(
            Organisation.code.in_(filters.organisation))))
    if filters.q:
        # A State's name (in any of the six languages) finds its requests, as the words find titles.
        named = find_countries(filters.q) if len(filters.q.strip()) >= 3 else []
        found = text_search(AssistanceRequest, filters.q)
        stmt = stmt.where(or_(found, R.country_iso3.in_(named)) if named else found)
    return stmt


def sort_requests(stmt, sort: str | None):
    R = AssistanceRequest
    order = {
        "oldest": [R.created_at.asc(), R.id.asc()],
        "updated": [R.updated_at.desc(), R.id.desc()],
        "urgency": [URGENCY_RANK, R.created_at.asc(), R.id.asc()],
        "title": [func.lower(R.title), R.id],
    }.get(sort or "", [R.created_at.desc(), R.id.desc()])
    return stmt.order_by(None).order_by(*order)


def case_owners() -> list:
    """The coordinators who may own a case, by name (the choices of "give the case to")."""
    from exchange.core.extensions import db
    from exchange.core.statuses import Role
    from exchange.people.models import User
    return list(db.session.scalars(select(User).where(User.role == Role.COORDINATOR, User.active.is_(True))
                                   .order_by(User.name, User.email, User.id)))
