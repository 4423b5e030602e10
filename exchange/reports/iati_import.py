"""IATI in: a provider's IATI 2.03 activity file read as a stream, each activity reconciled with the Exchange
before anything is saved, then saved all together or not at all.

Reading (`read_activities`): lxml's iterparse, one `iati-activity` at a time, each element cleared once read
(memory stays flat whatever the file's size); no entities resolved, no network. Each activity is checked
against the IATI 2.03 activity schema in reports/iati_schema/ (wrapped in its own `iati-activities`) and read
into what the offer form would send (`values`).

Matching an activity to a record, by its `iati-identifier`:
- an identifier ending in `EXCHANGE-M-<n>` (what reports/iati.py writes for a match) names that match;
  `EXCHANGE-O-<n>` names that offer. A named record that does not exist, or is not the organisation's, makes
  the activity invalid (never a new record in its place);
- otherwise the organisation's offer imported earlier from the same identifier (`offers.iati_identifier`);
- otherwise it is offered as a new offer of the organisation.

What an activity changes: on an offer, the fields the activity states (title, description, sectors as themes,
recipient countries and M49 regions, planned dates, the US dollar budget, the contact); on a match, its
delivery (activity-status 2 Implementation → in delivery; 3 Finalisation or 4 Closed → completed, with the
outcome from the description of type 4). Each row goes through the offers' and the matches' own operations
(their rules, their audit events) inside a SAVEPOINT (core/imports.py): the preview undoes everything and
reports every row as new, changed (with the fields that change), unchanged or invalid (with the reasons),
and lists the organisation's records the file does not mention (unmatched). Saving takes the rows the person
chose: if any chosen row is invalid, nothing is saved.

Modalities and languages are not IATI fields: a new offer takes its modalities from the default aid type
(AID_TYPE_MODALITIES) and its languages from the narratives' `xml:lang`; they are not compared afterwards.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree
from sqlalchemy import select

from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.imports import UploadError, finish, try_in_savepoint
from exchange.core.statuses import MatchStatus, OfferStatus
from exchange.jobs.imports import register_kind, write_file
from exchange.matches.models import Match
from exchange.matches.operations import match_move
from exchange.matches.policy import visible_matches
from exchange.offers.fields import OFFER
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, update_offer
from exchange.offers.policy import posts_for_own_organisation
from exchange.people.models import Organisation
from exchange.reference.models import Country
from exchange.reports.iati import THEME_SECTORS, organisation_ref, schema

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXCHANGE_REF = re.compile(r"EXCHANGE-([MO])-(\d{1,9})$")
MAX_ACTIVITIES = 20_000
MAX_BYTES = 50 * 1024 * 1024
# DAC purpose code → the theme it stands for (the first theme exported under it); vocabulary 98/99 may name
# a theme by its own code.
SECTOR_THEMES: dict[str, str] = {}
for _theme, (_code, _name) in THEME_SECTORS.items():
    SECTOR_THEMES.setdefault(_code, _theme)
THEME_VOCABULARIES = ("98", "99")
# IATI default-aid-type (vocabulary 1) → the Exchange's kind of assistance, for a new offer.
AID_TYPE_MODALITIES = {"D01": "expert-advice", "D02": "training", "E01": "training", "E02": "training",
                       "C01": "workshop", "B01": "funding", "B02": "funding", "B03": "funding", "B04": "funding",
                       "A01": "funding", "A02": "funding", "G01": "expert-advice"}
DEFAULT_MODALITY = "expert-advice"
# The fields an activity may change on an existing offer (modalities and languages only set a new one).
COMPARED = ("title", "description", "themes", "countries", "regions", "available_from", "available_until",
            "budget_usd", "contact_name", "contact_email")
# IATI activity-status → the match status it reports.
ACTIVITY_STATUS = {"2": MatchStatus.IN_DELIVERY, "3": MatchStatus.COMPLETED, "4": MatchStatus.COMPLETED}

NEW, CHANGED, UNCHANGED, INVALID = "new", "changed", "unchanged", "invalid"
SKIPPED = "skipped"  # not chosen: left out of the save
KIND_LABELS = {NEW: _l("New"), CHANGED: _l("To update"), UNCHANGED: _l("Unchanged"), INVALID: _l("Invalid")}


# --------------------------------------------------------------------------------------------
# Reading the file.

@dataclass
class Activity:
    """One `iati-activity` as read: its identifier, who reports it, what the offer form would send, its
    delivery status and outcome, and what the schema said of it."""

    number: int                    # its place in the file, from 1
    identifier: str
    reporting_ref: str
    values: dict
    status: str = ""
    outcome: str = ""
    schema_errors: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.values.get("title", "")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Activity:
        return cls(**{k: data[k] for k in ("number", "identifier", "reporting_ref", "values", "status", "outcome",
                                           "schema_errors")})


def _narratives(element) -> list[tuple[str, str | None]]:
    if element is None:
        return []
    return [((n.text or "").strip(), n.get(XML_LANG)) for n in element.findall("narrative") if (n.text or "").strip()]


def _first_text(element, language: str | None) -> tuple[str, str | None]:
    """The narrative in the activity's language if there is one, else the first."""
    narratives = _narratives(element)
    for text, lang in narratives:
        if (lang or language) == language:
            return text, lang or language
    return narratives[0] if narratives else ("", None)


