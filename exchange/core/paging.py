"""Pages of a long list without counting all of it: the rows are counted up to a cap (`COUNT_CAP`, or the
end of the page asked for when it lies further), so a list of 100,000 records costs what a list of a
thousand does. A page says whether its total is exact or a floor ("1,000+"); `pages`, `has_next` and the
rest are Flask-SQLAlchemy's Pagination's names, so the pager macro reads either."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import func, literal_column, select

from exchange.core.extensions import db

COUNT_CAP = 1_000


@dataclass
class CappedPage:
    items: list = field(repr=False)
    page: int
    per_page: int
    total: int  # exact when not `capped`; otherwise the count reached (the list has more)
    capped: bool

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def count_up_to(stmt, cap: int) -> tuple[int, bool]:
    """(rows of `stmt`, counted up to `cap`; True when there are more than `cap`). The count reads one
    constant a row, unordered, and stops after `cap` + 1 rows."""
    rows = stmt.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True).limit(cap + 1)
    n = db.session.scalar(select(func.count()).select_from(rows.subquery()))
    return (cap, True) if n > cap else (n, False)


def capped_page(stmt, page: int, per_page: int, cap: int | None = None) -> CappedPage:
    """Page `page` (from 1) of `stmt`'s rows (ORM entities, made unique), with their count up to the cap (or
    up to the end of this page, when it lies beyond the cap)."""
    page, cap = max(1, page), COUNT_CAP if cap is None else cap
    total, capped = count_up_to(stmt, max(cap, page * per_page))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return CappedPage(items=list(items), page=page, per_page=per_page, total=total, capped=capped)
