"""Message threads: who may read and write a record's thread, and who may read each message of it (its
audience: everyone taking part, the providers and the Task Force office but not the State, or the office)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import true

from exchange.core import visibility
from exchange.core.access import is_requesting_state
from exchange.core.statuses import RequestStatus, Role

EVERYONE, PROVIDERS, OFFICE = "everyone", "providers", "office"
AUDIENCES = {
    EVERYONE: _l("Everyone taking part: the State, the providers concerned and the Task Force office"),
    PROVIDERS: _l("The providers concerned and the Task Force office, not the State"),
    OFFICE: _l("The Task Force office only"),
}
# What each role may read, and choose when writing.
READS = {Role.MEMBER_STATE: (EVERYONE,), Role.PROVIDER: (EVERYONE, PROVIDERS),
         Role.COORDINATOR: (EVERYONE, PROVIDERS, OFFICE), Role.ADMIN: (EVERYONE, PROVIDERS, OFFICE)}


def may_see_message_thread(user, record) -> bool:
    """Threads follow the record: whoever may see a request or match may read and write its thread."""
    if getattr(record, "status", None) == RequestStatus.DRAFT:  # only a request is ever a draft
        return is_requesting_state(user, record)
    return True


def may_write_in_thread(user, record) -> bool:
    """Writing in a thread: whoever may see its record (asked of the record's policy, whatever page or
    endpoint found the record)."""
    return may_see_message_thread(user, record) and visibility.may_see(user, record)


def audiences_for(user) -> tuple[str, ...]:
    """The audiences `user` may read (and write to)."""
    return READS.get(getattr(user, "role", None), ())


def may_read_message(user, message) -> bool:
    """A message among those of a record `user` sees: its audience must include the reader's role."""
    return message.audience in audiences_for(user)


def message_scope(user, Message):
    """SQL condition on Message: the audiences `user` may read (the record's visibility is asked apart)."""
    audiences = audiences_for(user)
    return true() if len(audiences) == len(AUDIENCES) else Message.audience.in_(audiences)