def _whole_usd(value: str) -> int | None:
    try:
        amount = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None
    return int(amount) if amount >= 0 else None


def activity_values(element, country_codes: Mapping[str, str]) -> tuple[dict, str, str]:
    """What the offer form would send for an activity, its activity-status code and its outcome."""
    language = element.get(XML_LANG) or None
    currency = element.get("default-currency") or ""
    values: dict = {}
    title, title_lang = _first_text(element.find("title"), language)
    descriptions = {d.get("type", "1"): d for d in element.findall("description")}
    general = descriptions.get("1")
    if general is None:
        general = next(iter(descriptions.values()), None)
    description, _lang = _first_text(general, language)
    outcome, _lang = _first_text(descriptions.get("4"), language)
    outcome = outcome.removeprefix("Outcome: ")
    if title:
        values["title"] = title
    if description:
        values["description"] = description
    themes = set()
    for sector in element.findall("sector"):
        vocabulary, code = sector.get("vocabulary", "1"), (sector.get("code") or "").strip()
        if vocabulary in THEME_VOCABULARIES:
            themes.add(code)
        elif vocabulary == "1" and code in SECTOR_THEMES:
            themes.add(SECTOR_THEMES[code])
    values["themes"] = sorted(themes)
    aid_types = [a.get("code", "") for a in element.findall("default-aid-type")
                 if a.get("vocabulary", "1") == "1"]
    values["modalities"] = sorted({AID_TYPE_MODALITIES.get(code, DEFAULT_MODALITY) for code in aid_types}
                                  or {DEFAULT_MODALITY})
    languages = {lang for _text, lang in _narratives(element.find("title")) + _narratives(general) if lang} | ({language} if language else set())
    values["languages"] = sorted(languages or {"en"})
    if title_lang:
        values["content_language"] = title_lang
    countries = []
    for country in element.findall("recipient-country"):
        code = (country.get("code") or "").strip().upper()
        countries.append(country_codes.get(code, code))
    values["countries"] = sorted(set(countries))
    values["regions"] = sorted({(r.get("code") or "").strip().zfill(3) for r in element.findall("recipient-region")
                                if r.get("vocabulary") == "2"})
    dates = {d.get("type"): d.get("iso-date") for d in element.findall("activity-date")}
    start, end = dates.get("1") or dates.get("2"), dates.get("3") or dates.get("4")
    if start:
        values["available_from"] = start
    if end:
        values["available_until"] = end
    budget = 0
    counted = False
    for value in element.findall("budget/value"):
        if (value.get("currency") or currency).upper() == "USD":
            amount = _whole_usd(value.text or "")
            if amount is not None:
                budget, counted = budget + amount, True
    if counted:
        values["budget_usd"] = budget
    contact = element.find("contact-info")
    if contact is not None:
        person, _lang = _first_text(contact.find("person-name"), language)
        email = (contact.findtext("email") or "").strip()
        if person:
            values["contact_name"] = person
        if email:
            values["contact_email"] = email
    status = element.find("activity-status")
    return values, (status.get("code", "") if status is not None else ""), outcome


