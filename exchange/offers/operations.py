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
    code = raw.get("organisation") if isinstance(raw, dict) else None
    organisation, refusal = _provider_of(user, code if isinstance(code, str) and code.strip() else None)
    try:
        data = load(OfferIn(), raw, required=OFFER.missing_messages(OFFER_REQUIRED))
    except ValidationFailed as err:  # every problem at once: the provider's with the fields'
        if refusal:
            raise ValidationFailed(err.message, {**err.fields, **refusal.fields}) from None
        raise
    if refusal:
        raise refusal
    data.pop("version", None)
    data.pop("organisation", None)
    offer = Offer(organisation=organisation, created_by_id=user.id, status=OfferStatus.ACTIVE)
    fill_content_language(offer, data, fallback_language)
    _apply_offer(offer, data)
    db.session.add(offer)
    db.session.flush()
    audit.record(user, "offer.created", "offer", offer.id, f"{offer.reference} posted",
                 audit.created(offer_snapshot(offer)))
    return offer


def _provider_of(user, code: str | None):
    """The provider an offer is posted for, or None and the refusal saying why."""
    if posts_for_own_organisation(user):
        if code not in (None, user.organisation.code):
            return None, ValidationFailed(_("Providers post offers for their own organisation."), {"organisation": [
                _("You may only post for %(organisation)s.", organisation=user.organisation.code)]})
        return user.organisation, None
    organisation = organisation_by_code(code.strip()) if code else None
    if organisation is None or not organisation.is_provider:
        return None, ValidationFailed(_("Say which provider this offer is for."),
                                      {"organisation": [_("Choose the provider: give the code of a provider organisation.")]})
    return organisation, None


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
    emptied = [name for name in OFFER_REQUIRED if name in data and data[name] in ("", [])]
    if emptied:
        raise ValidationFailed(_("Some required fields are empty."),
                               {name: [message] for name, message in OFFER.missing_messages(emptied).items()})
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
