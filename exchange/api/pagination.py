"""Lists: ?page=&per_page= (at most 100) → {"items", "page", "per_page", "total"}, and a list's query arguments
(the page and its filters, documented from the list's filter object).

`total` is exact, as API.md has it. A client that does not need it exact asks `?count=capped`: the rows are
then counted up to 1,000 (or to the end of the page asked for, when it lies further), and the answer adds
`total_capped`, true when there are more (`total` is then the count reached); without it the envelope is
as it always was. A long list costs a capped count what a list of
a thousand does; an exact count of 100,000 visible rows reads them all."""
from __future__ import annotations

import marshmallow as ma
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.filters import ListFilters
from exchange.core.paging import COUNT_CAP, count_up_to

MAX_PER_PAGE = 100


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=10**6))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))
    count = ma.fields.String(load_default="exact", validate=ma.validate.OneOf(("exact", "capped")), metadata={
        "description": f"`exact` (the default): `total` counts every row. `capped`: rows counted up to "
                       f"{COUNT_CAP:,} (or the end of the page asked for), `total_capped` true when there are more."})


def list_args(filters: type[ListFilters], name: str) -> type[ma.Schema]:
    """A list endpoint's query arguments: the page, then the list's filters as `filters` documents them (the
    endpoint reads them with `filters.from_params(args)`)."""
    return PageArgs.from_dict(filters.api_fields(), name=name)


def page_of(stmt, args: dict) -> dict:
    """Run `stmt` for one page; the endpoint's response schema (an `envelope_schema`) serialises the items."""
    page, per_page = args.get("page", 1), args.get("per_page", 20)
    envelope = {"page": page, "per_page": per_page}
    if args.get("count") == "capped":
        envelope["total"], envelope["total_capped"] = count_up_to(stmt, max(COUNT_CAP, page * per_page))
    else:
        envelope["total"] = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    envelope["items"] = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return envelope


def envelope_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A documented list envelope around `item_schema`."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "page": ma.fields.Integer(), "per_page": ma.fields.Integer(), "total": ma.fields.Integer(),
        "total_capped": ma.fields.Boolean(metadata={
            "description": "Only with `?count=capped`: true when counting stopped (`total` is then a floor)."}),
    }, name=name)
