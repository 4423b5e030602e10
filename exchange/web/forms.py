"""Form and page helpers shared by the page blueprints: rules live in schemas/operations, forms only
collect; reference choices for the pickers are read once per HTTP request."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import flash, g, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from exchange.core.errors import Conflict, ExchangeError, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import Kind
from exchange.core.i18n import page_language
from exchange.core.transactions import all_or_nothing
from exchange.people.models import Organisation
from exchange.reference.models import PILLARS
from exchange.reference.names import name as reference_name
from exchange.reference.queries import reference_rows
from exchange.reference.text_language import text_language

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


SAFE_PATH_MAX = 2000
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)


def _has_control(text: str) -> bool:
    """C0/C1 controls, and invisible format or line-separator characters (zero-width, bidi overrides):
    browsers drop some of them before parsing, which is how `/<TAB>/host` becomes `//host`."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def _leaves_site(text: str) -> bool:
    if not text.startswith("/") or text.startswith(("//", "/\\")) or "\\" in text or _has_control(text):
        return True
    parts = urlsplit(text)
    return bool(parts.scheme or parts.netloc)


def safe_local_path(target: str | None, default: str) -> str:
    """The one safe-redirect rule (every `next`, and a notification's link): `target` when it is plainly a
    path on this site, else `default`. Refused: anything not starting with one `/`, scheme-relative
    (`//host`) and full URLs, backslashes (browsers read them as `/`), control and invisible characters
    anywhere (browsers drop tabs and newlines: `/<TAB>/host` is `//host`; a newline would split the header),
    encoded slashes and backslashes (`%2F`, `%5C`), and any of these once percent-decoded, at any depth."""
    if not isinstance(target, str) or not target or len(target) > SAFE_PATH_MAX:
        return default
    text = target
    for _attempt in range(5):  # decoded again while decoding changes it: %252F → %2F → /
        if _leaves_site(text) or _ENCODED_SEPARATOR.search(text):
            return default
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return default


# What a page says when someone else changed the record at the same time, a sentence a kind of record.
CHANGED_MEANWHILE = {
    "request": _l("Nothing was changed: someone else changed this request at the same time. Check it and try "
                  "again."),
    "offer": _l("Nothing was changed: someone else changed this offer at the same time. Check it and try again."),
    "match": _l("Nothing was changed: someone else changed this match at the same time. Check it and try again."),
}


def error_details(err: ExchangeError) -> str:
    """Every field message of a refusal, in one line (for a flash message)."""
    return " ".join(str(m) for messages in err.fields.values() for m in messages)


def apply_change(change: Callable[[], object], back: str, noun: str,
                 on_invalid: Callable[[ValidationFailed], object] | None = None):
    """Make a change (operations; the request commits it) and return None. When it is refused, everything is
    undone (transactions.all_or_nothing), the page says "Nothing was changed: …" and this returns the response:
    `on_invalid(err)` (the page again with the errors beside the fields) for invalid input if given, else a
    redirect to `back`."""
    try:
        with all_or_nothing():
            change()
        return None
    except ValidationFailed as err:
        if on_invalid:  # the page shows each problem beside its field and in its error summary
            flash(_("Nothing was changed: %(reason)s", reason=err.message), "error")
            return on_invalid(err)
        flash(_("Nothing was changed: %(reason)s", reason=f"{err.message} {error_details(err)}".strip()), "error")
        return redirect(back)
    except (Forbidden, Conflict) as err:
        flash(_("Nothing was changed: %(reason)s", reason=err.message), "error")
        return redirect(back)
    except StaleDataError:
        flash(str(CHANGED_MEANWHILE.get(noun) or _("Nothing was changed: someone else changed this record at the "
                                                    "same time. Check it and try again.")), "error")
        return redirect(back)


# The fields a record's form shows as a group of checkboxes or radios: an error links to the group.
GROUPED_FIELDS = ("themes", "modalities", "languages", "urgency", "visibility")


