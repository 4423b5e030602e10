"""Saving and deleting searches (the owner's own; audited). Telling subscribers of new records: telling.py."""
from __future__ import annotations

from flask_babel import gettext as _

from exchange.audit import record
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.offers.filters import OfferFilters
from exchange.requests.filters import RequestFilters
from exchange.subscriptions.models import RECORD_KINDS, SavedSearch
from exchange.subscriptions.policy import require_save_searches

FILTERS = {"request": RequestFilters, "offer": OfferFilters}
NAME_MAX = 120
SEARCHES_MAX = 50  # saved searches a person may keep


def filters_of(record_type: str, params: dict):
    """The list's filters a search's parameters say (ValidationFailed naming those not understood)."""
    return FILTERS[record_type].from_params(params)


def save_search(actor, data: dict) -> SavedSearch:
    """Save a search: `record_type` ("request" or "offer"), a `name`, and the list's query arguments
    (`params`). The filters are read as the list reads them: one not understood is refused."""
    require_save_searches(actor)
    problems: dict[str, list[str]] = {}
    record_type = data.get("record_type")
    name = " ".join(str(data.get("name") or "").split())
    if record_type not in RECORD_KINDS:
        problems["record_type"] = [_("Choose requests or offers.")]
    if not name:
        problems["name"] = [_("Give the search a name.")]
    elif len(name) > NAME_MAX:
        problems["name"] = [_("At most %(num)d characters.", num=NAME_MAX)]
    if problems:
        raise ValidationFailed(_("Nothing was saved: check the fields marked."), problems)
    params = dict(data.get("params") or {})
    params.pop("sort", None)
    params.pop("page", None)
    filters = filters_of(record_type, params)
    kept = db.session.scalar(db.select(db.func.count()).select_from(SavedSearch)
                             .where(SavedSearch.user_id == actor.id))
    if kept >= SEARCHES_MAX:
        raise ValidationFailed(_("You keep %(num)d saved searches already: delete one first.", num=SEARCHES_MAX),
                               {"name": [_("Too many saved searches.")]})
    search = SavedSearch(user_id=actor.id, record_type=record_type, name=name,
                         params=filters.as_args(leave_out=("sort",)))
    db.session.add(search)
    db.session.flush()
    record(actor, "subscription.save", "SavedSearch", search.id, f"Saved search “{name}” ({record_type}s)",
           {"params": [None, search.params]})
    return search


def delete_search(actor, search: SavedSearch, data: dict | None = None) -> None:
    record(actor, "subscription.delete", "SavedSearch", search.id, f"Deleted saved search “{search.name}”")
    db.session.delete(search)
    db.session.flush()
