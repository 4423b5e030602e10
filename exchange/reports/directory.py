"""The directory of assistance (providers and their active offers, by theme and region) and the
country profiles (a State's requests, the offers that can deliver there, assistance under way or
delivered there with its money in US dollars, results and lessons learned). Everything shown goes through the access policy's filters."""
from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exchange.core.access import allow
from exchange.core.errors import NotFound
from exchange.core.extensions import db
from exchange.core.filters import values
from exchange.core.statuses import MatchStatus, OfferStatus, Role
from exchange.matches.delivery import totals_in_usd
from exchange.matches.models import Match
from exchange.matches.policy import match_scope
from exchange.offers.filters import OfferFilters
from exchange.offers.models import Offer
from exchange.offers.policy import visible_offers
from exchange.offers.queries import delivers_in, filter_offers
from exchange.people.models import Organisation
from exchange.reference.data import WORLD
from exchange.reference.models import Country, Region
from exchange.reference.queries import countries_in
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import visible_requests
from exchange.web.forms import reference_choices

bp = Blueprint("directory", __name__, template_folder="templates")
PROVIDER_KINDS = ("task_force_entity", "outside_provider")
OFFERS_PER_PROVIDER = 8


@bp.route("/directory")
@allow(*Role)
def index():
    choices = reference_choices()
    theme = (values(request.args, "theme") or [""])[0]
    region = (values(request.args, "region") or [""])[0]
    q = " ".join(values(request.args, "q"))[:200]
    theme = theme if theme in {t.code for t in choices["themes"]} else ""
    region_obj = db.session.get(Region, region) if region and len(region) <= 3 else None
    region = region_obj.code if region_obj else ""

    stmt = filter_offers(visible_offers(current_user).where(Offer.status == OfferStatus.ACTIVE),
                         OfferFilters(theme=(theme,) if theme else (), q=q))
    if region and region != WORLD:
        # Offers that can deliver somewhere in the region: listed countries, M49 areas, or anywhere.
        stmt = stmt.where(delivers_in(Offer, select(Country.iso3).where(countries_in([region]))))
    # Every matching offer counts; each provider shows its first few (by title), the rest are a link away.
    ids_by_provider: dict[int, list[int]] = defaultdict(list)
    for offer_id, provider_id in db.session.execute(
            stmt.with_only_columns(Offer.id, Offer.organisation_id).order_by(Offer.title, Offer.id)):
        ids_by_provider[provider_id].append(offer_id)
    shown = [i for ids in ids_by_provider.values() for i in ids[:OFFERS_PER_PROVIDER]]
    loaded = {o.id: o for o in db.session.scalars(select(Offer).where(Offer.id.in_(shown)).options(
        selectinload(Offer.themes), selectinload(Offer.countries), selectinload(Offer.regions),
        selectinload(Offer.languages), selectinload(Offer.modalities)))} if shown else {}
    by_provider = {provider_id: [loaded[i] for i in ids[:OFFERS_PER_PROVIDER]]
                   for provider_id, ids in ids_by_provider.items()}
    counts = {provider_id: len(ids) for provider_id, ids in ids_by_provider.items()}

    providers = list(db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(PROVIDER_KINDS), Organisation.approval == "approved")
        .order_by(Organisation.kind.desc(), Organisation.name)))
    filtering = bool(theme or region or q)
    if filtering:
        providers = [p for p in providers if p.id in by_provider]
    return render_template("directory/index.html", providers=providers, by_provider=by_provider, counts=counts,
                           offers_total=sum(counts.values()), theme=theme, region=region, region_obj=region_obj, q=q,
                           filtering=filtering, choices=choices, title=_("Directory of assistance"))


@bp.route("/countries")
@allow(*Role)
def countries():
    """Every Member State by region, each a link to its profile; `?country=KAZ` goes straight to one."""
    wanted = (request.args.get("country") or "").strip().upper()
    if wanted:
        return redirect(url_for("directory.country", iso3=wanted[:3]))
    places = list(db.session.scalars(select(Country).options(selectinload(Country.region), selectinload(
        Country.sub_region)).order_by(Country.name)))
    by_region: dict[str, list[Country]] = defaultdict(list)
    for place in places:
        by_region[place.region.name].append(place)
    return render_template("directory/countries.html", by_region=sorted(by_region.items()), places=places,
                           title=_("Country profiles"))


@bp.route("/countries/<iso3>")
@allow(*Role)
def country(iso3: str):
    code = (iso3 or "").upper()
    place = db.session.get(Country, code) if len(code) == 3 and code.isalpha() else None
    if place is None:
        raise NotFound(_("No UN Member State has this code: use an ISO 3166-1 alpha-3 code such as KAZ or NGA."))
    requests_here = list(db.session.scalars(
        visible_requests(current_user).where(AssistanceRequest.country_iso3 == code)
        .options(selectinload(AssistanceRequest.themes))
        .order_by(AssistanceRequest.created_at.desc(), AssistanceRequest.id.desc())))
    offers_here = list(db.session.scalars(
        visible_offers(current_user).where(Offer.status == OfferStatus.ACTIVE, delivers_in(Offer, [code]))
        .options(selectinload(Offer.organisation), selectinload(Offer.themes), selectinload(Offer.countries),
                 selectinload(Offer.regions))
        .order_by(Offer.title, Offer.id)))
    assistance = list(db.session.scalars(
        select(Match).where(match_scope(current_user), Match.status.in_(MatchStatus.DELIVERY),
                            Match.request_id.in_(select(AssistanceRequest.id).where(
                                AssistanceRequest.country_iso3 == code)))
        .options(selectinload(Match.request).selectinload(AssistanceRequest.themes),
                 selectinload(Match.offer).selectinload(Offer.organisation), selectinload(Match.funding),
                 selectinload(Match.results))
        .order_by(Match.status_changed_at.desc(), Match.id.desc())))
    money = {m.id: totals_in_usd(m.funding) for m in assistance}
    money_total = totals_in_usd(entry for m in assistance for entry in m.funding)
    areas = [a for a in (place.intermediate_region, place.sub_region, place.region) if a is not None]
    return render_template("directory/country.html", place=place, areas=areas, requests_here=requests_here,
                           offers_here=offers_here, assistance=assistance, money=money, money_total=money_total,
                           title=_("Country profile: %(country)s", country=place.name))
