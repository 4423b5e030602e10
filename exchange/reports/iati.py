"""IATI 2.03 activity XML: the delivered and ongoing assistance (matches in delivery or completed) the
viewer may see, one `iati-activity` per match, in the element order the schema requires.

Codes used (IATI codelists):
- activity-status: 2 Implementation (in delivery), 3 Finalisation (completed, not yet confirmed by the
  State), 4 Closed (completed and confirmed);
- activity-date: 1 planned start / 3 planned end (the request's desired dates), 2 actual start (delivery
  started; else accepted; else proposed), 4 actual end (completed);
- participating-org role 4 Implementing (the provider; type 40 Multilateral for a Task Force entity,
  90 Other for an outside provider) and role 2 Accountable (the beneficiary State's government, type 10);
- sector vocabulary 1 (OECD DAC 5-digit purpose codes), one a theme, see THEME_SECTORS, percentages
  summing to 100;
- default-aid-type D02 (other technical assistance).

Organisation identifiers: IATI_ORGANISATION_REFS in the configuration maps an organisation code to its
registered IATI identifier; without one the export uses "XI-EXCHANGE-<CODE>" (replace before publishing
to the IATI Registry).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import joinedload

from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus
from exchange.matches.models import Match
from exchange.matches.policy import visible_matches
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest

IATI_VERSION = "2.03"
# Strategy theme → OECD DAC CRS purpose code (vocabulary 1).
THEME_SECTORS = {
    "conflict-prevention": ("15220", "Civilian peace-building, conflict prevention and resolution"),
    "radicalization": ("15220", "Civilian peace-building, conflict prevention and resolution"),
    "victims": ("15160", "Human rights"),
    "rule-of-law": ("15130", "Legal and judicial development"),
    "legal-framework": ("15130", "Legal and judicial development"),
    "financing": ("24010", "Financial policy and administrative management"),
    "wmd": ("15210", "Security system management and reform"),
    "internet": ("22040", "Information and communication technology (ICT)"),
    "border-management": ("15190", ("Facilitation of orderly, safe, regular and responsible migration and "
                                   "mobility")),
    "aviation-security": ("21040", "Air transport"),
    "maritime-security": ("21050", "Water transport"),
    "vulnerable-targets": ("15210", "Security system management and reform"),
    "criminal-justice": ("15130", "Legal and judicial development"),
    "human-rights": ("15160", "Human rights"),
}
DEFAULT_SECTOR = ("15210", "Security system management and reform")
ORG_TYPE = {"task_force_entity": "40", "outside_provider": "90", "member_state": "10", "task_force_office": "40"}
SCHEMA_DIR = Path(__file__).resolve().parent / "iati_schema"  # IATI 2.03, see its SOURCES.md


def organisation_ref(code: str, refs: Mapping[str, str] | None = None) -> str:
    return (refs or {}).get(code) or f"XI-EXCHANGE-{code.upper()}"


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _narrative(parent, text: str, lang: str | None = None):
    element = etree.SubElement(parent, "narrative")
    if lang:
        element.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    element.text = text
    return element


def sector_shares(theme_codes: list[str]) -> list[tuple[str, str, Decimal]]:
    """One sector a distinct DAC code, sharing 100 % (two decimals; the last takes the remainder)."""
    codes: dict[str, str] = {}
    for theme in theme_codes or [None]:
        code, name = THEME_SECTORS.get(theme, DEFAULT_SECTOR)
        codes.setdefault(code, name)
    items = sorted(codes.items())
    share = (Decimal(100) / len(items)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    result = [(code, name, share) for code, name in items]
    remainder = Decimal(100) - share * len(items)
    code, name, last = result[-1]
    result[-1] = (code, name, last + remainder)
    return result


def activity_element(match: Match, refs: Mapping[str, str] | None = None) -> etree._Element:
    req: AssistanceRequest = match.request
    offer: Offer = match.offer
    provider = offer.organisation
    provider_ref = organisation_ref(provider.code, refs)
    activity = etree.Element("iati-activity", {
        "last-updated-datetime": _iso(match.updated_at), "default-currency": "USD", "hierarchy": "1"})
    activity.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    etree.SubElement(activity, "iati-identifier").text = f"{provider_ref}-EXCHANGE-{match.reference}"
    reporting = etree.SubElement(activity, "reporting-org", {"ref": provider_ref,
                                                             "type": ORG_TYPE.get(provider.kind, "90")})
    _narrative(reporting, provider.name)
    _narrative(etree.SubElement(activity, "title"), f"{req.title} ({req.country.name})")
    _narrative(etree.SubElement(activity, "description", {"type": "1"}),
               f"{req.description}\n\nDelivered through {offer.reference}: {offer.title}.")
    if match.outcome:
        _narrative(etree.SubElement(activity, "description", {"type": "4"}), f"Outcome: {match.outcome}")
    implementing = etree.SubElement(activity, "participating-org", {
        "ref": provider_ref, "role": "4", "type": ORG_TYPE.get(provider.kind, "90")})
    _narrative(implementing, provider.name)
    beneficiary = etree.SubElement(activity, "participating-org", {"role": "2", "type": "10"})
    _narrative(beneficiary, f"Government of {req.country.name}")
    etree.SubElement(activity, "other-identifier", {"ref": f"EXCHANGE-{req.reference}", "type": "A9"})
    status = "2" if match.status == MatchStatus.IN_DELIVERY else ("4" if match.confirmed_at else "3")
    etree.SubElement(activity, "activity-status", {"code": status})
    if req.desired_start:
        etree.SubElement(activity, "activity-date", {"type": "1", "iso-date": req.desired_start.isoformat()})
    started = match.started_at or match.accepted_at or match.created_at
    etree.SubElement(activity, "activity-date", {"type": "2", "iso-date": started.date().isoformat()})
    if req.desired_end:
        etree.SubElement(activity, "activity-date", {"type": "3", "iso-date": req.desired_end.isoformat()})
    if match.completed_at:
        etree.SubElement(activity, "activity-date", {"type": "4", "iso-date": match.completed_at.date().isoformat()})
    if offer.contact_email or offer.contact_name:
        contact = etree.SubElement(activity, "contact-info", {"type": "1"})
        _narrative(etree.SubElement(contact, "organisation"), provider.name)
        if offer.contact_name:
            _narrative(etree.SubElement(contact, "person-name"), offer.contact_name)
        if offer.contact_email:
            etree.SubElement(contact, "email").text = offer.contact_email
    etree.SubElement(activity, "activity-scope", {"code": "4"})  # national
    country = etree.SubElement(activity, "recipient-country", {"code": req.country.iso2, "percentage": "100"})
    _narrative(country, req.country.name)
    for code, name, share in sector_shares(req.theme_codes):
        sector = etree.SubElement(activity, "sector", {"vocabulary": "1", "code": code, "percentage": str(share)})
        _narrative(sector, name)
    etree.SubElement(activity, "default-aid-type", {"code": "D02", "vocabulary": "1"})
    return activity


def visible_activities(user) -> list[Match]:
    stmt = (visible_matches(user).where(Match.status.in_(MatchStatus.DELIVERY)).order_by(Match.id)
            .options(joinedload(Match.request).joinedload(AssistanceRequest.country),
                     joinedload(Match.request).selectinload(AssistanceRequest.themes),
                     joinedload(Match.offer).joinedload(Offer.organisation)))
    return list(db.session.scalars(stmt).unique())


def activities_document(matches: list[Match], refs: Mapping[str, str] | None = None,
                        now: datetime | None = None) -> bytes:
    """The whole `iati-activities` document. The schema asks for at least one activity: when the viewer
    may see none, the document is the bare root (with a comment saying so), which the API flags with the
    header `X-IATI-Activities: 0`."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    root = etree.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": _iso(now)})
    root.append(etree.Comment(" Generated by the Exchange: matches in delivery or completed. "))
    for match in matches:
        root.append(activity_element(match, refs))
    if not matches:
        root.append(etree.Comment(" Nothing delivered or in delivery is visible to you yet. "))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_for(user, refs: Mapping[str, str] | None = None) -> tuple[bytes, int]:
    """The document for what `user` may see, and how many activities it holds."""
    matches = visible_activities(user)
    return activities_document(matches, refs), len(matches)


def schema(directory: Path | None = None) -> etree.XMLSchema:
    """The IATI 2.03 activity schema (for tests and `validate`)."""
    path = (directory or SCHEMA_DIR) / "iati-activities-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))
