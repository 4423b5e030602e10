"""The closed sets of values that records take, as `StrEnum`s: the statuses of requests, offers and matches
(each with its label and the colour of its badge), urgencies, visibilities and the roles people hold, and the
named sets of statuses the rules ask about (`RequestStatus.LIVE`, `MatchStatus.BUSY`, …).

A member is its value: `RequestStatus.OPEN == "open"`, it hashes, prints, formats and serialises (JSON, CSV,
marshmallow) as "open", so the API and the exports say what they always said. The models' columns read back
as members (core/models.EnumText). A leaf module (it imports nothing of ours; its labels are Flask-Babel's lazy strings): workflow.py builds the move
tables on these, schemas validate input against them, and the models declare them as CHECK constraints, so
that the database itself refuses any other value."""
from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l


def english(words) -> str:
    """Lazy words written in English, whatever the current language."""
    with force_locale("en"):
        return str(words)


class Labelled(StrEnum):
    """A value with the words people read for it: `label` is them in the current language (English outside a
    request or `speaking()`)."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @property
    def english_label(self) -> str:
        """The label in English, whoever reads: for what is stored (audit summaries)."""
        return english(self._label)

    @classmethod
    def of(cls, value: object) -> Labelled | None:
        """The member whose value `value` is, or None (`"x" in Role` raises TypeError on Python 3.11)."""
        return cls._value2member_map_.get(value) if isinstance(value, str) else None

    @classmethod
    def labels(cls) -> dict[Labelled, str]:
        """Every member and its label, in the order declared (form choices, filter lists). The labels are lazy:
        a table built once (a field spec's choices) still reads in each reader's language."""
        return {member: member._label for member in cls}


class Status(Labelled):
    """A status, with its colour: the one definition of it that badges (the stylesheet `/statuses.css`,
    web/home.py) and charts (reports/dashboards.py) use, so that a status looks the same everywhere. Each
    status of a kind has its own colour; the same step in two kinds (completed, in delivery, withdrawn) the
    same one. `ink` is the text colour on it (black or white, whichever contrasts more: at least 4.5:1)."""

    colour: str

    def __new__(cls, value: str, label, colour: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        member.colour = colour
        return member

    @property
    def ink(self) -> str:
        return "#000000" if _contrast(self.colour, "#000000") >= _contrast(self.colour, "#ffffff") else "#ffffff"

    @property
    def css_class(self) -> str:
        """The badge's class: `status-<kind>-<value>` (kind: request, match, offer)."""
        return f"status-{type(self).__name__.removesuffix('Status').lower()}-{self.value}"


class RequestStatus(Status):
    DRAFT = "draft", _l("Draft"), "#6c757d"
    SUBMITTED = "submitted", _l("Submitted"), "#9ec5fe"
    IN_REVIEW = "in_review", _l("In review"), "#1f5fbf"
    NEEDS_INFO = "needs_info", _l("Needs information"), "#f2b705"
    OPEN = "open", _l("Open"), "#0b7285"
    MATCHED = "matched", _l("Matched"), "#7048e8"
    IN_DELIVERY = "in_delivery", _l("In delivery"), "#d9480f"
    COMPLETED = "completed", _l("Completed"), "#2b8a3e"
    REJECTED = "rejected", _l("Rejected"), "#b02a37"
    WITHDRAWN = "withdrawn", _l("Withdrawn"), "#ced4da"
    CLOSED = "closed", _l("Closed"), "#343a40"

    # The named sets (set below the class: a member cannot be named inside its own class body).
    LIVE: ClassVar[tuple[RequestStatus, ...]]
    IN_TRIAGE: ClassVar[tuple[RequestStatus, ...]]
    ACCEPTED: ClassVar[tuple[RequestStatus, ...]]
    MATCHABLE: ClassVar[tuple[RequestStatus, ...]]
    FOLLOWS_MATCHES: ClassVar[tuple[RequestStatus, ...]]
    EDITABLE_BY_STATE: ClassVar[tuple[RequestStatus, ...]]
    ENDED: ClassVar[tuple[RequestStatus, ...]]


# Still alive: past the draft, not ended (the matching index, overlap warnings).
RequestStatus.LIVE = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.NEEDS_INFO,
                      RequestStatus.OPEN, RequestStatus.MATCHED, RequestStatus.IN_DELIVERY)
