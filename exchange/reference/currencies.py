"""Currencies (ISO 4217) from CLDR through Babel: the codes in legal tender somewhere today, and their names in
the reader's language, for the money entered on matches. No exchange rates: each entry records its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

from exchange.core.i18n import page_language


@cache
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 code that some territory uses as legal tender today (CLDR), US dollars included."""
    today = date.today()
    codes: set[str] = {"USD"}
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


@dataclass(frozen=True)
class Currency:
    code: str
    name: str


def currency_rows() -> list[Currency]:
    """The currencies as choices for a form, named in the reader's language, by code (US dollars first)."""
    language = page_language()
    rows = [Currency(code, f"{code} — {get_currency_name(code, locale=language)}") for code in sorted(currency_codes())]
    return sorted(rows, key=lambda row: row.code != "USD")
