"""Status machines of requests, matches and offers: every status, its label, and who may move it where.

Pages and the API both ask `check_move` before a move: a move not allowed from the current status
raises Conflict (409); a move by someone who may never make it raises Forbidden (403).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from exchange.core.access import is_offer_provider, is_requesting_state, may_edit_offer
from exchange.core.errors import Conflict, Forbidden
from exchange.core.statuses import MATCH_STATUSES, OFFER_STATUSES, REQUEST_STATUSES

STATUS_COLOURS = {
    "draft": "secondary", "submitted": "info", "in_review": "info", "needs_info": "warning", "open": "primary",
    "matched": "primary", "in_delivery": "primary", "completed": "success", "rejected": "dark",
    "withdrawn": "secondary", "closed": "dark", "proposed": "info", "accepted": "primary", "declined": "dark",
    "active": "success", "paused": "warning",
}
# Matches that hold one place of their offer's capacity.
BUSY_MATCH_STATUSES = ("accepted", "in_delivery")
# Assistance under way or delivered (country profiles, overlap warnings, the IATI export).
DELIVERY_MATCH_STATUSES = ("in_delivery", "completed")
# Requests still alive: past the draft, not ended (the matching index, overlap warnings).
LIVE_REQUEST_STATUSES = ("submitted", "in_review", "needs_info", "open", "matched", "in_delivery")


def is_coordinator(user, _obj=None) -> bool:
    return user.role == "coordinator"


def _state_or_coordinator(user, req) -> bool:
    return is_requesting_state(user, req) or is_coordinator(user)


def _match_provider(user, match) -> bool:
    return is_offer_provider(user, match.offer)


def _match_provider_or_coordinator(user, match) -> bool:
    return is_offer_provider(user, match.offer) or is_coordinator(user)


def _match_state(user, match) -> bool:
    return is_requesting_state(user, match.request)


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]           # roles that may ever make this move
    party: Callable[[object, object], bool]   # and whether this user, on this record, may
    needs: str | None = None          # the text field this move requires (message, reason, outcome)


REQUEST_MOVES = {m.name: m for m in [
    Move("submit", "Submit for review", ("draft", "needs_info"), "submitted", ("member_state", "coordinator"),
         _state_or_coordinator),
    Move("review", "Start review", ("submitted",), "in_review", ("coordinator",), is_coordinator),
    Move("accept", "Accept into open", ("submitted", "in_review"), "open", ("coordinator",), is_coordinator),
    Move("request-info", "Ask for information", ("submitted", "in_review"), "needs_info", ("coordinator",),
         is_coordinator, needs="message"),
    Move("reject", "Reject", ("submitted", "in_review", "needs_info"), "rejected", ("coordinator",),
         is_coordinator, needs="reason"),
    Move("withdraw", "Withdraw", ("draft", "submitted", "in_review", "needs_info", "open", "matched"), "withdrawn",
         ("member_state", "coordinator"), _state_or_coordinator),
    Move("close", "Close", ("open", "matched", "completed"), "closed", ("coordinator",), is_coordinator),
]}
# A needs_info request that its State submits again returns to review, not to the start.
RESUBMIT_TARGET = "in_review"

MATCH_MOVES = {m.name: m for m in [
    Move("accept", "Accept", ("proposed",), "accepted", ("provider",), _match_provider),
    Move("decline", "Decline", ("proposed",), "declined", ("provider",), _match_provider, needs="reason"),
    Move("start", "Start delivery", ("accepted",), "in_delivery", ("provider", "coordinator"),
         _match_provider_or_coordinator),
    Move("complete", "Report completion", ("in_delivery",), "completed", ("provider", "coordinator"),
         _match_provider_or_coordinator, needs="outcome"),
    Move("confirm", "Confirm delivery", ("completed",), "completed", ("member_state",), _match_state),
    Move("withdraw", "Withdraw", ("proposed", "accepted", "in_delivery"), "withdrawn", ("coordinator",),
         is_coordinator),
]}

OFFER_MOVES = {m.name: m for m in [
    Move("pause", "Pause", ("active",), "paused", ("provider", "coordinator", "admin"), may_edit_offer),
    Move("resume", "Reopen", ("paused",), "active", ("provider", "coordinator", "admin"), may_edit_offer),
    Move("close", "Close", ("active", "paused"), "closed", ("provider", "coordinator", "admin"),
         may_edit_offer),
]}

MOVES = {"request": REQUEST_MOVES, "match": MATCH_MOVES, "offer": OFFER_MOVES}


def check_move(kind: str, name: str, user, record) -> Move:
    """The move if `user` may make it on `record` now; Forbidden or Conflict otherwise."""
    move = MOVES[kind].get(name)
    if move is None:
        raise Conflict(f"Unknown action {name!r}.")
    if user.role not in move.roles or not move.party(user, record):
        raise Forbidden(f"You may not {move.label.lower()} this {kind}.")
    if record.status not in move.sources:
        label = {"request": REQUEST_STATUSES, "match": MATCH_STATUSES, "offer": OFFER_STATUSES}[kind]
        raise Conflict(f"Cannot {move.label.lower()} a {kind} that is {label.get(record.status, record.status)}.")
    if kind == "match" and name == "confirm" and record.confirmed_at is not None:
        raise Conflict("This delivery has already been confirmed.")
    return move


def available_moves(kind: str, user, record) -> list[Move]:
    """The moves `user` could make on `record` right now (for buttons)."""
    result = []
    for name in MOVES[kind]:
        try:
            result.append(check_move(kind, name, user, record))
        except (Conflict, Forbidden):
            pass
    return result


def request_status_from_matches(current: str, match_statuses: list[str]) -> str:
    """A request's status follows its matches once it is open: matched, in delivery, completed."""
    if current not in ("open", "matched", "in_delivery", "completed"):
        return current
    if "in_delivery" in match_statuses:
        return "in_delivery"
    if "accepted" in match_statuses:
        return "matched"
    if "completed" in match_statuses:
        return "completed"
    return "open"