def _schema_errors(element, xsd: etree.XMLSchema) -> list[str]:
    wrapper = etree.Element("iati-activities", {"version": "2.03"})
    wrapper.append(copy.deepcopy(element))
    try:
        if xsd.validate(wrapper):
            return []
    except etree.XMLSchemaValidateError:  # e.g. an entity left unresolved (entities are never read)
        return [_("The activity cannot be checked against the schema (it holds an entity reference).")]
    return [entry.message for entry in list(xsd.error_log)[:3]]


def read_activities(source: str | IO[bytes], *, progress: Callable[[int], None] | None = None,
                    validate: bool = True) -> Iterable[Activity]:
    """The activities of an IATI activity file (a path or a binary stream), one at a time. A file that is
    not XML, or not an `iati-activities` document of version 2.x, is refused (UploadError); so is one
    holding more than MAX_ACTIVITIES."""
    xsd = schema() if validate else None
    country_codes = dict(db.session.execute(select(Country.iso2, Country.iso3)).all())
    number = 0
    try:
        events = etree.iterparse(source, events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False, remove_comments=True)
        root_seen = False
        for event, element in events:
            if not root_seen:
                root_seen = True
                if element.tag != "iati-activities" or not (element.get("version") or "").startswith("2."):
                    raise UploadError(_("This is not an IATI activity file (version 2.03)."),
                                      {"file": [_("Upload an iati-activities XML file, version 2.03.")]})
                continue
            if event != "end" or element.tag != "iati-activity":
                continue
            number += 1
            if number > MAX_ACTIVITIES:
                raise UploadError(_("At most %(limit)s activities per file.", limit=MAX_ACTIVITIES),
                                  {"file": [_("Split the file.")]})
            values, status, outcome = activity_values(element, country_codes)
            yield Activity(number=number, identifier=(element.findtext("iati-identifier") or "").strip(),
                           reporting_ref=(element.find("reporting-org").get("ref", "")
                                          if element.find("reporting-org") is not None else ""),
                           values=values, status=status, outcome=outcome,
                           schema_errors=_schema_errors(element, xsd) if xsd is not None else [])
            if progress:
                progress(number)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as err:
        raise UploadError(_("The file is not well-formed XML: %(problem)s", problem=str(err)),
                          {"file": [_("Not an XML file.")]}) from None
    if number == 0:
        raise UploadError(_("The file holds no activity."), {"file": [_("No iati-activity to import.")]})


# --------------------------------------------------------------------------------------------
# Reconciling.

@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Row:
    activity: Activity
    kind: str = NEW
    record_type: str = ""          # "offer" or "match" when it names one
    record_id: int | None = None
    record_reference: str = ""
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    chosen: bool = True
    saved_id: int | None = None

    @property
    def number(self) -> int:
        return self.activity.number


@dataclass
class Unmatched:
    record_type: str
    record_id: int
    reference: str
    title: str


@dataclass
class Reconciliation:
    rows: list[Row] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    saved: bool = False

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in KIND_LABELS} | {"unmatched": len(self.unmatched)}

    @property
    def chosen_invalid(self) -> list[Row]:
        return [r for r in self.rows if r.chosen and r.kind == INVALID]

    @property
    def ok(self) -> bool:
        """Nothing chosen is invalid, and something is chosen."""
        return not self.chosen_invalid and any(r.chosen for r in self.rows)

    def as_dict(self) -> dict:
        """What a background import keeps of it (jobs/imports.py), plain JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Reconciliation:
        rows = [Row(**{**r, "activity": Activity.from_dict(r["activity"]),
                       "changes": [Change(**c) for c in r.get("changes", [])]}) for r in data.get("rows", [])]
        return cls(rows=rows, unmatched=[Unmatched(**u) for u in data.get("unmatched", [])],
                   saved=bool(data.get("saved")))


def organisation_for(user, code: str | None) -> Organisation | None:
    """The organisation whose activities are imported: a provider's own; the office names one."""
    if posts_for_own_organisation(user):
        return user.organisation
    if not code:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    return org if org is not None and org.is_provider else None


