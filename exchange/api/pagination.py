"""Lists: ?page=&per_page= (at most 100) → {"items", "page", "per_page", "total"}, and a list's query arguments
(the page and its filters, documented from the list's filter object)."""
from __future__ import annotations

import marshmallow as ma
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.filters import ListFilters

MAX_PER_PAGE = 100


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10**6))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


def list_args(filters: type[ListFilters], name: str) -> type[ma.Schema]:
    """A list endpoint's query arguments: the page, then the list's filters as `filters` documents them (the
    endpoint reads them with `filters.from_params(args)`)."""
    return PageArgs.from_dict(filters.api_fields(), name=name)


def page_of(stmt, args: dict) -> dict:
    """Run `stmt` for one page; the endpoint's response schema (an `envelope_schema`) serialises the items."""
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": rows, "page": page, "per_page": per_page, "total": total}


def envelope_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A documented list envelope around `item_schema`."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "page": ma.fields.Integer(), "per_page": ma.fields.Integer(), "total": ma.fields.Integer(),
    }, name=name)
