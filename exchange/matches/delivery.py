"""What a match delivered and what it cost, entered once: money (pledged, committed, disbursed; each entry in its
currency with the rate to US dollars recorded by the person entering it), result indicators, the State's comment
on each result, and the lessons learned. Each operation authorises (matches/policy.py), validates with the schema
built from the field spec (matches/fields.py, matches/schemas.py), writes, and records the audit event; what they
write is seen by exactly those who may see the match."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from exchange import audit
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import check_version, utcnow
from exchange.core.schemas import load
from exchange.core.statuses import FundingStage
from exchange.matches.fields import FUNDING, RESULT
from exchange.matches.models import FundingEntry, Match, MatchResult
from exchange.matches.policy import require_comment_results, require_record_delivery
from exchange.matches.schemas import FundingIn, MatchEditIn, ResultCommentIn, ResultIn
from exchange.people.models import Organisation

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.00000001")
MAX_USD = Decimal(10) ** 16  # match_funding.usd_amount is NUMERIC(18, 2)


def _plain(values: dict) -> dict:
    """Decimals and dates as text for the audit trail's JSON."""
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v)
            for k, v in values.items()}


def add_funding(user, match: Match, raw: dict) -> FundingEntry:
    """The provider or the Task Force office records money for a match: `{"stage", "amount", "currency", "date",
    "funder", "usd_rate"}`; the amount in US dollars is `amount × usd_rate`, kept with the entry."""
    require_record_delivery(user, match, "funding")
    data = load(FundingIn(), raw, required=FUNDING.required)
    funder = db.session.scalar(select(Organisation).where(Organisation.code == data["funder"]))
    if funder is None:  # checked by the schema; a code removed since is still refused, not a 500
        raise ValidationFailed(_("Some fields are not valid."), {"funder": [_("Unknown organisation.")]})
    # As the columns keep them (cents; eight decimals of a rate): what rounds to nothing, or to more dollars than
    # a column holds, is refused here rather than by the database.
    amount = data["amount"].quantize(CENT, rounding=ROUND_HALF_UP)
    rate = data["usd_rate"].quantize(RATE_STEP, rounding=ROUND_HALF_UP)
    problems = {}
    if amount <= 0:
        problems["amount"] = [_("Give an amount above 0.")]
    if rate <= 0:
        problems["usd_rate"] = [_("Give a rate above 0.")]
    usd = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if not problems and usd >= MAX_USD:
        problems["amount"] = [_("This is more than the Exchange can record in one entry.")]
    if problems:
        raise ValidationFailed(_("Some fields are not valid."), problems)
    entry = FundingEntry(match=match, stage=data["stage"], amount=amount, currency=data["currency"], usd_rate=rate,
                         usd_amount=usd, on=data["date"], funder=funder, entered_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(user, "match.funding_added", "match", match.id,
                 f"{match.reference}: {entry.stage} {amount} {entry.currency} from {funder.code} "
                 f"({entry.usd_amount} USD at {rate})",
                 {"funding": [None, _plain(FUNDING.snapshot(entry))]})
    return entry


def add_result(user, match: Match, raw: dict) -> MatchResult:
    """The provider or the Task Force office records one indicator: `{"kind", "indicator", "unit", "baseline",
    "target", "actual", "note"}` (only `indicator` is required)."""
    require_record_delivery(user, match, "results")
    data = load(ResultIn(), raw, required=RESULT.required)
    result = MatchResult(match=match, entered_by_id=user.id, kind=data.get("kind") or "output",
                         indicator=data["indicator"], unit=data.get("unit") or "", note=data.get("note") or "",
                         **{name: data.get(name) for name in ("baseline", "target", "actual")})
    db.session.add(result)
    db.session.flush()
    audit.record(user, "match.result_added", "match", match.id, f"{match.reference}: result “{result.indicator}”",
                 {"result": [None, _plain(RESULT.snapshot(result))]})
    return result


def comment_result(user, match: Match, result: MatchResult, raw: dict) -> MatchResult:
    """The requesting State comments on one result of its completed match: `{"comment"}` (a new comment replaces
    the one before; the audit trail keeps both)."""
    require_comment_results(user, match)
    data = load(ResultCommentIn(), raw)
    before = result.state_comment
    result.state_comment, result.state_commented_at = data["comment"], utcnow()
    db.session.flush()
    audit.record(user, "match.result_commented", "match", match.id,
                 f"{match.reference}: the State commented on “{result.indicator}”",
                 {"state_comment": [before or None, result.state_comment]})
    return result


def edit_lessons(user, match: Match, raw: dict) -> Match:
    """The provider or the Task Force office writes the lessons learned: `{"lessons", "version"}` (a stale
    version: 409)."""
    require_record_delivery(user, match, "lessons")
    data = load(MatchEditIn(), raw)
    check_version(match, data)
    before = match.lessons
    if data["lessons"] != before:
        match.lessons = data["lessons"]
        db.session.flush()
        audit.record(user, "match.lessons_edited", "match", match.id, f"{match.reference}: lessons learned edited",
                     {"lessons": [before or None, match.lessons]})
    return match


def result_of(match: Match, result_id) -> MatchResult | None:
    """One result of this match (None when the number names none of its results)."""
    return next((r for r in match.results if r.id == result_id), None)


def totals_in_usd(entries) -> dict[str, Decimal]:
    """US dollars by stage of some funding entries (every stage present, 0 when none)."""
    totals = {str(stage): Decimal(0) for stage in FundingStage}
    for entry in entries:
        totals[str(entry.stage)] += entry.usd_amount
    return totals

