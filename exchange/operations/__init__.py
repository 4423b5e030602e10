"""Every change a person can make: validate, authorise, apply, audit, notify; callers commit.

Pages, the API and the CLI call these functions; nothing here knows about HTTP. Each function
leaves its work in the current transaction, so that the caller's single commit writes the
change, its audit event and its notifications together (or none of them).
"""
from .assistance import create_offer, create_request, move_offer, move_request, update_offer, update_request
from .matches import move_match, propose_match
from .people import (
                     authenticate,
                     change_password,
                     create_organisation,
                     create_user,
                     end_sessions,
                     register_outside_provider,
                     request_password_reset,
                     reset_password,
                     set_organisation_approval,
                     set_user_active,
                     update_user,
)
from .tokens import get_token, issue_api_token, revoke_api_token, tokens_of

__all__ = [
                     "authenticate",
                     "change_password",
                     "create_offer",
                     "create_organisation",
                     "create_request",
                     "create_user",
                     "end_sessions",
                     "get_token",
                     "issue_api_token",
                     "move_match",
                     "move_offer",
                     "move_request",
                     "propose_match",
                     "register_outside_provider",
                     "request_password_reset",
                     "reset_password",
                     "revoke_api_token",
                     "set_organisation_approval",
                     "set_user_active",
                     "tokens_of",
                     "update_offer",
                     "update_request",
                     "update_user",
]
