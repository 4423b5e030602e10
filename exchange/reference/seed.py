"""Load or refresh the reference data: regions, countries, organisations, working groups, themes,
modalities, languages. Idempotent: rows are upserted by their codes, never duplicated."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.people.models import Organisation
from exchange.reference import data
from exchange.reference.models import Country, Language, Modality, Region, Theme, WorkingGroup


def _upsert(model, key: str, rows: list[dict]) -> dict:
    existing = {getattr(obj, key): obj for obj in db.session.scalars(select(model))}
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(**row)
            db.session.add(obj)
            existing[row[key]] = obj
        else:
            for field, value in row.items():
                setattr(obj, field, value)
    db.session.flush()
    return existing


def load_reference() -> dict[str, int]:
    """Upsert every reference table; returns the row counts."""
    regions = data.load_regions()
    # Parents first, so that foreign keys hold on every engine.
    _upsert(Region, "code", [{"code": r["code"], "name": r["name"], "parent_code": None} for r in regions])
    _upsert(Region, "code", [{"code": r["code"], "name": r["name"], "parent_code": r["parent"] or None}
                             for r in regions])
    countries = data.load_countries()
    _upsert(Country, "iso3", [{
        "iso3": c["iso3"], "iso2": c["iso2"], "m49": c["m49"], "name": c["name"], "region_code": c["region"],
        "sub_region_code": c["sub_region"], "intermediate_region_code": c["intermediate_region"] or None,
    } for c in countries])
    orgs = _upsert(Organisation, "code", [
        {"code": o["code"], "name": o["name"], "kind": o["kind"], "approval": "approved"}
        for o in data.load_organisations()])
    orgs = _upsert(Organisation, "code", [
        {"code": c["iso3"], "name": c["name"], "kind": "member_state", "country_iso3": c["iso3"],
         "approval": "approved"} for c in countries])
    groups = data.load_working_groups()
    # A group an admin edited in the app (reference/operations.py) keeps its name, leads and members; a theme
    # an admin moved keeps its group.
    edited = {code for code, at in db.session.execute(select(WorkingGroup.code, WorkingGroup.edited_at)) if at}
    by_code = _upsert(WorkingGroup, "code", [{"code": g["code"], "name": g["name"], "source": g["source"]}
                                             for g in groups if g["code"] not in edited])
    for g in groups:
        if g["code"] in edited:
            continue
        group = by_code[g["code"]]
        group.leads = [orgs[code] for code in g["lead_entities"]]
        group.members = [orgs[code] for code in g["member_entities"]]
    group_by_name = {g["name"]: g["code"] for g in groups}
    moved = {code for code, at in db.session.execute(select(Theme.code, Theme.working_group_edited_at)) if at}
    _upsert(Theme, "code", [{
        "code": t["code"], "name": t["name"], "pillar": t["pillar"], "description": t["description"],
        **({} if t["code"] in moved else {"working_group_code": group_by_name.get(t["working_group"])}),
    } for t in data.load_themes()])
    _upsert(Modality, "code", data.load_modalities())
    _upsert(Language, "code", data.load_languages())
    db.session.flush()
    return {"regions": len(regions), "countries": len(countries), "organisations": len(orgs),
            "working groups": len(groups), "themes": len(data.load_themes()),
            "modalities": len(data.load_modalities()), "languages": len(data.load_languages())}