def reporting_refs(org: Organisation, refs: Mapping[str, str] | None) -> set[str]:
    """The reporting-org references that stand for the organisation: its IATI identifier, the configured one,
    and the Exchange's own stand-in ("XI-EXCHANGE-<CODE>", what the export writes when none is known)."""
    known = {organisation_ref(org, refs), f"XI-EXCHANGE-{org.code.upper()}", (refs or {}).get(org.code, "")}
    return {ref for ref in known if ref}


def _plain(value) -> object:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def _shown(value) -> str:
    if isinstance(value, list):
        return "; ".join(value) or "—"
    return "—" if value is None else str(value)


def _sector_codes(themes: Iterable[str]) -> set[str]:
    return {THEME_SECTORS.get(t, (t, ""))[0] for t in themes}


def offer_changes(offer: Offer, values: Mapping) -> list[Change]:
    """The fields the activity states whose value differs from the offer's. Themes differ when their DAC
    sectors do (a sector stands for several themes)."""
    changes = []
    for name in COMPARED:
        if name not in values:
            continue
        spec = OFFER[name]
        before, after = _plain(spec.value_of(offer)), _plain(values[name])
        if name == "themes" and (not after or _sector_codes(before or []) == _sector_codes(after)):
            continue
        if name in ("countries", "regions") and not after and not before:
            continue
        if before != after:
            changes.append(Change(name, str(spec.short_label or spec.label), _shown(before), _shown(after)))
    return changes


def match_changes(match: Match, activity: Activity) -> tuple[list[Change], list[str]]:
    """What the activity reports of a match's delivery that the Exchange does not know yet, and why it cannot
    be taken (a delivery goes forward only: started, then completed with its outcome)."""
    target = ACTIVITY_STATUS.get(activity.status)
    label = str(_l("Status"))
    if target is None or target == match.status:
        return [], []
    order = [MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED]
    if match.status not in order or order.index(target) < order.index(match.status):
        return [], [_("The Exchange records this match as %(status)s; an IATI file cannot take it back to "
                      "%(reported)s.", status=match.status.label, reported=target.label)]
    changes = [Change("status", label, str(match.status.label), str(target.label))]
    if target == MatchStatus.COMPLETED:
        if not activity.outcome:
            return changes, [_("A completed activity needs its outcome (a description of type 4).")]
        changes.append(Change("outcome", str(_l("Outcome")), match.outcome or "—", activity.outcome))
    return changes, []


def _named_record(user, org: Organisation, activity: Activity) -> tuple[str, object | None, str]:
    """The record an Exchange identifier names ("match"/"offer", the record or None, its reference)."""
    found = EXCHANGE_REF.search(activity.identifier)
    if not found:
        return "", None, ""
    kind, number = found.group(1), int(found.group(2))
    if kind == "M":
        match = db.session.scalar(visible_matches(user).where(Match.id == number))
        reference = f"M-{number:05d}"
        ours = match is not None and match.offer.organisation_id == org.id
        return "match", match if ours else None, reference
    offer = db.session.get(Offer, number)
    reference = f"O-{number:05d}"
    return "offer", offer if offer is not None and offer.organisation_id == org.id else None, reference


