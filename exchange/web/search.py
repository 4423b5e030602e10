"""The search box of every page (the header's) and its page: requests, offers, providers and States found by
name, reference, title or words, each list asked of the reader's visibility first (a State finds only its
own requests, a provider only what is shared with it). A State's name in any of the six languages finds its
requests ("Kazakhstan", "Казахстан" and "哈萨克斯坦" find every Kazakh request the reader may see); the
words of a search that name no State are looked for in titles and descriptions (core/search.py)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from exchange.core import visibility
from exchange.core.access import allow
from exchange.core.extensions import db
from exchange.core.paging import COUNT_CAP, count_up_to
from exchange.core.search import named_reference, text_search, words_of
from exchange.core.statuses import Role
from exchange.matches.models import Match
from exchange.offers.models import Offer
from exchange.offers.policy import offer_scope
from exchange.people.models import Organisation
from exchange.reference.names import find_countries, organisation_name
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import request_scope

bp = Blueprint("search", __name__)
SHOWN = 20
PROVIDER_KINDS = ("task_force_entity", "outside_provider")
MODELS = {"request": AssistanceRequest, "offer": Offer, "match": Match}


def _countries_and_words(q: str) -> tuple[list[str], list[str]]:
    """The States a search names (the whole of it, or its words one by one) and the words left to look for."""
    whole = find_countries(q) if len(q.strip()) >= 3 else []
    if whole:
        return whole, []
    countries, rest = [], []
    for word in words_of(q):
        named = find_countries(word) if len(word) >= 4 else []
        (countries.extend(named) if named else rest.append(word))
    return countries, rest


def search_everything(user, q: str) -> dict:
    """What `user` may see that `q` names: {"record": the record its reference names, or None, "requests",
    "offers", "providers", "states", and the totals of requests and offers: counted up to COUNT_CAP, with
    "request_capped"/"offer_capped" True when there are more}."""
    q = q.strip()[:200]
    out = {"record": None, "requests": [], "offers": [], "providers": [], "states": [], "request_total": 0,
           "offer_total": 0, "request_capped": False, "offer_capped": False}
    if not q:
        return out
    named = named_reference(q)
    if named:
        record = db.session.get(MODELS[named[0]], named[1])
        out["record"] = (named[0], record) if record is not None and visibility.may_see(user, record) else None
    countries, words = _countries_and_words(q)
    R = AssistanceRequest
    conditions = []
    if countries:
        conditions.append(R.country_iso3.in_(countries))
    if words:
        conditions.append(text_search(R, " ".join(words)))
    if not countries:
        conditions = [text_search(R, q)]
    stmt = select(R).where(request_scope(user), *conditions)
    out["request_total"], out["request_capped"] = count_up_to(stmt, max(COUNT_CAP, SHOWN))
    out["requests"] = list(db.session.scalars(stmt.options(selectinload(R.country)).order_by(
        R.created_at.desc(), R.id.desc()).limit(SHOWN)))
    providers = _providers(q)
    offer_match = [text_search(Offer, q)]
    if providers:
        offer_match.append(Offer.organisation_id.in_([p.id for p in providers]))
    offers = select(Offer).where(offer_scope(user), or_(*offer_match))
    out["offer_total"], out["offer_capped"] = count_up_to(offers, max(COUNT_CAP, SHOWN))
    out["offers"] = list(db.session.scalars(offers.options(selectinload(Offer.organisation)).order_by(
        Offer.title, Offer.id).limit(SHOWN)))
    out["providers"] = providers
    out["states"] = sorted(set(countries))
    return out


def _providers(q: str) -> list[Organisation]:
    """Approved providers whose code or name (as entered, or in the reader's language) contains `q`."""
    wanted = q.casefold()
    rows = db.session.scalars(select(Organisation).where(Organisation.kind.in_(PROVIDER_KINDS),
                                                         Organisation.approval == "approved"))
    return [o for o in rows if wanted in o.code.casefold() or wanted in o.name.casefold()
            or wanted in organisation_name(o).casefold()][:SHOWN]


@bp.route("/search")
@allow(*Role)
def index():
    """The results of the header's search box."""
    q = request.args.get("q", "")[:200]
    found = search_everything(current_user, q)
    return render_template("search/results.html", q=q.strip(), found=found,
                           title=_("Search: %(words)s", words=q.strip()) if q.strip() else _("Search"))
