"""Read-only reference endpoints: themes, countries, regions, organisations, modalities, languages. Codes are
the same in every language; names and descriptions answer in the Accept-Language language (reference.names)."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exchange.api.pagination import PageArgs, envelope_schema, page_of
from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.people.models import ORG_KINDS, Organisation
from exchange.reference import names
from exchange.reference.models import Country, Language, Modality, Region, Theme, WorkingGroup

bp = Blueprint("api_reference", __name__, url_prefix="/api/v1", description="Reference data")


def _named(kind: str):
    """The row's name in the Accept-Language language."""
    return ma.fields.Function(lambda row: names.name(kind, row.code, row.name), metadata={"type": "string"})


class ThemeOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(attribute="label")
    pillar = ma.fields.String()
    pillar_name = ma.fields.Function(lambda t: names.name("pillar", t.pillar), metadata={"type": "string"})
    description = ma.fields.String(attribute="description_label")
    working_group = ma.fields.Function(lambda t: t.working_group.label if t.working_group else None)
    lead_entities = ma.fields.Function(lambda t: [o.code for o in t.working_group.leads] if t.working_group else [])


class CountryOut(ma.Schema):
    iso3 = ma.fields.String()
    iso2 = ma.fields.String()
    m49 = ma.fields.String()
    name = ma.fields.String(attribute="label")
    region = ma.fields.String(attribute="region_code")
    sub_region = ma.fields.String(attribute="sub_region_code")
    intermediate_region = ma.fields.String(attribute="intermediate_region_code", allow_none=True)


class RegionOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(attribute="label")
    parent = ma.fields.String(attribute="parent_code", allow_none=True)


class OrganisationOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = _named("organisation")  # Task Force entities and Member States by the UN; others as entered
    kind = ma.fields.String()
    approval = ma.fields.String()
    country = ma.fields.String(attribute="country_iso3", allow_none=True)


class CodeNameOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(attribute="label")


class OrganisationArgs(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(ORG_KINDS))


def _list(model, order, args, where=None, options=()):
    """One page of `model`; `options` load what the output schema reads (one query per relationship, not per row)."""
    stmt = select(model).order_by(order).options(*options)
    if where is not None:
        stmt = stmt.where(where)
    return page_of(stmt, args)


@bp.route("/themes")
@allow(*Role)
@bp.arguments(PageArgs, location="query")
@bp.response(200, envelope_schema(ThemeOut, "ThemeList"))
def themes(args):
    """The Strategy's themes, with pillar, working group and lead entities."""
    return _list(Theme, Theme.code, args,
                 options=(joinedload(Theme.working_group).selectinload(WorkingGroup.leads),))


@bp.route("/countries")
@allow(*Role)
@bp.arguments(PageArgs, location="query")
@bp.response(200, envelope_schema(CountryOut, "CountryList"))
def countries(args):
    """The 193 UN Member States with their M49 areas."""
    return _list(Country, Country.iso3, args)


@bp.route("/regions")
@allow(*Role)
@bp.arguments(PageArgs, location="query")
@bp.response(200, envelope_schema(RegionOut, "RegionList"))
def regions(args):
    """UN M49 areas (3-digit codes)."""
    return _list(Region, Region.code, args)


@bp.route("/organisations")
@allow(*Role)
@bp.arguments(OrganisationArgs, location="query")
@bp.response(200, envelope_schema(OrganisationOut, "OrganisationList"))
def organisations(args):
    """Member States, Task Force entities, outside providers and the Task Force office."""
    where = Organisation.kind == args["kind"] if args.get("kind") else None
    return _list(Organisation, Organisation.code, args, where)


@bp.route("/modalities")
@allow(*Role)
@bp.arguments(PageArgs, location="query")
@bp.response(200, envelope_schema(CodeNameOut, "ModalityList"))
def modalities(args):
    """Kinds of assistance."""
    return _list(Modality, Modality.code, args)


@bp.route("/languages")
@allow(*Role)
@bp.arguments(PageArgs, location="query")
@bp.response(200, envelope_schema(CodeNameOut, "LanguageList"))
def languages(args):
    """Languages (ISO 639-1)."""
    return _list(Language, Language.code, args)
