"""Message threads: who may read and write a record's thread."""
from __future__ import annotations

from exchange.core import visibility
from exchange.core.access import is_requesting_state
from exchange.core.statuses import RequestStatus


def may_see_message_thread(user, record) -> bool:
    """Threads follow the record: whoever may see a request or match may read and write its thread."""
    if getattr(record, "status", None) == RequestStatus.DRAFT:  # only a request is ever a draft
        return is_requesting_state(user, record)
    return True


def may_write_in_thread(user, record) -> bool:
    """Writing in a thread: whoever may see its record (asked of the record's policy, whatever page or
    endpoint found the record)."""
    return may_see_message_thread(user, record) and visibility.may_see(user, record)