def _reconcile_one(user, org: Organisation, activity: Activity, refs: set[str], seen: set[tuple[str, int]]) -> Row:
    row = Row(activity)
    row.problems.extend(_("Schema: %(problem)s", problem=p) for p in activity.schema_errors)
    if not activity.identifier:
        row.problems.append(_("The activity has no iati-identifier."))
    if activity.reporting_ref and activity.reporting_ref not in refs:
        row.problems.append(_("Reported by %(ref)s, not by %(organisation)s.", ref=activity.reporting_ref,
                              organisation=org.code))
    record_type, record, reference = _named_record(user, org, activity)
    if record_type and record is None:
        row.problems.append(_("It names %(ref)s, which is not a record of %(organisation)s.", ref=reference,
                              organisation=org.code))
    if record is None and not record_type and activity.identifier:
        record = db.session.scalar(select(Offer).where(Offer.organisation_id == org.id,
                                                       Offer.iati_identifier == activity.identifier)
                                   .order_by(Offer.id).limit(1))
        record_type = "offer" if record is not None else ""
    if record is not None:
        row.record_type, row.record_id, row.record_reference = record_type, record.id, record.reference
        if (record_type, record.id) in seen:
            row.problems.append(_("Another activity of the file names the same record."))
        seen.add((record_type, record.id))
    if row.problems:
        row.kind = INVALID
        return row

    def save():
        if record is None:
            offer = create_offer(user, {**activity.values, "organisation": org.code})
            offer.iati_identifier = activity.identifier
            db.session.flush()
            return offer.id
        if record_type == "offer":
            row.changes = offer_changes(record, activity.values)
            if row.changes:  # the preview tries the offer's rules on the changed fields too, then undoes it
                update_offer(user, record, {"version": record.version,
                                            **{c.field: activity.values[c.field] for c in row.changes}})
            return record.id
        row.changes, refusals = match_changes(record, activity)
        if refusals:
            raise ExchangeError(" ".join(refusals))
        target = ACTIVITY_STATUS.get(activity.status)
        if row.changes and record.status == MatchStatus.ACCEPTED:
            match_move("start")(user, record, {})
        if row.changes and target == MatchStatus.COMPLETED:
            match_move("complete")(user, record, {"outcome": activity.outcome})
        return record.id

    saved_id, err = try_in_savepoint(save)
    if err is not None:
        row.kind = INVALID
        row.problems.extend(_describe(err))
    else:
        row.saved_id = saved_id
        row.kind = NEW if record is None else (CHANGED if row.changes else UNCHANGED)
    return row


def _describe(err: ExchangeError) -> list[str]:
    if err.fields:
        return [f"{_field_label(name)}: {message}" for name, messages in err.fields.items() for message in messages]
    return [err.message]


def _field_label(name: str) -> str:
    return str(OFFER[name].label) if name in OFFER.by_name else name


def _expected(org: Organisation) -> list[Unmatched]:
    """The organisation's records an IATI file is expected to hold: matches in delivery or completed, and
    offers imported from IATI before (read before the rows add any)."""
    matches = db.session.scalars(select(Match).join(Offer, Match.offer_id == Offer.id)
                                 .where(Offer.organisation_id == org.id, Match.status.in_(MatchStatus.DELIVERY))
                                 .order_by(Match.id))
    offers = db.session.scalars(select(Offer).where(Offer.organisation_id == org.id,
                                                    Offer.iati_identifier.is_not(None),
                                                    Offer.status != OfferStatus.CLOSED).order_by(Offer.id))
    return ([Unmatched("match", m.id, m.reference, m.request.title) for m in matches]
            + [Unmatched("offer", o.id, o.reference, o.title) for o in offers])


def reconcile(user, org: Organisation, activities: Iterable[Activity], *, chosen: set[int] | None = None,
              commit: bool = False, refs: Mapping[str, str] | None = None,
              progress: Callable[[int], None] | None = None,
              before_commit: Callable[[Reconciliation], None] | None = None) -> Reconciliation:
    """Try every activity (or, with `chosen`, the chosen ones; the rest are left out) through the offers'
    and the matches' operations and report each (`progress(1)` after each). With `commit`, and no chosen row
    invalid, save them all in one transaction (with what `before_commit(result)` adds to it: a background
    import's result); otherwise nothing is saved."""
    result = Reconciliation()
    seen: set[tuple[str, int]] = set()
    accepted_refs = reporting_refs(org, refs)
    expected = _expected(org)
    for activity in activities:
        if chosen is not None and activity.number not in chosen:
            row = Row(activity, kind=SKIPPED, chosen=False)
            result.rows.append(row)
        else:
            result.rows.append(_reconcile_one(user, org, activity, accepted_refs, seen))
        if progress:
            progress(1)
    result.unmatched = [u for u in expected if (u.record_type, u.record_id) not in seen]

    def saving() -> None:
        result.saved = True
        before_commit(result)
    result.saved = finish(commit, result.ok, saving if before_commit else None)
    if not result.saved:
        for row in result.rows:
            row.saved_id = None if row.kind == NEW else row.saved_id
    return result


