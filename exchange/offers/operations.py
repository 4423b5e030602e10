"""Operations on offers: post, edit (with the version read), move."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from exchange import audit
from exchange.core import workflow
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import check_version, utcnow
from exchange.core.schemas import ActionIn, load
from exchange.core.statuses import OfferStatus
from exchange.offers.fields import OFFER
from exchange.offers.models import Offer
from exchange.offers.policy import posts_for_own_organisation, require_edit_offer, require_post_offer
from exchange.offers.schemas import OFFER_REQUIRED, OfferIn
from exchange.people.queries import organisation_by_code
from exchange.reference.queries import rows_by_code
from exchange.reference.text_language import fill_content_language


def offer_snapshot(offer: Offer) -> dict:
    """The fields of an offer as plain values (for audit diffs)."""
    return OFFER.snapshot(offer)


def create_offer(user, raw: dict, fallback_language: str | None = None) -> Offer:
    """Post an offer. Without a `content_language`, the text's detected language is recorded, else
    `fallback_language`, else none."""
    require_post_offer(user)
    data = load(OfferIn(), raw, required=OFFER_REQUIRED)
    data.pop("version", None)
    code = data.pop("organisation", None)
    if posts_for_own_organisation(user):
        if code not in (None, user.organisation.code):
            raise ValidationFailed(_("Providers post offers for their own organisation."), {"organisation": [
                _("You may only post for %(organisation)s.", organisation=user.organisation.code)]})
        organisation = user.organisation
    else:
        organisation = organisation_by_code(code) if code else None
        if organisation is None or not organisation.is_provider:
            raise ValidationFailed(_("Say which provider this offer is for."),
                                   {"organisation": [_("Give the code of a provider organisation.")]})
    offer = Offer(organisation=organisation, created_by_id=user.id, status=OfferStatus.ACTIVE)
    fill_content_language(offer, data, fallback_language)
    _apply_offer(offer, data)
    db.session.add(offer)
    db.session.flush()
    audit.record(user, "offer.created", "offer", offer.id, f"{offer.reference} posted",
                 audit.created(offer_snapshot(offer)))
    return offer


def _apply_offer(offer: Offer, data: dict) -> None:
    OFFER.apply(offer, data, rows_by_code)


def update_offer(user, offer: Offer, raw: dict, fallback_language: str | None = None) -> Offer:
    """Edit an offer; `raw` carries the version read. Without a `content_language`, a new text's detected
    language is recorded (see create_offer)."""
    require_edit_offer(user, offer)
    data = load(OfferIn(), raw, partial=True)
    check_version(offer, data)
    code = data.pop("organisation", None)
    if code and code != offer.organisation.code:
        raise ValidationFailed(_("An offer's provider cannot change."),
                               {"organisation": [_("Post a new offer instead.")]})
    for required in OFFER_REQUIRED:
        if required in data and data[required] in ("", []):
            raise ValidationFailed(_("Some required fields are empty."), {required: [_("This field is required.")]})
    before = offer_snapshot(offer)
    fill_content_language(offer, data, fallback_language)
    _apply_offer(offer, data)
    changes = audit.diff(before, offer_snapshot(offer))
    if changes:
        offer.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "offer.edited", "offer", offer.id, f"{offer.reference} edited", changes)
    return offer


def offer_move(action: str) -> Callable[..., Offer]:
    """The operation making the status move `action` (pause, resume, close) on an offer, called
    `operation(actor, offer, data)`: `data` (the body) may carry nothing but an optional `version`."""
    return workflow.move_operation("offer", action, _move_offer)


def _move_offer(user, offer: Offer, action: str, raw: dict | None) -> Offer:
    move = workflow.check_move("offer", action, user, offer)
    load(ActionIn(), {} if raw is None else raw)
    before = offer.status
    offer.status = move.target_from(before)
    db.session.flush()
    audit.record(user, f"offer.{action}", "offer", offer.id, f"{offer.reference}: {move.english_label.lower()}",
                 {"status": [before, offer.status]})
    return offer
