"""The suggestion reasons in the reader's language: the engine gives each reason as a key and its values
(`engine.Reason`); this is the one place that words them, with the names of themes, modalities, languages,
countries and M49 areas in the current language (reference.names). Pages and the API call `say`."""
from __future__ import annotations

from collections.abc import Iterable

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from exchange.core.i18n import page_language
from exchange.matching.engine import Reason
from exchange.reference.names import name

MESSAGES = {
    "both_on": _l("Both on %(themes)s"),
    "text_on": _l("The request's text is on %(themes)s"),
    "delivers_in_country": _l("Delivers in %(place)s"),
    "delivers_in_area": _l("Delivers in %(place)s"),
    "delivers_worldwide": _l("Delivers worldwide"),
    "delivers_anywhere": _l("Delivers anywhere"),
    "offers": _l("Offers %(modalities)s"),
    "offers_in": _l("Offers %(modalities)s in %(languages)s"),
    "works_in": _l("Works in %(languages)s"),
    "texts_match_themes_differ": _l("The texts match, though the themes chosen differ"),
    "texts_match_no_theme": _l("The texts match (the request names no theme)"),
    "closest_passage": _l("Closest in the offer: “%(quote)s”"),
    "similar_wording": _l("Similar wording: %(terms)s"),
    "dates_covered": _l("Available for the requested dates"),
    "dates_partly_covered": _l("Available for part of the requested period"),
}
AVAILABLE_NOW = {
    "high": _l("Available now for a high request"),
    "critical": _l("Available now for a critical request"),
}
# Themes and modalities as a sentence names them (lower case where the language writes so).
THEME_PHRASES = {
    "conflict-prevention": _l("conflict prevention"),
    "radicalization": _l("preventing radicalization"),
    "victims": _l("support to victims"),
    "rule-of-law": _l("the rule of law"),
    "legal-framework": _l("the legal framework"),
    "financing": _l("terrorist financing"),
    "wmd": _l("weapons of mass destruction"),
    "internet": _l("terrorist use of the Internet"),
    "border-management": _l("border management"),
    "aviation-security": _l("aviation security"),
    "maritime-security": _l("maritime security"),
    "vulnerable-targets": _l("protecting vulnerable targets"),
    "criminal-justice": _l("criminal justice"),
    "human-rights": _l("human rights"),
}
MODALITY_PHRASES = {
    "assessment": _l("assessment"),
    "legislative-drafting": _l("legislative drafting"),
    "training": _l("training"),
    "workshop": _l("workshops"),
    "expert-advice": _l("expert advice"),
    "equipment": _l("equipment"),
    "funding": _l("funding"),
}


def _list(words: Iterable[str]) -> str:
    words = [str(w) for w in words]
    return format_list(words, locale=page_language()) if words else ""


def _languages(codes: Iterable[str]) -> str:
    return _list(name("language", code) for code in codes)


def say(reason: Reason, written_in: str | None = None) -> str:
    """One reason, worded in the current language. With `written_in` (the language of the texts it quotes), a
    page's version: Markup in which what it quotes of the texts is marked with that language."""
    key = reason.key
    if key == "available_now":
        message = AVAILABLE_NOW.get(reason.urgency)
        return str(message) if message else _("Available now")
    if key == "offers":
        modalities = _list(MODALITY_PHRASES.get(m) or name("modality", m) for m in reason.modalities)
        if reason.languages:
            return str(MESSAGES["offers_in"]) % {"modalities": modalities,
                                                 "languages": _languages(reason.languages)}
        return str(MESSAGES["offers"]) % {"modalities": modalities}
    message = MESSAGES.get(key)
    if message is None:
        return str(reason)
    values = {
        "themes": _list(THEME_PHRASES.get(t) or name("theme", t) for t in reason.themes),
        "place": name("country" if key == "delivers_in_country" else "region", reason.place),
        "languages": _languages(reason.languages),
        "quote": reason.quote,
        "terms": _list(reason.terms),
    }
    if "%(" not in str(message):
        return str(message)
    if written_in:
        for quoted in ("quote", "terms"):
            values[quoted] = Markup('<span lang="{}">{}</span>').format(written_in, values[quoted])
        return Markup(escape(str(message))) % values
    return str(message) % values


def say_all(reasons: Iterable[Reason], written_in: str | None = None) -> list[str]:
    """Every reason of a suggestion, worded in the current language, in the engine's order (for a page, with
    what they quote marked as written in `written_in`)."""
    return [say(reason, written_in) for reason in reasons]


def codes(reasons: Iterable[Reason]) -> list[dict]:
    """The reasons as data (the API's `reason_codes`): each key with the values it has."""
    out = []
    for reason in reasons:
        item: dict = {"key": reason.key}
        for field in ("themes", "modalities", "languages", "terms"):
            if getattr(reason, field):
                item[field] = list(getattr(reason, field))
        for field in ("place", "quote", "urgency"):
            if getattr(reason, field):
                item[field] = getattr(reason, field)
        out.append(item)
    return out