def import_file(path: str, user, organisation_code: str | None = None, *, commit: bool = False,
                skip: Iterable[int] = (), valid_only: bool = False, refs: Mapping[str, str] | None = None,
                progress: Callable[[int], None] | None = None) -> Reconciliation:
    """Read and reconcile an IATI file from a path (`flask iati import`). `skip`: activity numbers left out;
    `valid_only`: leave out the invalid ones (found by a first, rolled-back pass), as an unattended import
    must. Otherwise a chosen invalid activity saves nothing."""
    org = organisation_for(user, organisation_code)
    if org is None:
        raise UploadError(_("Say which provider's activities these are."),
                          {"organisation": [_("Give the code of a provider organisation.")]})
    activities = list(read_activities(path, progress=progress))
    chosen = {a.number for a in activities} - set(skip)
    if valid_only:
        preview = reconcile(user, org, activities, chosen=chosen, refs=refs)
        chosen -= {row.number for row in preview.rows if row.kind == INVALID}
    return reconcile(user, org, activities, chosen=chosen, commit=commit, refs=refs)


def scheduled_import(config: Mapping) -> Reconciliation | None:
    """The scheduled import: IATI_IMPORT_PATH read as IATI_IMPORT_AS, its valid activities saved.
    Scheduling hook (h15a's job queue): run `scheduled_import(app.config)` daily in an app context."""
    from exchange.people.models import User
    path, email = config.get("IATI_IMPORT_PATH"), config.get("IATI_IMPORT_AS")
    if not path or not email:
        return None
    user = db.session.scalar(select(User).where(User.email == email.strip().lower(), User.active.is_(True)))
    if user is None:
        raise UploadError(_("no active user %(email)s", email=email), {"IATI_IMPORT_AS": [email]})
    return import_file(path, user, commit=True, valid_only=True, refs=config.get("IATI_ORGANISATION_REFS"))


# --------------------------------------------------------------------------------------------
# A large file, as background jobs (jobs/imports.py): read and reconciled by the check, the chosen rows saved
# by the apply.

def _job_organisation(upload, user) -> Organisation:
    org = organisation_for(user, (upload.options or {}).get("organisation"))
    if org is None:
        raise UploadError(_("Choose a provider from the list."), {})
    return org


def _job_refs() -> Mapping[str, str] | None:
    from flask import current_app
    return current_app.config.get("IATI_ORGANISATION_REFS")


def check_job(progress, upload, user) -> tuple[dict, bool]:
    """Read the kept file (streamed) and reconcile each activity as it is read, undoing everything; the
    activities read are kept beside the file for the apply."""
    org = _job_organisation(upload, user)
    progress.start(max(upload.rows, 1))
    read: list[Activity] = []

    def activities():
        for activity in read_activities(upload.data_path):
            read.append(activity)
            yield activity
    result = reconcile(user, org, activities(), refs=_job_refs(), progress=progress.advance)
    if progress.total != len(read):  # the count before reading was an estimate
        progress.start(len(read))
        progress.advance(len(read))
    write_file(Path(upload.data_path + ".json"), json.dumps([a.as_dict() for a in read]).encode("utf-8"))
    return result.as_dict(), True  # read: its owner chooses the rows to save (the invalid ones left out)


def apply_job(progress, upload, user, keep) -> tuple[dict, bool]:
    """Save the chosen activities of a checked file, all or none."""
    org = _job_organisation(upload, user)
    activities = [Activity.from_dict(a) for a in json.loads(Path(upload.data_path + ".json").read_text("utf-8"))]
    options = upload.options or {}
    chosen = set(options["chosen"]) if "chosen" in options else {a.number for a in activities}
    progress.start(len(activities))
    result = reconcile(user, org, activities, chosen=chosen, commit=True, refs=_job_refs(), progress=progress.advance,
                       before_commit=lambda r: keep(r.as_dict()))
    return result.as_dict(), result.saved


register_kind("iati", check_job, apply_job)
