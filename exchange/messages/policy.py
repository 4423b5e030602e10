"""Message threads: who may read and write a record's thread."""
from __future__ import annotations

from exchange.core.access import is_requesting_state
from exchange.core.statuses import RequestStatus


def may_see_message_thread(user, record) -> bool:
    """Threads follow the record: whoever may see a request or match may read and write its thread."""
    if getattr(record, "status", None) == RequestStatus.DRAFT:  # only a request is ever a draft
        return is_requesting_state(user, record)
    return True
