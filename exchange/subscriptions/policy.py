"""Who may save searches (providers of approved organisations and coordinators) and whose a search is."""
from __future__ import annotations

from exchange.core.errors import Forbidden, NotFound
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.subscriptions.models import SavedSearch


def may_save_searches(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.PROVIDER and user.organisation.is_approved


def require_save_searches(user) -> None:
    if not may_save_searches(user):
        from flask_babel import gettext as _
        raise Forbidden(_("Only providers and coordinators save searches."))


def get_own_search(user, search_id: int) -> SavedSearch:
    """The user's own saved search; NotFound for anyone else's, as for one that does not exist."""
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id:
        from flask_babel import gettext as _
        raise NotFound(_("This saved search does not exist or is not yours."))
    return search
