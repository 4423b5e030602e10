"""Form helpers shared by the page blueprints: rules live in schemas/operations, forms only collect."""
from __future__ import annotations

from wtforms import Form


def apply_errors(form: Form, fields: dict[str, list[str]]) -> None:
    """Put errors from the shared validation beside the matching form fields (others on the form)."""
    for name, messages in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + list(messages)
        else:
            form.form_errors.extend(messages)
