"""Matches: who takes part in them (the SQL scope, registered with core.visibility), who may propose one,
and who sees the suggested matches of a request or an offer. A provider also sees the requests its offers
are matched to: this area adds that grant to the requests' scope (requests know nothing of matches)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, false, select, true

from exchange.core import visibility
from exchange.core.access import is_requesting_state, may_edit_offer
from exchange.core.errors import Conflict, Forbidden
from exchange.core.statuses import MatchStatus, RequestStatus, Role
from exchange.matches.models import Match
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import PROVIDER_GRANTS


def match_scope(user):
    """SQL filter: the matches `user` takes part in (all of them for the Task Force office)."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role in Role.OFFICE:
        return true() if user.organisation.is_approved else false()
    if user.role == Role.MEMBER_STATE:
        return Match.request_id.in_(select(AssistanceRequest.id).where(
            AssistanceRequest.organisation_id == user.organisation_id))
    if not user.organisation.is_approved:
        return false()
    return Match.offer_id.in_(select(Offer.id).where(Offer.organisation_id == user.organisation_id))


visibility.register(Match, "Match", scope=match_scope)


def provider_takes_part(user, R):
    """A provider sees every request one of its offers is matched to."""
    return exists().where(Match.request_id == R.id, Match.offer_id == Offer.id,
                          Offer.organisation_id == user.organisation_id)


PROVIDER_GRANTS.append(provider_takes_part)


def visible_matches(user):
    return select(Match).where(match_scope(user))


def get_match(user, match_id) -> Match:
    return visibility.get_visible(Match, user, match_id)


def may_propose_match(user, req: AssistanceRequest | None = None) -> bool:
    """Coordinators propose matches, for a request that is open to matching (if one is named)."""
    return user.role == Role.COORDINATOR and (req is None or req.status in RequestStatus.MATCHABLE)


def may_see_request_suggestions(user, req: AssistanceRequest) -> bool:
    """Coordinators (and admins) always; the requesting State once its request is open; providers who may
    see the request (the offers shown are those they may see)."""
    if user.role in (*Role.OFFICE, Role.PROVIDER):
        return True
    return is_requesting_state(user, req) and req.status in RequestStatus.ACCEPTED


def require_see_request_suggestions(user, req: AssistanceRequest) -> None:
    if not may_see_request_suggestions(user, req):
        raise Forbidden(_("Suggestions are shown to the requesting State once its request is open."))


def may_see_offer_suggestions(user, offer: Offer) -> bool:
    """The offer's provider and the Task Force office."""
    return may_edit_offer(user, offer)


def require_see_offer_suggestions(user, offer: Offer) -> None:
    if not may_see_offer_suggestions(user, offer):
        raise Forbidden(_("Only the offer's provider and the Task Force office see its suggested requests."))


def may_read_provider_note(user, match: Match) -> bool:
    """The note a coordinator writes to the provider when proposing a match is for the provider and the office:
    never shown to the State (page, API)."""
    if user.role in Role.OFFICE:
        return True
    return user.role == Role.PROVIDER and match.offer.organisation_id == user.organisation_id


# ------------------------------------------------------------------------------------------------
# Money, results and lessons: entered by the offer's provider or the Task Force office; seen by whoever may see
# the match (they are reached only through it: get_match, match_scope).

FUNDING_OPEN = (MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)
RESULTS_OPEN = MatchStatus.DELIVERY  # in delivery or completed: results are recorded at completion


def may_record_delivery(user, match: Match) -> bool:
    """The offer's (approved) provider and the Task Force office enter a match's money, results and lessons."""
    return may_edit_offer(user, match.offer)


def require_record_delivery(user, match: Match, what: str) -> None:
    """403 for who may not; 409 for a match whose status does not take it (`what`: funding, results, lessons)."""
    if not may_record_delivery(user, match):
        raise Forbidden(_("Only the offer's provider and the Task Force office record a match's money, results "
                          "and lessons."))
    if match.status not in (FUNDING_OPEN if what == "funding" else RESULTS_OPEN):
        if what == "funding":
            raise Conflict(_("Money is recorded once the provider has accepted the match; %(ref)s is in status "
                             "“%(status)s”.", ref=match.reference, status=match.status.label))
        raise Conflict(_("Results and lessons are recorded once delivery has started; %(ref)s is in status "
                         "“%(status)s”.", ref=match.reference, status=match.status.label))


def may_comment_results(user, match: Match) -> bool:
    """The requesting State comments on each result once the delivery is reported completed."""
    return is_requesting_state(user, match.request)


def require_comment_results(user, match: Match) -> None:
    if not may_comment_results(user, match):
        raise Forbidden(_("Only the requesting State comments on a match's results."))
    if match.status != MatchStatus.COMPLETED:
        raise Conflict(_("The State comments on results once the delivery is reported completed; %(ref)s is in "
                         "status “%(status)s”.", ref=match.reference, status=match.status.label))