# Waiting for the Task Force office's decision, or for the State's answer to it (the triage queue).
RequestStatus.IN_TRIAGE = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.NEEDS_INFO)
# Accepted by a coordinator into open, and everything after (what every approved provider may see of a
# `providers` request; when the requesting State sees its suggested offers).
RequestStatus.ACCEPTED = (RequestStatus.OPEN, RequestStatus.MATCHED, RequestStatus.IN_DELIVERY,
                          RequestStatus.COMPLETED, RequestStatus.CLOSED)
# A coordinator can still propose matches for it.
RequestStatus.MATCHABLE = (RequestStatus.OPEN, RequestStatus.MATCHED, RequestStatus.IN_DELIVERY)
# Its status follows its matches (the system moves of workflow.REQUEST_MOVES).
RequestStatus.FOLLOWS_MATCHES = (RequestStatus.OPEN, RequestStatus.MATCHED, RequestStatus.IN_DELIVERY,
                                 RequestStatus.COMPLETED)
# Its State may still edit it: no coordinator has accepted it yet.
RequestStatus.EDITABLE_BY_STATE = (RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW,
                                   RequestStatus.NEEDS_INFO)
# Nothing more happens to it (nobody edits it any more).
RequestStatus.ENDED = (RequestStatus.REJECTED, RequestStatus.WITHDRAWN, RequestStatus.CLOSED,
                       RequestStatus.COMPLETED)


class MatchStatus(Status):
    PROPOSED = "proposed", _l("Proposed"), "#9ec5fe"
    ACCEPTED = "accepted", _l("Accepted"), "#7048e8"
    IN_DELIVERY = "in_delivery", _l("In delivery"), "#d9480f"
    COMPLETED = "completed", _l("Completed"), "#2b8a3e"
    DECLINED = "declined", _l("Declined"), "#b02a37"
    WITHDRAWN = "withdrawn", _l("Withdrawn"), "#ced4da"

    LIVE: ClassVar[tuple[MatchStatus, ...]]
    BUSY: ClassVar[tuple[MatchStatus, ...]]
    DELIVERY: ClassVar[tuple[MatchStatus, ...]]


# Under way: at most one of them for a request and an offer (a partial unique index).
MatchStatus.LIVE = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY)
# Accepted and not yet completed: each holds one place of its offer's capacity, and its provider has a
# report to make (start, then completion).
MatchStatus.BUSY = (MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY)
# Assistance under way or delivered (country profiles, overlap warnings, the IATI export).
MatchStatus.DELIVERY = (MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)


class OfferStatus(Status):
    ACTIVE = "active", _l("Active"), "#2b8a3e"
    PAUSED = "paused", _l("Paused"), "#f2b705"
    CLOSED = "closed", _l("Closed"), "#343a40"


class Urgency(Labelled):
    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")
    CRITICAL = "critical", _l("Critical")


class Visibility(Labelled):
    """Who may see a request once it is submitted."""

    TASK_FORCE = "task_force", _l("Task Force entities and coordinators")
    PROVIDERS = "providers", _l("Every approved provider, once a coordinator has accepted the request")
    RESTRICTED = "restricted", _l("Coordinators, and the providers they share it with")


class Role(Labelled):
    """What a person does on the Exchange: each user holds one (API.md's reference codes)."""

    MEMBER_STATE = "member_state", _l("Member State focal point")
    PROVIDER = "provider", _l("Assistance provider")
    COORDINATOR = "coordinator", _l("Task Force coordinator")
    ADMIN = "admin", _l("Administrator")

    OFFICE: ClassVar[tuple[Role, ...]]


# The Task Force office.
Role.OFFICE = (Role.COORDINATOR, Role.ADMIN)


class FundingStage(Labelled):
    """The stage of money for a match: promised, agreed in writing, paid out (the IATI export's transaction types
    are in reports/iati.py)."""

    PLEDGED = "pledged", _l("Pledged")
    COMMITTED = "committed", _l("Committed")
    DISBURSED = "disbursed", _l("Disbursed")


class ResultKind(Labelled):
    """What a result indicator measures (IATI result types 1 and 2)."""

    OUTPUT = "output", _l("Output")
    OUTCOME = "outcome", _l("Outcome")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two colours (#rrggbb)."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def status_stylesheet() -> str:
    """The badges' colours, one rule a status of every kind (served as /statuses.css)."""
    rules = []
    for kind in (RequestStatus, MatchStatus, OfferStatus):
        for member in kind:
            rules.append(f".badge.{member.css_class} {{ background-color: {member.colour}; color: {member.ink}; }}")
    return "\n".join(rules) + "\n"
