"""Consistency tests for exchange/reference_data (plain Python, no Flask)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

try:
    import exchange.reference.data as ref
except ImportError:  # pragma: no cover - run from another working directory
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import exchange.reference.data as ref


ENTITY_CODES = {
    "CTED", "DPKO", "DPA", "DPI", "DSS", "1540-EXPERTS", "IAEA", "ICAO", "IMO",
    "IMF", "INTERPOL", "1267-MT", "UNODA", "OHCHR", "OLA", "OPCW", "SR-HRCT",
    "UNDP", "UNESCO", "UNICRI", "UNODC", "WCO", "WB", "WHO",
}

THEME_PILLARS = {
    "conflict-prevention": "I", "radicalization": "I", "victims": "I",
    "rule-of-law": "I", "legal-framework": "II", "financing": "II", "wmd": "II",
    "internet": "II", "border-management": "II", "aviation-security": "II",
    "maritime-security": "II", "vulnerable-targets": "III",
    "criminal-justice": "III", "human-rights": "IV",
}

# Number of Member States per M49 sub-region / intermediate region.
EXPECTED_COUNTS = {
    "015": 6, "014": 18, "017": 9, "018": 5, "011": 16, "021": 2, "029": 13,
    "013": 8, "005": 12, "143": 5, "030": 5, "035": 11, "034": 9, "145": 17,
    "151": 10, "154": 10, "039": 14, "155": 9, "053": 2, "054": 4, "057": 5,
    "061": 3,
}


@pytest.fixture(scope="module")
def regions():
    return {r["code"]: r for r in ref.load_regions()}


@pytest.fixture(scope="module")
def countries():
    return ref.load_countries()


@pytest.fixture(scope="module")
def by_iso3(countries):
    return {c["iso3"]: c for c in countries}


@pytest.fixture(scope="module")
def organisations():
    return {o["code"]: o for o in ref.load_organisations()}


@pytest.fixture(scope="module")
def working_groups():
    return ref.load_working_groups()


# --- regions ---------------------------------------------------------------

def test_regions_codes_and_parents(regions):
    assert len(regions) == 30
    for code, row in regions.items():
        assert len(code) == 3 and code.isdigit(), code
        assert row["name"]
        if code == "001":
            assert row["parent"] == ""
        else:
            assert row["parent"] in regions, row
    top = {c for c, r in regions.items() if r["parent"] == "001"}
    assert top == {"002", "019", "142", "150", "009"}
    assert regions["202"]["parent"] == "002"
    assert regions["011"]["parent"] == "202"
    assert regions["021"]["parent"] == "019"
    assert regions["013"]["parent"] == "419"
    assert regions["143"]["name"] == "Central Asia"


# --- countries -------------------------------------------------------------

def test_193_member_states_with_unique_codes(countries):
    assert len(countries) == 193
    for key in ("iso3", "iso2", "m49", "name"):
        values = [c[key] for c in countries]
        assert len(set(values)) == 193, key
    for c in countries:
        assert len(c["iso3"]) == 3 and c["iso3"].isupper()
        assert len(c["iso2"]) == 2 and c["iso2"].isupper()
        assert len(c["m49"]) == 3 and c["m49"].isdigit()


def test_no_observers_or_territories(by_iso3):
    for code in ("VAT", "PSE", "TWN", "XKX", "HKG", "MAC", "PRI", "GRL", "ESH", "COK", "NIU"):
        assert code not in by_iso3


def test_country_regions_exist_and_nest(regions, countries):
    for c in countries:
        assert c["region"] in regions and c["sub_region"] in regions, c
        assert regions[c["sub_region"]]["parent"] == c["region"], c
        if c["intermediate_region"]:
            assert c["intermediate_region"] in regions, c
            assert regions[c["intermediate_region"]]["parent"] == c["sub_region"], c
        else:
            # Only Sub-Saharan Africa and Latin America have intermediate regions here.
            assert c["sub_region"] not in {"202", "419"}, c


def test_counts_per_area(countries):
    counts = Counter()
    for c in countries:
        counts[c["intermediate_region"] or c["sub_region"]] += 1
    assert dict(counts) == EXPECTED_COUNTS
    by_region = Counter(c["region"] for c in countries)
    assert by_region == {"002": 54, "019": 35, "142": 47, "150": 43, "009": 14}


@pytest.mark.parametrize(
    "iso3, areas",
    [
        ("TJK", ["143", "142", "001"]),
        ("KAZ", ["143", "142", "001"]),
        ("NGA", ["011", "202", "002", "001"]),
        ("MEX", ["013", "419", "019", "001"]),
        ("USA", ["021", "019", "001"]),
        ("FRA", ["155", "150", "001"]),
        ("AUS", ["053", "009", "001"]),
        ("CYP", ["145", "142", "001"]),
        ("TUR", ["145", "142", "001"]),
        ("GEO", ["145", "142", "001"]),
        ("SDN", ["015", "002", "001"]),
        ("EGY", ["015", "002", "001"]),
        ("MRT", ["011", "202", "002", "001"]),
        ("DJI", ["014", "202", "002", "001"]),
        ("GUY", ["005", "419", "019", "001"]),
        ("SUR", ["005", "419", "019", "001"]),
        ("AFG", ["034", "142", "001"]),
        ("IRN", ["034", "142", "001"]),
        ("RUS", ["151", "150", "001"]),
        ("ISR", ["145", "142", "001"]),
    ],
)
def test_sample_country_areas(by_iso3, iso3, areas):
    assert ref.country_areas(by_iso3[iso3]) == areas


def test_pycountry_cross_check(countries):
    pycountry = pytest.importorskip("pycountry")
    for c in countries:
        pc = pycountry.countries.get(alpha_3=c["iso3"])
        assert pc is not None, c["iso3"]
        assert pc.alpha_2 == c["iso2"], c
        assert pc.numeric == c["m49"], c


# --- organisations ---------------------------------------------------------

def test_organisations(organisations, countries):
    entities = {c for c, o in organisations.items() if o["kind"] == "task_force_entity"}
    assert entities == ENTITY_CODES
    assert organisations["CTITF"]["kind"] == "task_force_office"
    assert organisations["CTITF"]["name"] == "Counter-Terrorism Implementation Task Force Office"
    assert len(organisations) == 25
    assert all(o["name"] for o in organisations.values())
    member_states = ref.load_member_state_organisations()
    assert len(member_states) == 193
    assert not {m["code"] for m in member_states} & set(organisations)


# --- themes and working groups --------------------------------------------

def test_themes_and_pillars():
    themes = ref.load_themes()
    assert {t["code"]: t["pillar"] for t in themes} == THEME_PILLARS
    assert len(themes) == 14
    for t in themes:
        assert t["name"] and t["description"] and t["working_group"], t


def test_working_groups(working_groups, organisations):
    codes = [g["code"] for g in working_groups]
    names = [g["name"] for g in working_groups]
    assert len(set(codes)) == len(codes) == 10
    assert len(set(names)) == len(names)
    for g in working_groups:
        assert g["source"], g
        assert not set(g["lead_entities"]) & set(g["member_entities"]), g
        for code in g["lead_entities"] + g["member_entities"]:
            assert code in organisations and code in ENTITY_CODES, (g["code"], code)
    by_code = {g["code"]: g for g in working_groups}
    assert by_code["integrated-implementation"]["lead_entities"] == ["UNODC", "CTED"]
    assert by_code["financing"]["lead_entities"][:3] == ["IMF", "UNODC", "WB"]
    assert "border-management" in by_code


def test_each_theme_maps_to_a_working_group(working_groups):
    by_name = {g["name"]: g for g in working_groups}
    themes = {t["code"]: t for t in ref.load_themes()}
    for t in themes.values():
        assert t["working_group"] in by_name, t
    border = by_name[themes["border-management"]["working_group"]]
    assert border["code"] == "border-management"
    for code in ("aviation-security", "maritime-security"):
        assert themes[code]["working_group"] == border["name"]


# --- modalities and languages ---------------------------------------------

def test_modalities():
    modalities = ref.load_modalities()
    assert [m["code"] for m in modalities] == [
        "assessment", "legislative-drafting", "training", "workshop",
        "expert-advice", "equipment", "funding",
    ]
    assert all(m["name"] and m["description"] for m in modalities)


def test_languages():
    languages = ref.load_languages()
    codes = [lang["code"] for lang in languages]
    assert codes[:6] == ["en", "fr", "es", "ru", "ar", "zh"]
    assert len(set(codes)) == len(codes) >= 20
    assert all(len(c) == 2 and c.islower() for c in codes)
    assert all(lang["name"] and lang["native_name"] for lang in languages)


def test_loaders_return_fresh_dicts():
    first = ref.load_countries()
    first[0]["name"] = "changed"
    assert ref.load_countries()[0]["name"] != "changed"
