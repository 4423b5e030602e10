"""The six official languages of the United Nations: which one a page or an API answer speaks, its writing
direction, the language switch, and dates, numbers and money written per locale (Babel, through Flask-Babel).

A page speaks, in this order: `?lang=` (remembered in a cookie, and on the account once signed in), the
account's choice, the cookie, the browser's `Accept-Language`, English. The API speaks by `Accept-Language`
only (its codes never change). Outside a request (a command, an e-mail), `speaking(code)` chooses.

What people write keeps its own language: `detect_language` guesses it (py3langid), the person confirms it,
and the record stores it (`language` on requests, offers and messages) for pages to mark with `lang`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g, has_request_context, request
from flask_babel import force_locale, get_locale, gettext, lazy_gettext
from markupsafe import Markup

# The official languages in the UN's order, each with its own name for itself (what the switch shows).
LANGUAGES: dict[str, str] = {"ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский",
                             "es": "Español"}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
# Languages content may be written in that run right to left (the interface's own, and others people write).
CONTENT_RIGHT_TO_LEFT = RIGHT_TO_LEFT | {"fa", "he", "ur"}
COOKIE = "exchange_language"
COOKIE_MAX_AGE = 365 * 24 * 3600
API_PREFIX = "/api/"

EMPTY = "—"  # what a page shows for a date or number that is not there (no words to translate)


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in LANGUAGES


def _browser_language() -> str | None:
    return request.accept_languages.best_match(list(LANGUAGES))


def _account_language() -> str | None:
    """The signed-in person's choice. Loading the person may itself write a translated text (a lapsed
    session's notice), which asks for the language again: that inner question is answered without them."""
    from flask_login import current_user
    if g.get("_loading_account_language"):
        return None
    g._loading_account_language = True
    try:
        authenticated = bool(getattr(current_user, "is_authenticated", False))
    finally:
        g._loading_account_language = False
    chosen = getattr(current_user, "language", None) if authenticated else None
    return chosen if is_language(chosen) else None


def choose_language() -> str:
    """Flask-Babel's locale selector: the language of this request's answer."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.path.startswith(API_PREFIX):
        return _browser_language() or DEFAULT_LANGUAGE
    asked = request.args.get("lang")
    if is_language(asked):
        return asked
    return _account_language() or _cookie_language() or _browser_language() or DEFAULT_LANGUAGE


def _cookie_language() -> str | None:
    chosen = request.cookies.get(COOKIE)
    return chosen if is_language(chosen) else None


def page_language() -> str:
    """The current language's code (`ar`, `zh`, `en`, `fr`, `ru`, `es`)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def direction(code: str | None = None) -> str:
    """`rtl` or `ltr`: the writing direction of a language (the current one by default)."""
    return "rtl" if (code or page_language()) in RIGHT_TO_LEFT else "ltr"


@contextmanager
def speaking(code: str | None) -> Iterator[None]:
    """Render in this language (a recipient's, for an e-mail or a notification): English when unknown."""
    with force_locale(code if is_language(code) else DEFAULT_LANGUAGE):
        yield


def remember_language(response):
    """After a page: a language chosen with `?lang=` is kept in a cookie and on the signed-in account (the
    account's write runs after the request, in a transaction of its own: a read never writes in its own);
    a signed-in account's choice is copied to the cookie, so the sign-in page speaks it next time."""
    if request.path.startswith(API_PREFIX) or request.endpoint == "static":
        return response
    asked = request.args.get("lang")
    account = _account_language()
    keep = asked if is_language(asked) else account
    if keep and request.cookies.get(COOKIE) != keep:
        response.set_cookie(COOKIE, keep, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    if is_language(asked) and asked != account and _account_keeper is not None:
        from flask_login import current_user
        if getattr(current_user, "is_authenticated", False):
            _account_keeper(current_user.id, asked)
    return response


# What writes a signed-in person's choice on their account: the people area registers it (core imports no
# area). It must write after the request, in a transaction of its own (core/side_writes.defer_write).
_account_keeper: Callable[[int, str], None] | None = None


def keeps_account_language(keeper: Callable[[int, str], None]) -> Callable[[int, str], None]:
    """Register `keeper(user_id, code)`, which stores a language chosen with ?lang= on the account."""
    global _account_keeper
    _account_keeper = keeper
    return keeper


def switch_links() -> list[dict]:
    """The language switch: each language's own name and the current page's address in it (the query
    kept, `lang` replaced)."""
    current = page_language()
    args = request.args.to_dict(flat=False) if has_request_context() else {}
    args.pop("lang", None)
    links = []
    for code, name in LANGUAGES.items():
        query = [(key, value) for key, values in args.items() for value in values] + [("lang", code)]
        links.append({"code": code, "name": name, "current": code == current,
                      "url": f"{request.path}?{urlencode(query)}" if has_request_context() else f"?lang={code}"})
    return links


# --------------------------------------------------------------------------------------------
# Dates, numbers and money, written as the current locale writes them (CLDR through Babel).

def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def format_day(value: date | None) -> str:
    """A date as the locale writes it: `Dec 1, 2026`, `1 déc. 2026`, `2026年12月1日`."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, "medium", locale=_locale())


def format_moment(value: datetime | None) -> str:
    """A moment (stored in UTC): the date and the time of day, then the words for UTC."""
    if value is None:
        return EMPTY
    locale = _locale()
    pattern = locale.datetime_formats["medium"]
    written = str(pattern).format(babel_dates.format_time(value, "short", locale=locale),
                                  babel_dates.format_date(value.date(), "medium", locale=locale))
    return gettext("%(moment)s UTC", moment=written)


def format_number(value: float | Decimal | None, digits: int | None = None) -> str:
    """A number with the locale's digit grouping and decimal sign (`digits` decimals if given)."""
    if value is None:
        return EMPTY
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=_locale())
    return babel_numbers.format_decimal(value, locale=_locale())


