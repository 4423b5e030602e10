"""The status-move pages of requests, offers and matches: one `POST /<area>/<id>/move/<action>` per record
kind, made from its move table (core/workflow.py) as api/moves.py makes the API's. The form sends the text
the move needs (`message`, `reason`, `outcome`: the table's `needs`) and the kind's extra fields; the
operation checks the move (403/409) and the input (422); the page says what happened."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request
from flask_login import current_user

from exchange.core import workflow
from exchange.core.access import allow
from exchange.web.forms import apply_change


def move_input(move: workflow.Move | None, form, extra_fields: dict[str, tuple[str, ...]],
               numbers: dict[str, Callable[[str], object]]) -> dict:
    """The move's input from the form: the text it needs and the kind's extra fields for it; a number field
    is read by its converter and left out when empty."""
    if move is None:
        return {}
    data: dict = {}
    for name in ((move.needs,) if move.needs else ()) + extra_fields.get(move.name, ()):
        value = form.get(name, "")
        if name in numbers:
            value = numbers[name](value)
            if value is None:
                continue
        data[name] = value
    return data


def register_page_moves(bp, kind: str, *, get, operation, detail: Callable[[object], str], roles: tuple[str, ...],
                        done, extra_fields: dict[str, tuple[str, ...]] | None = None,
                        numbers: dict[str, Callable[[str], object]] | None = None,
                        show_invalid: Callable[[int, object, str], object] | None = None) -> None:
    """Route `POST /<kind>_id/move/<action>` (endpoint `<bp>.move`): read the record through `get` (404 when
    invisible), make the move with `operation(action)(actor, record, data)`, then flash `done` (a lazy string
    formatted with `ref`, `label`, `status`: the move's and the status's labels as they are, never lowered)
    and go back to `detail(record)` (`done` may be a dict: a sentence for each move, in plain words). A refusal says "Nothing was changed: …" and goes back, or, for invalid input, answers `show_invalid(record_id, err, action)` (the page with the errors)."""
    moves = workflow.MOVES[kind]

    def move(action: str, **view_args):
        (record_id,) = view_args.values()
        record = get(current_user, record_id)
        move_def = moves.get(action)
        data = move_input(move_def, request.form, extra_fields or {}, numbers or {})
        back = detail(record)
        refused = apply_change(lambda: operation(action)(current_user, record, data), back, kind,
                               on_invalid=(lambda err: show_invalid(record_id, err, action)) if show_invalid else None)
        if refused:
            return refused
        words = done.get(action) if isinstance(done, dict) else done  # a sentence per move, or one for all
        flash(str(words).format(ref=record.reference, label=move_def.label, status=record.status.label), "success")
        return redirect(back)

    move.__doc__ = f"Make a status move on a {kind} from its page."
    bp.route(f"/<int:{kind}_id>/move/<action>", methods=["POST"], endpoint="move")(allow(*roles)(move))
