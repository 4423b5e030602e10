"""Status machines of requests, matches and offers: who may move a record from which status to which.

Every status change is a move of these tables. Pages and the API both ask `check_move` before a person's
move: a move not allowed from the current status raises Conflict (409); a move by someone who may never make
it raises Forbidden (403). A request's status also follows its matches once it is open (matched, in
delivery, completed, open again): those are the system moves of REQUEST_MOVES, which no person makes (no
role, no endpoint, no button) and which `following_move` picks for the match operations.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.core.access import is_offer_provider, is_requesting_state, may_edit_offer
from exchange.core.errors import Conflict, Forbidden
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus, Role, Status, english

R, M, O = RequestStatus, MatchStatus, OfferStatus
STATUSES: dict[str, type[Status]] = {"request": RequestStatus, "match": MatchStatus, "offer": OfferStatus}
SYSTEM: tuple[Role, ...] = ()  # the roles of a system move: nobody's


def is_coordinator(user, _obj=None) -> bool:
    return user.role == Role.COORDINATOR


def _state_or_coordinator(user, req) -> bool:
    return is_requesting_state(user, req) or is_coordinator(user)


def _match_provider(user, match) -> bool:
    return is_offer_provider(user, match.offer)


def _match_provider_or_coordinator(user, match) -> bool:
    return is_offer_provider(user, match.offer) or is_coordinator(user)


def _match_state(user, match) -> bool:
    return is_requesting_state(user, match.request)


def _nobody(_user, _record) -> bool:
    return False


@dataclass(frozen=True)
class Move:
    name: str
    words: object                    # the button's words, a lazy string: `label` reads them now
    sources: tuple[Status, ...]
    target: Status
    roles: tuple[Role, ...]          # roles that may ever make this move (none: a system move)
    party: Callable[[object, object], bool]   # and whether this user, on this record, may
    needs: str | None = None          # the text field this move requires (message, reason, outcome)
    targets: Mapping[Status, Status] = field(default_factory=dict, hash=False)  # sources it leaves elsewhere

    @property
    def label(self) -> str:
        """The move's name in the current language."""
        return str(self.words)

    @property
    def english_label(self) -> str:
        """The move's name in English, whoever reads: for what is stored (audit summaries)."""
        return english(self.words)

    @property
    def by_system(self) -> bool:
        """Made by an operation on the system's behalf, never by a person."""
        return not self.roles

    def target_from(self, source: Status) -> Status:
        """Where the move takes a record that is now `source`."""
        return self.targets.get(source, self.target)


def _follows_matches(name: str, label, target: RequestStatus) -> Move:
    """A system move of the request to `target` from every other status in which it follows its matches."""
    return Move(name, label, tuple(s for s in R.FOLLOWS_MATCHES if s != target), target, SYSTEM, _nobody)


REQUEST_MOVES = {m.name: m for m in [
    # A needs_info request that its State submits again returns to review, not to the start.
    Move("submit", _l("Submit for review"), (R.DRAFT, R.NEEDS_INFO), R.SUBMITTED,
         (Role.MEMBER_STATE, Role.COORDINATOR), _state_or_coordinator, targets={R.NEEDS_INFO: R.IN_REVIEW}),
    Move("review", _l("Start review"), (R.SUBMITTED,), R.IN_REVIEW, (Role.COORDINATOR,), is_coordinator),
    Move("accept", _l("Accept into open"), (R.SUBMITTED, R.IN_REVIEW), R.OPEN, (Role.COORDINATOR,),
         is_coordinator),
    Move("request-info", _l("Ask for information"), (R.SUBMITTED, R.IN_REVIEW), R.NEEDS_INFO, (Role.COORDINATOR,),
         is_coordinator, needs="message"),
    Move("reject", _l("Reject"), (R.SUBMITTED, R.IN_REVIEW, R.NEEDS_INFO), R.REJECTED, (Role.COORDINATOR,),
         is_coordinator, needs="reason"),
    Move("withdraw", _l("Withdraw"), (R.DRAFT, R.SUBMITTED, R.IN_REVIEW, R.NEEDS_INFO, R.OPEN, R.MATCHED),
         R.WITHDRAWN, (Role.MEMBER_STATE, Role.COORDINATOR), _state_or_coordinator),
    Move("close", _l("Close"), (R.OPEN, R.MATCHED, R.COMPLETED), R.CLOSED, (Role.COORDINATOR,), is_coordinator),
    # The request follows its matches (see `following_move`).
    _follows_matches("follow-matched", _l("Matched"), R.MATCHED),
    _follows_matches("follow-in-delivery", _l("In delivery"), R.IN_DELIVERY),
    _follows_matches("follow-completed", _l("Completed"), R.COMPLETED),
    _follows_matches("follow-open", _l("Open"), R.OPEN),
]}

