"""What each audit action and record type is called in words, in the reader's language (the audit trail, the
security events page): the action's code (`request.accept`) stays beside it, as it is what filters and exports
use."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_WORDS = {
    "request.created": _l("Request created"),
    "request.edited": _l("Request edited"),
    "request.submit": _l("Request submitted for review"),
    "request.submitted": _l("Request submitted for review"),
    "request.review": _l("Review of the request started"),
    "request.accept": _l("Request accepted into open"),
    "request.request-info": _l("Information asked for"),
    "request.reject": _l("Request rejected"),
    "request.withdraw": _l("Request withdrawn"),
    "request.close": _l("Request closed"),
    "request.routed": _l("Request routed to a working group"),
    "request.followed_matches": _l("Request status followed its matches"),
    "request.assigned": _l("Case owner changed"),
    "offer.created": _l("Offer created"),
    "offer.edited": _l("Offer edited"),
    "offer.pause": _l("Offer paused"),
    "offer.resume": _l("Offer reopened"),
    "offer.close": _l("Offer closed"),
    "match.proposed": _l("Match proposed"),
    "match.accept": _l("Match accepted"),
    "match.decline": _l("Match declined"),
    "match.start": _l("Delivery started"),
    "match.complete": _l("Completion reported"),
    "match.confirm": _l("Delivery confirmed"),
    "match.withdraw": _l("Match withdrawn"),
    "match.funding_added": _l("Money recorded"),
    "match.result_added": _l("Result recorded"),
    "match.result_commented": _l("The State commented on a result"),
    "match.lessons_edited": _l("Lessons learned edited"),
    "organisation.iati_identifier_set": _l("IATI identifier set"),
    "document.uploaded": _l("Document uploaded"),
    "document.deleted": _l("Document deleted"),
    "message.posted": _l("Message posted"),
    "organisation.created": _l("Organisation created"),
    "organisation.approved": _l("Organisation approved"),
    "organisation.rejected": _l("Organisation rejected"),
    "working_group.created": _l("Working group created"),
    "working_group.edited": _l("Working group edited"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account updated"),
    "user.disabled": _l("Account disabled"),
    "user.enabled": _l("Account enabled"),
    "user.password_set": _l("Password set"),
    "security.sign_in": _l("Signed in"),
    "security.sign_in_failed": _l("Sign-in failed"),
    "security.locked_out": _l("Locked out after failed sign-ins"),
    "security.sign_out": _l("Signed out"),
    "security.mfa_enabled": _l("Two-step verification turned on"),
    "security.mfa_disabled": _l("Two-step verification turned off"),
    "security.mfa_failed": _l("Two-step verification code refused"),
    "security.recovery_code_used": _l("Recovery code used"),
    "security.password_changed": _l("Password changed"),
    "security.password_reset_requested": _l("Password reset asked for"),
    "security.password_reset": _l("Password reset"),
    "security.sessions_ended": _l("Other sessions ended"),
    "security.token_issued": _l("API token issued"),
    "security.token_revoked": _l("API token revoked"),
    "security.token_refused": _l("API token refused"),
    "security.forbidden": _l("Access refused (403)"),
    "security.reauthenticated": _l("Password confirmed again"),
    "security.recovery_codes_regenerated": _l("New recovery codes made"),
}

RECORD_TYPE_WORDS = {
    "request": _l("Request"),
    "offer": _l("Offer"),
    "match": _l("Match"),
    "user": _l("Account"),
    "organisation": _l("Organisation"),
    "document": _l("Document"),
    "message": _l("Message"),
    "working_group": _l("Working group"),
}


def action_words(action: str) -> str:
    """The action in words; its code when it has none."""
    words = ACTION_WORDS.get(action)
    return str(words) if words is not None else action


def record_type_words(record_type: str) -> str:
    words = RECORD_TYPE_WORDS.get(record_type)
    return str(words) if words is not None else record_type
