"""IATI 2.03 activity XML: the delivered and ongoing assistance (matches in delivery or completed) the
viewer may see, one `iati-activity` per match, with its money, budgets and results, in the element order the
schema requires (validated against the schema kept in `iati_schema/`).

Codes used (IATI codelists):
- activity-status: 2 Implementation (in delivery), 3 Finalisation (completed, not yet confirmed by the
  State), 4 Closed (completed and confirmed);
- activity-date: 1 planned start / 3 planned end (the request's desired dates), 2 actual start (delivery
  started; else accepted; else proposed), 4 actual end (completed);
- participating-org role 1 Funding (each funding organisation of the match's money), role 4 Implementing (the
  provider; type 40 Multilateral for a Task Force entity, 90 Other for an outside provider, 10 Government for a
  State) and role 2 Accountable (the beneficiary State's government, type 10);
- description type 1 General (the request), type 4 Other (the outcome reported, the lessons learned);
- sector vocabulary 1 (OECD DAC 5-digit purpose codes), one a theme, see THEME_SECTORS, percentages
  summing to 100;
- default-aid-type D02 (other technical assistance);
- budget: one a calendar year of the money committed that year (status 2 Committed), or, for a year with
  pledges only, of the money pledged (status 1 Indicative); type 1 Original; in US dollars at the recorded rates;
- transaction-type: money from the reporting provider itself is 12 Outgoing Pledge, 2 Outgoing Commitment and 3
  Disbursement; money from another funder is 13 Incoming Pledge, 11 Incoming Commitment and 1 Incoming Funds;
  each in its own currency on its own date;
- result type 1 Output / 2 Outcome, one a result indicator; indicator measure 1 Unit (5 Qualitative when it has
  no numbers); the baseline in the year delivery started, target and actual over the delivery's period (start
  to completion, or to today while in delivery), the State's comment on the actual.

Organisation identifiers: an organisation's `iati_identifier` (set by administrators) where known; then
IATI_ORGANISATION_REFS in the configuration (organisation code → identifier); without either, the reporting
organisation uses "XI-EXCHANGE-<CODE>" (replace before publishing to the IATI Registry) and other organisations
are named without a `ref`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import joinedload, selectinload

from exchange.core.extensions import db
from exchange.core.statuses import FundingStage, MatchStatus, ResultKind
from exchange.matches.models import FundingEntry, Match, MatchResult
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


def known_ref(organisation, refs: Mapping[str, str] | None = None) -> str:
    """An organisation's real IATI identifier: its own field, else the configured one; "" when unknown."""
    return (getattr(organisation, "iati_identifier", "") or "").strip() or (refs or {}).get(organisation.code, "")


def organisation_ref(organisation, refs: Mapping[str, str] | None = None) -> str:
    """The identifier of a reporting organisation (required by the standard): the real one where known, else
    "XI-EXCHANGE-<CODE>"."""
    return known_ref(organisation, refs) or f"XI-EXCHANGE-{organisation.code.upper()}"


# (stage, the funder is the reporting provider) → IATI transaction type
TRANSACTION_TYPES = {
    (FundingStage.PLEDGED, True): "12", (FundingStage.COMMITTED, True): "2", (FundingStage.DISBURSED, True): "3",
    (FundingStage.PLEDGED, False): "13", (FundingStage.COMMITTED, False): "11", (FundingStage.DISBURSED, False): "1",
}
RESULT_TYPES = {ResultKind.OUTPUT: "1", ResultKind.OUTCOME: "2"}


