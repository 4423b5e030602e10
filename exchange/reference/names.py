"""The name of a reference code in the reader's language: one function for pages, exports and the API.

Countries, M49 areas and languages are named by CLDR (Babel's `Locale.territories` and `Locale.languages`);
in English they keep the UN's own names of reference/data (e.g. "Bolivia (Plurinational State of)").
Themes, modalities, working groups, Task Force entities and the pillars of the Strategy are words of the
reference catalogue (the extractor reference/extract.py reads them from reference/data/*.csv). Codes never
change with the language; an unknown code is named by itself."""
from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import gettext

from exchange.core.i18n import LANGUAGES, page_language
from exchange.reference import data

KINDS = ("country", "region", "language", "theme", "modality", "working_group", "organisation", "pillar",
         "pillar_title")


@cache
def _tables() -> dict[str, dict[str, dict[str, str]]]:
    """The rows of each kind by code (read once: the files never change while the process runs)."""
    return {
        "country": {row["iso3"]: row for row in data.load_countries()},
        "region": {row["code"]: row for row in data.load_regions()},
        "language": {row["code"]: row for row in data.load_languages()},
        "theme": {row["code"]: row for row in data.load_themes()},
        "modality": {row["code"]: row for row in data.load_modalities()},
        "working_group": {row["code"]: row for row in data.load_working_groups()},
        "organisation": {row["code"]: row for row in data.load_organisations()},
    }


@cache
def _cldr(language: str) -> Locale:
    return Locale.parse(language)


def name(kind: str, code: str | None, default: str | None = None) -> str:
    """The name of `code` of this kind in the current language: `name("country", "KAZ")` is "Казахстан" in
    Russian, `name("theme", "financing")` "Financement du terrorisme" in French. A Member State's
    organisation (its code is the ISO3 code) is named as its country. Unknown: `default`, else the code."""
    if not code:
        return default or ""
    if kind in ("pillar", "pillar_title"):  # short, or as the Strategy writes it
        from exchange.reference.models import PILLAR_TITLES, PILLARS
        table = PILLARS if kind == "pillar" else PILLAR_TITLES
        return str(table[code]) if code in table else default or code
    tables = _tables()
    if kind == "organisation" and code not in tables["organisation"] and code in tables["country"]:
        kind = "country"
    row = tables[kind].get(code)
    if row is None:
        return default or code
    language = page_language()
    if kind in ("country", "region", "language"):
        if language == "en":
            return row["name"]
        cldr = _cldr(language)
        found = (cldr.languages.get(code) if kind == "language"
                 else cldr.territories.get(row["iso2"] if kind == "country" else code))
        return found or row["name"]
    return _catalogue(row["name"])


def _catalogue(words: str) -> str:
    """Words of reference/data in the current language (extracted by reference/extract.py, not from here)."""
    return gettext(words)


def organisation_name(organisation) -> str:
    """An organisation's name in the current language: a Task Force entity's and a Member State's as the UN
    writes it; any other organisation's as entered."""
    return name("organisation", organisation.code, organisation.name) if organisation is not None else ""


def description(kind: str, code: str) -> str:
    """The description of a theme or a modality in the current language ("" when it has none)."""
    row = _tables().get(kind, {}).get(code)
    return _catalogue(row["description"]) if row and row.get("description") else ""


def names(kind: str, codes) -> list[str]:
    """The names of several codes, in the order given."""
    return [name(kind, code) for code in codes]


def find_countries(text: str) -> list[str]:
    """The ISO3 codes of the Member States whose name, in any of the six languages, contains `text`
    (case-insensitive): "Kazakhstan", "Казахстан" and "哈萨克斯坦" all find KAZ."""
    wanted = (text or "").strip().casefold()
    if not wanted:
        return []
    return [iso3 for iso3, spellings in _country_spellings().items() if any(wanted in s for s in spellings)]


@cache
def _country_spellings() -> dict[str, tuple[str, ...]]:
    out = {}
    for iso3, row in _tables()["country"].items():
        spellings = {row["name"], iso3, row["iso2"]}
        for language in LANGUAGES:
            spellings.add(_cldr(language).territories.get(row["iso2"], ""))
        out[iso3] = tuple(s.casefold() for s in spellings if s)
    return out