MATCH_MOVES = {m.name: m for m in [
    Move("accept", _l("Accept"), (M.PROPOSED,), M.ACCEPTED, (Role.PROVIDER,), _match_provider),
    Move("decline", _l("Decline"), (M.PROPOSED,), M.DECLINED, (Role.PROVIDER,), _match_provider, needs="reason"),
    Move("start", _l("Start delivery"), (M.ACCEPTED,), M.IN_DELIVERY, (Role.PROVIDER, Role.COORDINATOR),
         _match_provider_or_coordinator),
    Move("complete", _l("Report completion"), (M.IN_DELIVERY,), M.COMPLETED, (Role.PROVIDER, Role.COORDINATOR),
         _match_provider_or_coordinator, needs="outcome"),
    Move("confirm", _l("Confirm delivery"), (M.COMPLETED,), M.COMPLETED, (Role.MEMBER_STATE,), _match_state),
    Move("withdraw", _l("Withdraw"), M.LIVE, M.WITHDRAWN, (Role.COORDINATOR,), is_coordinator),
]}

OFFER_MOVES = {m.name: m for m in [
    Move("pause", _l("Pause"), (O.ACTIVE,), O.PAUSED, (Role.PROVIDER, *Role.OFFICE), may_edit_offer),
    Move("resume", _l("Reopen"), (O.PAUSED,), O.ACTIVE, (Role.PROVIDER, *Role.OFFICE), may_edit_offer),
    Move("close", _l("Close"), (O.ACTIVE, O.PAUSED), O.CLOSED, (Role.PROVIDER, *Role.OFFICE), may_edit_offer),
]}

MOVES = {"request": REQUEST_MOVES, "match": MATCH_MOVES, "offer": OFFER_MOVES}

# What a refused move says, one whole sentence a kind of record (the move's label quoted, never lowered).
REFUSED = {
    "request": _l("You may not make the move “%(action)s” on this request."),
    "match": _l("You may not make the move “%(action)s” on this match."),
    "offer": _l("You may not make the move “%(action)s” on this offer."),
}
NOT_NOW = {
    "request": _l("The move “%(action)s” is not possible on a request whose status is “%(status)s”."),
    "match": _l("The move “%(action)s” is not possible on a match whose status is “%(status)s”."),
    "offer": _l("The move “%(action)s” is not possible on an offer whose status is “%(status)s”."),
}


def people_moves(kind: str) -> dict[str, Move]:
    """The moves people make on records of `kind` (the API's move endpoints, the pages' buttons)."""
    return {name: move for name, move in MOVES[kind].items() if not move.by_system}


def check_move(kind: str, name: str, user, record) -> Move:
    """The move if `user` may make it on `record` now; Forbidden or Conflict otherwise. A system move is no
    move of a person's: it is refused as an unknown one."""
    move = people_moves(kind).get(name)
    if move is None:
        raise Conflict(_("Unknown action %(action)s.", action=repr(name)))
    if user.role not in move.roles or not move.party(user, record):
        raise Forbidden(REFUSED[kind] % {"action": move.label})
    if record.status not in move.sources:
        raise Conflict(NOT_NOW[kind] % {"action": move.label, "status": STATUSES[kind](record.status).label})
    if kind == "match" and name == "confirm" and record.confirmed_at is not None:
        raise Conflict(_("This delivery has already been confirmed."))
    return move


def available_moves(kind: str, user, record) -> list[Move]:
    """The moves `user` could make on `record` right now (for buttons)."""
    result = []
    for name in people_moves(kind):
        try:
            result.append(check_move(kind, name, user, record))
        except (Conflict, Forbidden):
            pass
    return result


def following_move(current: RequestStatus, match_statuses) -> Move | None:
    """The system move that brings a request in line with its matches once it is open: in delivery while one
    is delivered, else matched while one is accepted, else completed once one is, else open again. None when
    the request is already in line, or does not follow its matches (not yet open, or ended)."""
    if current not in R.FOLLOWS_MATCHES:
        return None
    if M.IN_DELIVERY in match_statuses:
        target = R.IN_DELIVERY
    elif M.ACCEPTED in match_statuses:
        target = R.MATCHED
    elif M.COMPLETED in match_statuses:
        target = R.COMPLETED
    else:
        target = R.OPEN
    if target == current:
        return None
    return next(move for move in REQUEST_MOVES.values()
                if move.by_system and move.target == target and current in move.sources)


def move_operation(kind: str, action: str, make: Callable) -> Callable:
    """The operation `operation(actor, record, data=None)` that makes the move `action` on a record of `kind`
    by calling `make(actor, record, action, data)` (each area's `*_move(action)` hands out these)."""
    def operation(user, record, raw: dict | None = None):
        return make(user, record, action, raw)
    operation.__name__ = f"{kind}_{action.replace('-', '_')}"
    return operation