def _number(value: Decimal) -> str:
    """A decimal as the schema's xsd:decimal writes it: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _org(parent, tag: str, organisation, refs, attributes: dict | None = None):
    """A participating-org, provider-org or receiver-org naming `organisation` (its ref when known)."""
    attributes = dict(attributes or {})
    ref = known_ref(organisation, refs)
    if ref:
        attributes["ref"] = ref
    element = etree.SubElement(parent, tag, attributes)
    _narrative(element, organisation.name)
    return element


def _org_type(organisation) -> str:
    return ORG_TYPE.get(organisation.kind, "90")


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
    state = req.organisation
    provider_ref = organisation_ref(provider, refs)
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
    if match.lessons:
        _narrative(etree.SubElement(activity, "description", {"type": "4"}), f"Lessons learned: {match.lessons}")
    funders = list({entry.funder.id: entry.funder for entry in match.funding}.values())
    for funder in funders:
        _org(activity, "participating-org", funder, refs, {"role": "1", "type": _org_type(funder)})
    implementing = etree.SubElement(activity, "participating-org", {
        "ref": provider_ref, "role": "4", "type": _org_type(provider)})
    _narrative(implementing, provider.name)
    beneficiary_attributes = {"role": "2", "type": "10"}
    if known_ref(state, refs):
        beneficiary_attributes["ref"] = known_ref(state, refs)
    beneficiary = etree.SubElement(activity, "participating-org", beneficiary_attributes)
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
    _budgets(activity, match.funding)
    for entry in match.funding:
        _transaction(activity, entry, provider, state, req, refs)
    start = started.date()
    for result in match.results:
        _result(activity, result, start, match.completed_at.date() if match.completed_at else date.today())
    return activity


def _budgets(activity, entries: list[FundingEntry]) -> None:
    """One budget a calendar year: the money committed that year, else the money pledged (indicative)."""
    by_year: dict[int, dict[FundingStage, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        by_year[entry.on.year][FundingStage(entry.stage)] += entry.usd_amount
    for year in sorted(by_year):
        committed, pledged = by_year[year][FundingStage.COMMITTED], by_year[year][FundingStage.PLEDGED]
        if not committed and not pledged:
            continue
        budget = etree.SubElement(activity, "budget", {"type": "1", "status": "2" if committed else "1"})
        etree.SubElement(budget, "period-start", {"iso-date": date(year, 1, 1).isoformat()})
        etree.SubElement(budget, "period-end", {"iso-date": date(year, 12, 31).isoformat()})
        value = etree.SubElement(budget, "value", {"currency": "USD", "value-date": date(year, 1, 1).isoformat()})
        value.text = _number(committed or pledged)


def _transaction(activity, entry: FundingEntry, provider, state, req, refs) -> None:
    own = entry.funder.id == provider.id
    transaction = etree.SubElement(activity, "transaction", {"ref": f"EXCHANGE-F-{entry.id}"})
    etree.SubElement(transaction, "transaction-type", {"code": TRANSACTION_TYPES[(FundingStage(entry.stage), own)]})
    etree.SubElement(transaction, "transaction-date", {"iso-date": entry.on.isoformat()})
    value = etree.SubElement(transaction, "value", {"currency": entry.currency, "value-date": entry.on.isoformat()})
    value.text = _number(entry.amount)
    _narrative(etree.SubElement(transaction, "description"),
               f"{FundingStage(entry.stage).english_label}: {_number(entry.amount)} {entry.currency} from "
               f"{entry.funder.name} (USD {_number(entry.usd_amount)} at {_number(entry.usd_rate)} USD a unit)")
    _org(transaction, "provider-org", entry.funder, refs, {"type": _org_type(entry.funder)})
    receiver = state if own else provider
    receiver_org = _org(transaction, "receiver-org", receiver, refs, {"type": _org_type(receiver)})
    if receiver is state:
        receiver_org.find("narrative").text = f"Government of {req.country.name}"


def _result(activity, result: MatchResult, start: date, end: date) -> None:
    element = etree.SubElement(activity, "result", {"type": RESULT_TYPES[ResultKind(result.kind)]})
    _narrative(etree.SubElement(element, "title"), result.indicator)
    if result.note:
        _narrative(etree.SubElement(element, "description"), result.note)
    numbers = any(value is not None for value in (result.baseline, result.target, result.actual))
    indicator = etree.SubElement(element, "indicator", {"measure": "1" if numbers else "5"})
    _narrative(etree.SubElement(indicator, "title"),
               f"{result.indicator} ({result.unit})" if result.unit else result.indicator)
    if result.baseline is not None:
        etree.SubElement(indicator, "baseline", {"year": str(start.year), "iso-date": start.isoformat(),
                                                 "value": _number(result.baseline)})
    if result.target is not None or result.actual is not None:
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start", {"iso-date": start.isoformat()})
        etree.SubElement(period, "period-end", {"iso-date": max(start, end).isoformat()})
        if result.target is not None:
            etree.SubElement(period, "target", {"value": _number(result.target)})
        if result.actual is not None:
            actual = etree.SubElement(period, "actual", {"value": _number(result.actual)})
            if result.state_comment:
                _narrative(etree.SubElement(actual, "comment"), f"The State's comment: {result.state_comment}")


def visible_activities(user) -> list[Match]:
    stmt = (visible_matches(user).where(Match.status.in_(MatchStatus.DELIVERY)).order_by(Match.id)
            .options(joinedload(Match.request).joinedload(AssistanceRequest.country),
                     joinedload(Match.request).joinedload(AssistanceRequest.organisation),
                     joinedload(Match.request).selectinload(AssistanceRequest.themes),
                     joinedload(Match.offer).joinedload(Offer.organisation),
                     selectinload(Match.funding).joinedload(FundingEntry.funder), selectinload(Match.results)))
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
