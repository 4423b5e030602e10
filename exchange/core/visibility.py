"""Who may see one record: each area registers its record's SQL scope here (`requests/policy.py`,
`offers/policy.py`, `matches/policy.py`) or a rule for one person (`people/policy.py`: an organisation's own
news), and every channel that tells people about a record (notifications, e-mail, reminders, threads) asks
`who_may_see`. Pages and the API load records through `get_visible`: 404 when missing *or* invisible."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from exchange.core.errors import NotFound
from exchange.core.extensions import db
from exchange.core.models import as_id


@dataclass(frozen=True)
class Visibility:
    label: str                                   # the record's name in messages: "Request"
    scope: Callable | None = None                # user -> SQL filter of the rows they may see
    sees: Callable | None = None                 # (user, record) -> bool, for records without a scope


_RULES: dict[type, Visibility] = {}


def register(model: type, label: str, *, scope: Callable | None = None, sees: Callable | None = None) -> None:
    """Declare how people see `model`'s rows (once, where the model's area keeps its policy)."""
    _RULES[model] = Visibility(label, scope, sees)


def _rule_of(record) -> tuple[type, Visibility]:
    for model, rule in _RULES.items():
        if isinstance(record, model):
            return model, rule
    raise TypeError(f"No visibility rule for {type(record).__name__}")


def may_see(user, record) -> bool:
    """Whether `user` may see this request, offer or match (its scope filter asked of the one row), or this
    organisation's own news (its members and the Task Force office)."""
    return bool(who_may_see([user], record))


def who_may_see(users, record) -> list:
    """Those of `users` who may see `record`, in order: every notification, e-mail, reminder and thread
    recipient list passes through here (notify.notify). The scopes depend only on a person's role,
    organisation and being active, so one query answers each such group, not each person."""
    users = [u for u in users if u is not None]
    model, rule = _rule_of(record)
    if rule.scope is None:
        return [u for u in users if rule.sees(u, record)]
    answers: dict[tuple, bool] = {}
    result = []
    for user in users:
        key = (user.role, user.organisation_id, bool(user.active))
        if key not in answers:
            answers[key] = db.session.scalar(
                select(model.id).where(model.id == record.id, rule.scope(user))) is not None
        if answers[key]:
            result.append(user)
    return result


# What a record not found says, by the record's name (whole sentences, for each language's grammar).
NOT_FOUND = {
    "Request": (_l("No such request."), _l("Request %(id)s does not exist or is not visible to you.")),
    "Offer": (_l("No such offer."), _l("Offer %(id)s does not exist or is not visible to you.")),
    "Match": (_l("No such match."), _l("Match %(id)s does not exist or is not visible to you.")),
    "Organisation": (_l("No such organisation."),
                     _l("Organisation %(id)s does not exist or is not visible to you.")),
}


def get_visible(model, user, record_id):
    """The record if `user` may see it; NotFound otherwise, exactly as for one that does not exist."""
    rule = _RULES[model]
    record_id = as_id(record_id)
    no_such, invisible = NOT_FOUND.get(rule.label, (None, None))
    if record_id is None:
        raise NotFound(str(no_such) if no_such else _("No such record."))
    record = db.session.scalar(select(model).where(model.id == record_id, rule.scope(user)))
    if record is None:
        raise NotFound(str(invisible) % {"id": record_id} if invisible
                       else _("Record %(id)s does not exist or is not visible to you.", id=record_id))
    return record
