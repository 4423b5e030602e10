"""The filters of the audit trail and of the security events page: typed objects read alike by the pages and
the audit export (`AuditFilters.parse` shows what it could not read; `from_params` refuses it); the SQL is in
`queries.filter_audit` and `queries.filter_security_events`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from exchange.audit.models import AuditEvent
from exchange.core.filters import FilterProblem, ListFilters, One, day, declare, end_not_before_start, one
from exchange.core.models import as_id

AUDIT_RECORD_TYPES = ("request", "offer", "match", "user", "organisation", "working_group")
RECORD_PREFIXES = ("R-", "O-", "M-")


def _record_type(value: str) -> None:
    if value not in AUDIT_RECORD_TYPES:
        raise FilterProblem(_("Choose a record type from the list."))


def _audit_action(value: str) -> None:
    if len(value) > AuditEvent.action.type.length:
        raise FilterProblem(_("No action is that long."))


def _security_action(value: str) -> None:
    from exchange.audit.security_events import ACTIONS
    _audit_action(value)
    if value not in ACTIONS:
        raise FilterProblem(_("Choose an action from the list."))


@dataclass(frozen=True)
class RecordNumber(One):
    """A record's number: 12, or its reference R-00012 (O-, M-); None when absent."""

    empty: int | None = None

    def read(self, params, keys):
        raw = super().read(params, keys).upper()
        if not raw:
            return None
        record_id = as_id(raw.split("-", 1)[1] if raw[:2] in RECORD_PREFIXES else raw)
        if record_id is None:
            raise FilterProblem(_("Give a record number, such as 12 or R-00012."))
        return record_id

    def arg(self, value) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class _Period(ListFilters):
    """From and to, ISO dates, both inclusive (`start` and `end` are read as `from` and `to` when those are
    absent); an end before the start is a problem of `to`, and left out."""

    start: date | None = day(keys=("from", "start"))
    end: date | None = day(keys=("to", "end"))

    def checked(self, problems):
        return end_not_before_start(self, problems, "to", _("The end date must not be before the start date."))


@dataclass(frozen=True)
class AuditFilters(_Period):
    """The audit trail's filters. record_type: one of AUDIT_RECORD_TYPES; record_id: 12 or R-00012 (O-, M-);
    person: part of the actor's e-mail; action: exact, such as request.accept; from and to (`_Period`)."""

    record_type: str = one(check=_record_type)
    record_id: int | None = declare(RecordNumber(""))
    person: str = one(lower=True, longest=254)
    action: str = one(check=_audit_action)


@dataclass(frozen=True)
class SecurityEventFilters(_Period):
    """The security events page's filters. action: one of security_events.ACTIONS; person: part of the
    account's e-mail (or of the e-mail typed, when it named no account); address: the start of the client
    address; from and to (`_Period`)."""

    action: str = one(check=_security_action)
    person: str = one(lower=True, longest=254)
    address: str = one(longest=100)