def format_money(value: float | Decimal | None, currency: str = "USD") -> str:
    """An amount of money in a currency (whole units: budgets are whole dollars)."""
    if value is None:
        return EMPTY
    locale = _locale()
    whole = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return babel_numbers.format_currency(value, currency, format=whole, locale=locale, currency_digits=False)


def format_percent(value: float | None) -> str:
    if value is None:
        return EMPTY
    return babel_numbers.format_percent(value, locale=_locale())


# --------------------------------------------------------------------------------------------
# The language of what people write.

CONTENT_DETECTION_MIN_PROBABILITY = 0.80
CONTENT_DETECTION_MIN_LETTERS = 12


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str | None, among: tuple[str, ...] | None = None) -> str | None:
    """The ISO 639-1 code of the language a text is written in, or None when the text is too short or the
    guess unsure (the person then chooses). `among` limits the guess to these codes."""
    if not text or sum(ch.isalpha() for ch in text) < CONTENT_DETECTION_MIN_LETTERS:
        return None
    identifier = _identifier()
    ranked = identifier.rank(text)
    if among:
        allowed = set(among)
        ranked = [(code, p) for code, p in ranked if code in allowed]
        total = sum(p for _, p in ranked) or 1.0
        ranked = [(code, p / total) for code, p in ranked]
    if not ranked:
        return None
    code, probability = ranked[0]
    return code if probability >= CONTENT_DETECTION_MIN_PROBABILITY else None


def lang_attributes(code: str | None) -> Markup:
    """`lang="…"` (and `dir="rtl"` for a right-to-left language) for an element holding content written in
    `code`; nothing when the language is not known."""
    if not code:
        return Markup("")
    attrs = f' lang="{Markup.escape(code)}"'
    if code in CONTENT_RIGHT_TO_LEFT:
        attrs += ' dir="rtl"'
    elif page_language() in RIGHT_TO_LEFT:
        attrs += ' dir="ltr"'
    return Markup(attrs)


# --------------------------------------------------------------------------------------------
# Catalogues: each area keeps its own (exchange/<area>/translations), the shell's are exchange/translations.

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def translation_directories() -> list[str]:
    """Every catalogue directory of the package, the shell's first (later ones win on the same words)."""
    shell = PACKAGE_ROOT / "translations"
    areas = sorted(p for p in PACKAGE_ROOT.glob("*/translations") if p.is_dir())
    return [str(shell)] + [str(p) for p in areas]


def register(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector, the template filters and globals, and the cookie."""
    from exchange.core.extensions import babel
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=choose_language)
    # {% trans %} blocks are looked up with their spaces folded, as the catalogues extract them (trimmed).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.after_request(remember_language)
    app.add_template_filter(format_day, "date")
    app.add_template_filter(format_moment, "datetime")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_percent, "percent")
    app.jinja_env.globals.update(page_language=page_language, page_direction=direction,
                                 language_switch=switch_links, lang_attributes=lang_attributes,
                                 LANGUAGES=LANGUAGES)


__all__ = ["COOKIE", "DEFAULT_LANGUAGE", "LANGUAGES", "RIGHT_TO_LEFT", "choose_language", "detect_language",
           "direction", "format_day", "format_moment", "format_money", "format_number", "format_percent",
           "is_language", "keeps_account_language", "lang_attributes", "lazy_gettext", "page_language", "register",
           "speaking", "switch_links", "translation_directories"]
