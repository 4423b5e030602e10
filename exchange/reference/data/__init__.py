"""Reference data of the Exchange: regions, countries, organisations, themes,
working groups, modalities and languages.

The data lives in CSV files (UTF-8, with a header row) next to this module;
``SOURCES.md`` says where each one comes from. Every ``load_*`` function reads
one file and returns a list of dicts (one per row, keys = header columns,
values = strings; empty cells are ``""``), in file order. Space-separated
entity lists in ``working_groups.csv`` are split into lists of codes.

Codes follow ``/work/shared/API.md`` section 2:

- regions: UN M49 numeric codes as 3-digit strings (``"001"`` World, ``"143"``
  Central Asia, ...), with ``parent`` the containing area ("" for World);
- countries: the 193 UN Member States keyed by ISO 3166-1 alpha-3, with their
  M49 region, sub-region and intermediate region ("" where M49 has none);
- organisations: the 24 Task Force entities and the Task Force office
  (``CTITF``). Member State organisations are not stored: their code is the
  country's ISO3 code, see :func:`load_member_state_organisations`.

Only the standard library is used.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

WORLD = "001"

__all__ = [
    "DATA_DIR",
    "WORLD",
    "country_areas",
    "load_countries",
    "load_languages",
    "load_member_state_organisations",
    "load_modalities",
    "load_organisations",
    "load_regions",
    "load_themes",
    "load_working_groups",
]


@cache
def _read(filename: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    with open(DATA_DIR / filename, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return tuple(
            tuple((key, (value or "").strip()) for key, value in row.items())
            for row in reader
        )


def _rows(filename: str) -> list[dict[str, str]]:
    # Fresh dicts on every call so callers can mutate them safely.
    return [dict(row) for row in _read(filename)]


def load_regions() -> list[dict[str, str]]:
    """UN M49 areas: ``code``, ``name``, ``parent``."""
    return _rows("regions.csv")


def load_countries() -> list[dict[str, str]]:
    """UN Member States: ``iso3``, ``iso2``, ``m49``, ``name``, ``region``,
    ``sub_region``, ``intermediate_region``."""
    return _rows("countries.csv")


def load_organisations() -> list[dict[str, str]]:
    """Task Force entities and office: ``code``, ``name``, ``kind``
    (``task_force_entity`` or ``task_force_office``)."""
    return _rows("organisations.csv")


def load_member_state_organisations() -> list[dict[str, str]]:
    """One organisation per Member State, derived from the countries:
    ``code`` (= ISO3), ``name``, ``kind`` (``member_state``)."""
    return [
        {"code": c["iso3"], "name": c["name"], "kind": "member_state"}
        for c in load_countries()
    ]


def load_themes() -> list[dict[str, str]]:
    """Themes: ``code``, ``name``, ``pillar`` (I-IV), ``working_group`` (the
    name of a row of ``working_groups.csv``), ``description``."""
    return _rows("themes.csv")


def load_working_groups() -> list[dict]:
    """Task Force working groups: ``code``, ``name``, ``lead_entities`` and
    ``member_entities`` (lists of organisation codes), ``source``."""
    groups: list[dict] = []
    for row in _rows("working_groups.csv"):
        row = dict(row)
        row["lead_entities"] = row["lead_entities"].split()
        row["member_entities"] = row["member_entities"].split()
        groups.append(row)
    return groups


def load_modalities() -> list[dict[str, str]]:
    """Assistance modalities: ``code``, ``name``, ``description``."""
    return _rows("modalities.csv")


def load_languages() -> list[dict[str, str]]:
    """ISO 639-1 languages: ``code``, ``name``, ``native_name``. The six UN
    official languages come first."""
    return _rows("languages.csv")


def country_areas(country_row: dict) -> list[str]:
    """M49 areas containing a country, innermost first:
    ``[intermediate_region (if any), sub_region, region, "001"]``."""
    areas = [
        country_row.get("intermediate_region") or "",
        country_row.get("sub_region") or "",
        country_row.get("region") or "",
        WORLD,
    ]
    return [code for code in areas if code]
