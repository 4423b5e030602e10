"""Check the hard evaluation set (hard_set.json) against the requirements of issue 13, item 6.

Run:  python exchange/matching/evaluation/check_hard_set.py [path/to/hard_set.json]

Plain code of its own: it imports nothing from the engine, so it checks the set, not the engine.
Prints the counts per language and group, the near-duplicate and trap offers found, the
requests whose right offer shares no word with them, and every problem; exits 1 when a
requirement does not hold.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "hard_set.json"
COUNTRIES_CSV = HERE.parent.parent / "reference_data" / "countries.csv"
REFERENCE_DATE = date(2026, 12, 1)  # the day the set was written: offers ending before it are expired

# Copied from /work/shared/API.md, section 2 (Reference codes).
THEMES = {"conflict-prevention", "radicalization", "victims", "rule-of-law", "legal-framework",
          "financing", "wmd", "internet", "border-management", "aviation-security",
          "maritime-security", "vulnerable-targets", "criminal-justice", "human-rights"}
MODALITIES = {"assessment", "legislative-drafting", "training", "workshop", "expert-advice",
              "equipment", "funding"}
# API.md: "Languages: ISO 639-1 (en, fr, es, ru, ar, zh, ...)"; the ISO 639-1 codes beyond the six
# UN languages are those of the app's reference list (exchange/reference_data/languages.csv).
UN_LANGUAGES = ["ar", "zh", "en", "fr", "es", "ru"]
LANGUAGES = set(UN_LANGUAGES) | {"pt", "de", "it", "tr", "fa", "ur", "hi", "bn", "id", "ms", "sw",
                                 "ha", "uz", "kk", "tg", "ky", "tk", "az", "am", "so", "ps"}
GROUPS = {"wrong_themes", "empty_themes", "long", "very_short", "near_duplicate", "no_relevant_offer"}
M49_AREAS = {"001", "002", "015", "202", "011", "014", "017", "018", "019", "419", "005", "013",
             "029", "021", "142", "143", "030", "034", "035", "145", "150", "151", "154", "039",
             "155", "009", "053", "054", "057", "061"}

LONG_WORDS, SHORT_WORDS = 150, 12

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def d(s):
    return date.fromisoformat(s) if s else None


# ------------------------------------------------------------------ text helpers
HAN = re.compile(r"[\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_WORD = re.compile(r"[^\W\d_]+")
STOP = {"en": {"the", "and", "of", "to", "for", "in", "on"},
        "fr": {"le", "la", "les", "des", "et", "du", "aux", "pour", "à"},
        "es": {"el", "los", "las", "la", "del", "y", "para", "en", "con", "que", "por"}}


def word_count(text: str, lang: str) -> int:
    """Words of a text; for Chinese, two Han characters count as one word."""
    if lang == "zh":
        return len(HAN.findall(text)) // 2 + len(re.findall(r"[A-Za-z0-9]+", text))
    return len(re.findall(r"\w+", text))


def words3(text: str) -> set[str]:
    """Case-folded letter runs of three letters or more (a run of Han characters is one run)."""
    return {w.casefold() for w in LATIN_WORD.findall(text) if len(w) >= 3}


def script_language_ok(text: str, lang: str) -> bool:
    han, ar, cy = len(HAN.findall(text)), len(ARABIC.findall(text)), len(CYRILLIC.findall(text))
    letters = max(1, len(re.findall(r"[^\W\d_]", text)))
    if lang == "zh":
        return han / letters > 0.8
    if lang == "ar":
        return ar / letters > 0.8
    if lang == "ru":
        return cy / letters > 0.8
    if han or ar or cy:
        return False
    tokens = [w.casefold() for w in LATIN_WORD.findall(text)]
    counts = {k: sum(t in v for t in tokens) for k, v in STOP.items()}
    return counts[lang] > 0 and counts[lang] == max(counts.values())


# ------------------------------------------------------------------ hard rules (own code)
def why_ineligible(request: dict, offer: dict, areas: set[str]) -> list[str]:
    """The hard rules an offer breaks for a request (empty: eligible)."""
    out = []
    if not offer.get("active", True):
        out.append("paused")
    countries, regions = set(offer["countries"]), set(offer["regions"])
    if (countries or regions) and request["country"] not in countries and not (regions & areas):
        out.append("place")
    start, end = d(request.get("desired_start")), d(request.get("desired_end"))
    o_from, o_until = d(offer.get("available_from")), d(offer.get("available_until"))
    if o_until and (o_until < REFERENCE_DATE or (start and o_until < start)):
        out.append("dates")
    if o_from and end and o_from > end:
        out.append("dates")
    cap = offer.get("capacity")
    if cap is not None and offer.get("load", 0) >= cap:
        out.append("capacity")
    return out


def main(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("about", "countries", "offers", "requests"):
        if key not in data:
            problem(f"missing top-level key {key!r}")
    if not isinstance(data.get("about"), str) or len(data["about"]) < 100:
        problem("'about' must explain how and when the set was written")
    countries, offers, requests = data["countries"], data["offers"], data["requests"]
    by_id = {o["id"]: o for o in offers}
    if len(by_id) != len(offers):
        problem("duplicate offer ids")
    rids = [r["id"] for r in requests]
    if len(set(rids)) != len(rids):
        problem("duplicate request ids")
    if set(rids) & set(by_id):
        problem("request ids and offer ids overlap")

    # countries: names and M49 areas, checked against the app's reference list when present
    ref = {}
    if COUNTRIES_CSV.exists():
        with COUNTRIES_CSV.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                ref[row["iso3"]] = {row["region"], row["sub_region"], row["intermediate_region"], "001"} - {""}
    for iso, c in countries.items():
        if not c.get("name") or not c.get("areas"):
            problem(f"country {iso}: name and areas required")
        if ref and iso in ref and set(c["areas"]) != ref[iso]:
            problem(f"country {iso}: areas {sorted(c['areas'])} differ from reference {sorted(ref[iso])}")
        if ref and iso not in ref:
            problem(f"country {iso}: not in reference_data/countries.csv")

    # ---------------------------------------------------------------- offers
    for o in offers:
        for k in ("id", "provider", "title", "description", "themes", "modalities", "languages",
                  "countries", "regions"):
            if k not in o:
                problem(f"offer {o.get('id')}: missing {k}")
        if not o["themes"] or set(o["themes"]) - THEMES:
            problem(f"offer {o['id']}: themes {o['themes']} not from API.md")
        if not o["modalities"] or set(o["modalities"]) - MODALITIES:
            problem(f"offer {o['id']}: modalities {o['modalities']} not from API.md")
        if not o["languages"] or set(o["languages"]) - LANGUAGES:
            problem(f"offer {o['id']}: languages {o['languages']} not ISO 639-1 codes of the list")
        if set(o["regions"]) - M49_AREAS:
            problem(f"offer {o['id']}: unknown M49 regions {o['regions']}")
        if o.get("language") not in UN_LANGUAGES:
            problem(f"offer {o['id']}: 'language' of its text must be one of the six")
        elif not script_language_ok(o["title"] + " " + o["description"], o["language"]):
            problem(f"offer {o['id']}: text does not look like {o['language']}")
        if o.get("available_from") and o.get("available_until") and o["available_from"] > o["available_until"]:
            problem(f"offer {o['id']}: available_from after available_until")
    offer_langs = Counter(o["language"] for o in offers)

    # traps
    paused = [o["id"] for o in offers if not o.get("active", True)]
    expired = [o["id"] for o in offers if o.get("available_until") and d(o["available_until"]) < REFERENCE_DATE]
    full = [o["id"] for o in offers if o.get("capacity") is not None and o.get("load", 0) >= o["capacity"]]

    # ---------------------------------------------------------------- requests
    groups = Counter()
    req_langs = Counter()
    eligibility_errors = 0
    no_shared = {}
    near_kinds: dict[str, list[str]] = {"place": [], "language": [], "dates": [], "paused": [], "capacity": []}
    graded = 0
    no_right: list = []  # graded requests whose right offer is unavailable (best eligible is useful)
    for r in requests:
        rid = r["id"]
        for k in ("id", "country", "title", "description", "beneficiary", "themes", "modalities",
                  "languages", "relevance", "group", "language"):
            if k not in r:
                problem(f"request {rid}: missing {k}")
        if r["country"] not in countries:
            problem(f"request {rid}: country {r['country']} not in countries")
            continue
        areas = set(countries[r["country"]]["areas"])
        lang = r["language"]
        req_langs[lang] += 1
        text = " ".join([r["title"], r["description"], r.get("beneficiary", "")])
        if lang not in UN_LANGUAGES:
            problem(f"request {rid}: language {lang} is not one of the six")
        elif not script_language_ok(r["title"] + " " + r["description"], lang):
            problem(f"request {rid}: text does not look like {lang}")
        if set(r["themes"]) - THEMES:
            problem(f"request {rid}: themes {r['themes']} not from API.md")
        if not r["modalities"] or set(r["modalities"]) - MODALITIES:
            problem(f"request {rid}: modalities not from API.md")
        if not r["languages"] or set(r["languages"]) - LANGUAGES:
            problem(f"request {rid}: languages {r['languages']} not ISO 639-1 codes of the list")
        if r.get("urgency", "medium") not in {"low", "medium", "high", "critical"}:
            problem(f"request {rid}: urgency")
        if r.get("desired_start") and r.get("desired_end") and r["desired_start"] > r["desired_end"]:
            problem(f"request {rid}: desired_end before desired_start")
        g = set(r["group"])
        if g - GROUPS:
            problem(f"request {rid}: unknown groups {g - GROUPS}")
        groups.update(g)
        # group tags must be true of the text and data
        n_words = word_count(r["description"], lang)
        if ("long" in g) != (n_words >= LONG_WORDS):
            problem(f"request {rid}: {n_words} words but long tag is {'long' in g}")
        if ("very_short" in g) != (n_words <= SHORT_WORDS):
            problem(f"request {rid}: {n_words} words but very_short tag is {'very_short' in g}")
        if ("empty_themes" in g) != (not r["themes"]):
            problem(f"request {rid}: empty_themes tag and themes {r['themes']} disagree")
        if "wrong_themes" in g and not r["themes"]:
            problem(f"request {rid}: wrong_themes but no themes (use empty_themes)")
        if r.get("imprecise_themes", False) != bool(g & {"wrong_themes", "empty_themes"}):
            problem(f"request {rid}: imprecise_themes must mirror wrong_themes/empty_themes")
        rel = {int(k): v for k, v in r["relevance"].items()}
        if ("no_relevant_offer" in g) != (not rel):
            problem(f"request {rid}: no_relevant_offer tag and relevance {rel} disagree")
        if rel and max(rel.values()) < 2:
            problem(f"request {rid}: graded offers but none graded 2 or 3")
        if rel and 3 not in rel.values():
            no_right.append(rid)
        for oid, grade in rel.items():
            graded += 1
            if grade not in (1, 2, 3):
                problem(f"request {rid}: grade {grade} for offer {oid}")
            if oid not in by_id:
                problem(f"request {rid}: unknown offer {oid}")
                continue
            why = why_ineligible(r, by_id[oid], areas)
            if why:
                eligibility_errors += 1
                problem(f"request {rid}: offer {oid} graded {grade} but ineligible ({', '.join(why)})")
        rights = [oid for oid, grade in rel.items() if grade == 3 and oid in by_id]
        # wrong themes: the chosen themes share nothing with the right offers' themes
        if "wrong_themes" in g and rights and any(set(r["themes"]) & set(by_id[o]["themes"]) for o in rights):
            problem(f"request {rid}: tagged wrong_themes but shares a theme with a right offer")
        # right offer in English sharing no word of three letters or more
        for oid in rights:
            o = by_id[oid]
            if o["language"] == "en" and lang != "en" and not words3(text) & words3(o["title"] + " " + o["description"]):
                no_shared.setdefault(lang, []).append(f"{rid}->{oid}")
        # near duplicates: each request tagged near_duplicate names in "decoys" the offers written as
        # near-copies of its right offers; each decoy must be decided out for this request by place,
        # dates, pause or capacity (then it is ungraded), or be eligible but offered in none of the
        # request's languages (then it is graded below 3)
        decoys = r.get("decoys", [])
        if ("near_duplicate" in g) != bool(decoys):
            problem(f"request {rid}: near_duplicate tag and decoys {decoys} disagree")
        for oid in decoys:
            if oid not in by_id:
                problem(f"request {rid}: unknown decoy {oid}")
                continue
            o = by_id[oid]
            why = why_ineligible(r, o, areas)
            if why:
                kinds = set(why)
            elif not set(o["languages"]) & set(r["languages"]):
                kinds = {"language"}
                if rel.get(oid, 0) >= 3:
                    problem(f"request {rid}: decoy {oid} in another language graded 3")
            else:
                problem(f"request {rid}: decoy {oid} is eligible and offered in its language")
                continue
            twins = [t for t, grade in rel.items() if grade >= 2 and t != oid and t in by_id
                     and set(by_id[t]["themes"]) & set(o["themes"])]
            twin = f"~{twins[0]}" if twins else "(no eligible twin)"
            for k in kinds:
                near_kinds[k].append(f"{rid}:{oid}{twin}")

    n_req, n_off = len(requests), len(offers)
    non_en = n_req - req_langs["en"]
    imprecise = sum(1 for r in requests if set(r["group"]) & {"wrong_themes", "empty_themes"})

    def need(cond: bool, msg: str) -> None:
        if not cond:
            problem(msg)

    need(n_req >= 64, f"{n_req} requests (need >= 64)")
    need(n_off >= 74, f"{n_off} offers (need >= 74)")
    need(non_en * 2 >= n_req, f"{non_en} of {n_req} requests not in English (need half)")
    for lang in UN_LANGUAGES:
        need(req_langs[lang] >= (1 if lang == "en" else 6), f"requests in {lang}: {req_langs[lang]}")
        need(offer_langs[lang] >= 1, f"no offer in {lang}")
    need(offer_langs["en"] * 2 > n_off, "most offers must be in English")
    need(n_off - offer_langs["en"] >= 15, f"{n_off - offer_langs['en']} offers not in English (need 15)")
    need(imprecise * 4 >= n_req, f"{imprecise} requests with wrong or empty themes (need a quarter)")
    need(groups["long"] >= 3, f"{groups['long']} long requests (need several)")
    need(groups["very_short"] >= 3, f"{groups['very_short']} very short requests (need several)")
    need(groups["no_relevant_offer"] >= 6, f"{groups['no_relevant_offer']} requests with no relevant offer")
    need(paused and expired and full, "traps: need paused, expired and full offers")
    for k in ("place", "language", "dates"):
        need(bool(near_kinds[k]), f"no near-duplicate decided by {k}")
    for lang in ("fr", "ar", "zh"):
        need(bool(no_shared.get(lang)), f"no {lang} request whose right English offer shares no word")

    print(f"hard set: {path}")
    print(f"requests {n_req}, offers {n_off}, graded pairs {graded}")
    print("requests by language: " + ", ".join(f"{k} {req_langs[k]}" for k in UN_LANGUAGES)
          + f"; not English {non_en} ({100 * non_en / n_req:.0f} %)")
    print("offers by language:   " + ", ".join(f"{k} {offer_langs[k]}" for k in UN_LANGUAGES)
          + f"; not English {n_off - offer_langs['en']}")
    print("requests by group:    " + ", ".join(f"{k} {groups[k]}" for k in sorted(GROUPS))
          + f"; wrong or empty themes {imprecise} ({100 * imprecise / n_req:.0f} %)")
    by_lang_group = Counter((r["language"], t) for r in requests for t in r["group"])
    for lang in UN_LANGUAGES:
        print(f"  {lang}: " + ", ".join(f"{t} {by_lang_group[(lang, t)]}" for t in sorted(GROUPS)))
    print(f"traps: paused {paused}, expired {expired}, no capacity left {full}")
    for k, v in near_kinds.items():
        print(f"near-duplicates decided by {k}: {len(v)} (request:offer) {' '.join(v)}")
    print("right English offer sharing no word of >= 3 letters: "
          + "; ".join(f"{k} {' '.join(v)}" for k, v in sorted(no_shared.items())))
    print(f"requests whose best eligible offer is only useful (grade 2): {no_right}")
    print(f"graded offers ineligible under the hard rules: {eligibility_errors}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("\nall requirements hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
