"""The status-move endpoints of requests, offers and matches: one `POST …/{id}/{action}` per move."""
from __future__ import annotations

from flask_login import current_user

from exchange.api.body import json_body
from exchange.api.serialize import body_doc
from exchange.core.access import allow
from exchange.core.schemas import ActionIn


def register_moves(bp, path: str, moves, *, get, operation, out, roles, docs: dict, bodies: dict,
                   note: str) -> None:
    """Route `POST {path}/{action}` for each move: read the record through `get` (404 when invisible), hand
    the JSON body to the move's operation, `operation(action)(actor, record, data)` (which checks the move,
    403/409, then the body, 422), answer `out` (the request commits: core/transactions.py).
    `bodies` names the moves that need a body (the others take `schemas.ActionIn`). A system move (the request
    following its matches) is no person's: it has no endpoint."""
    for action, move in moves.items():
        if move.by_system:
            continue
        view = _move_view(get, operation, action)
        view.__name__ = f"move_{action.replace('-', '_')}"
        view.__doc__ = docs[action] + " " + note
        view = bp.response(200, out)(view)
        view = body_doc(bp, bodies.get(action, ActionIn), required=action in bodies)(view)
        view = allow(*roles)(view)
        bp.route(f"{path}/{action}", methods=["POST"], endpoint=view.__name__)(view)


def _move_view(get, operation, action: str):
    def move(**view_args):
        (record_id,) = view_args.values()
        record = get(current_user, record_id)
        operation(action)(current_user, record, json_body())
        return record
    return move
