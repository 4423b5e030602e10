"""Offers: who may see them (the SQL scope, registered with core.visibility), post and change them."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import false, or_, select, true

from exchange.core import visibility
from exchange.core.access import is_office, may_edit_offer
from exchange.core.errors import Forbidden
from exchange.core.statuses import OfferStatus, Role
from exchange.offers.models import Offer


def offer_scope(user):
    """SQL filter: the offers `user` may see. The directory is open to every signed-in person;
    closed offers only to their provider and the Task Force office."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role in Role.OFFICE:
        return true()
    own = Offer.organisation_id == user.organisation_id
    if user.role == Role.PROVIDER and not user.organisation.is_approved:
        return own
    return or_(own, Offer.status != OfferStatus.CLOSED)


visibility.register(Offer, "Offer", scope=offer_scope)


def visible_offers(user):
    return select(Offer).where(offer_scope(user))


def get_offer(user, offer_id) -> Offer:
    return visibility.get_visible(Offer, user, offer_id)


def may_post_offer(user) -> bool:
    return (user.role == Role.PROVIDER and user.organisation.is_approved) or is_office(user)


def posts_for_own_organisation(user) -> bool:
    """A provider posts (and imports) offers for its own organisation only; the Task Force office chooses
    the provider (the operations hold it, and the forms offer the choice only to the office)."""
    return user.role == Role.PROVIDER


def require_post_offer(user) -> None:
    if not may_post_offer(user):
        raise Forbidden(_("Only approved providers and the Task Force office post offers."))


def require_edit_offer(user, offer: Offer) -> None:
    if not may_edit_offer(user, offer):
        raise Forbidden(_("Only the offer's provider or the Task Force office may change this offer."))


def offer_scope_covers_active(user) -> bool:
    """Whether `user` may see every active offer (offer_scope holds them all): then the reports read where
    active offers can deliver from their summary (reports/summary.py) instead of from each offer."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return user.role in Role.OFFICE or not (user.role == Role.PROVIDER and not user.organisation.is_approved)