def field_links(spec, fields: dict[str, list[str]], form_url: str) -> list[tuple[str, str]]:
    """The error summary's entries for problems of a record's fields found outside its form (submitting a
    draft from its page): each message, linked to its field on the form at `form_url`, in the form's order."""
    order = [f.name for f in spec.form_fields]
    named = sorted((name for name in fields if name in spec.by_name), key=lambda n: order.index(n) if n in order else 99)
    links = []
    for name in named:
        anchor = f"{name}-group" if name in GROUPED_FIELDS else name
        label = str(spec[name].label)
        for message in fields[name]:
            text = str(message)
            links.append((f"{form_url}#{anchor}", text if label.lower() in text.lower() else f"{label}: {text}"))
    return links


def apply_errors(form: Form, fields: dict[str, list[str]]) -> None:
    """Put errors from the shared validation beside the matching form fields (others on the form)."""
    for name, messages in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + [str(m) for m in messages]
        else:
            form.form_errors.extend(str(m) for m in messages)


# ------------------------------------------------------------------------------------------------
# Reference choices shared by the request, offer and directory pages (read once per page).

def reference_choices() -> dict:
    """Themes grouped by pillar, modalities, languages (the six UN languages first), countries, regions
    and provider organisations, read once per HTTP request."""
    if "_page_choices" in g:
        return g._page_choices
    themes = reference_rows("themes")
    by_pillar = [(pillar, name, [t for t in themes if t.pillar == pillar]) for pillar, name in PILLARS.items()]
    languages = reference_rows("languages")
    un = sorted((x for x in languages if x.code in UN_LANGUAGES), key=lambda x: UN_LANGUAGES.index(x.code))
    others = [x for x in languages if x.code not in UN_LANGUAGES]
    providers = list(db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(("task_force_entity", "outside_provider")), Organisation.approval == "approved")
        .order_by(Organisation.name)))
    g._page_choices = {
        "themes": themes, "themes_by_pillar": by_pillar, "pillars": PILLARS,
        "modalities": reference_rows("modalities"),
        "un_languages": un, "other_languages": others, "languages": un + others,
        "countries": reference_rows("countries"), "regions": reference_rows("regions"),
        "providers": providers,
    }
    return g._page_choices


def problem_messages(problems: dict[str, list[str]]) -> dict[str, str]:
    """The problems of a list's filters (`ListFilters.parse`), each filter's in one line, to show beside it."""
    return {name: " ".join(messages) for name, messages in problems.items()}


def page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def show_errors(form, err: ValidationFailed) -> None:
    fields = dict(err.fields)
    version_errors = fields.pop("version", None)
    apply_errors(form, fields)
    if version_errors:
        form.form_errors.extend(_("Version: %(problem)s", problem=m) for m in version_errors)
    if not fields and not version_errors:
        form.form_errors.append(err.message)


# --------------------------------------------------------------------------------------------
# A record's form (a request's, an offer's) in the reader's language, and the language of its text.

# The reference tables whose options a form names in the reader's language (reference/names.py), by table.
NAMED_OPTIONS = {"countries": "country", "regions": "region", "languages": "language", "themes": "theme",
                 "modalities": "modality", "providers": "organisation"}


def for_the_reader(spec, form, fresh: bool):
    """A record's form made for its reader: the options of its reference selects named in the reader's
    language (codes unchanged) and, on a fresh form (`fresh`: nothing posted) whose text's language nothing
    tells yet, the page's language proposed for it. Returns the form."""
    if fresh and not form.content_language.data:
        form.content_language.data = page_language()
    for f in spec.fields_of(form):
        kind = NAMED_OPTIONS.get(f.choices_from or f.reference)
        if kind and f.kind in (Kind.CODE, Kind.CODES):
            form[f.name].choices = [(code, f.option.format(name=reference_name(kind, code), code=code) if code else label)
                                    for code, label in form[f.name].choices]
    return form


def proposed_language(raw: dict) -> str | None:
    """The language select left as the page proposed it (`content_language_shown`) is no choice: it leaves
    `raw`, for the operation to detect the text's language with the proposal as its fallback, returned."""
    shown = request.form.get("content_language_shown", "")
    if shown and raw.get("content_language") == shown:
        raw.pop("content_language")
        return shown
    return None


def propose_language(form, fallback: str | None) -> None:
    """After a refusal, the form proposes the language detected in what was typed."""
    if fallback:
        form.content_language.data = text_language(form.title.data, form.description.data) or fallback
