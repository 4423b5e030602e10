"""Operations on people and organisations: users, passwords and their reset links, sessions, API tokens,
provider approval. Each is `operation(actor, record, data)` (or `operation(actor, data)` when it makes a
record): `data` is validated by its schema in people/schemas.py, and who may act is asked of people/policy.py
here (`actor` None is the command line, or nobody signed in where a person acts on their own: registering,
asking for a reset link). The request commits (core/transactions.py)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update

from exchange import audit
from exchange.audit.security_events import record_security_event
from exchange.core.errors import Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.i18n import page_language, speaking
from exchange.core.models import utcnow
from exchange.core.schemas import load
from exchange.core.security import hash_password, new_secret_token, token_digest, verify_password
from exchange.core.statuses import Role
from exchange.messages.mail import queue_email
from exchange.people.models import ApiToken, Organisation, PasswordReset, User, UserSession
from exchange.people.policy import may_approve_providers, may_manage_account_of, may_manage_people
from exchange.people.schemas import (
    ActiveIn,
    ApprovalIn,
    IatiIdentifierIn,
    LanguageIn,
    NewPasswordIn,
    NewUserIn,
    OrganisationIn,
    PasswordChangeIn,
    PasswordResetIn,
    ProviderRegistrationIn,
    ResetLinkIn,
    SessionsEndIn,
    SessionStartIn,
    UserChangeIn,
    load_input,
    normalise_email,
)

RESETS_PER_HOUR = 3  # links sent to one account in an hour; more requests are answered alike and send nothing


@functools.cache
def _dummy_hash() -> str:
    """Verifying against a fixed hash when the e-mail is unknown keeps the timing of both failures alike
    (made on the first failed login, not at import: hashing costs ~90 ms and 64 MiB)."""
    return hash_password("not-a-real-password-for-timing")


def user_by_email(email: str) -> User | None:
    """The account this e-mail names, active or not (None if none)."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    return user  # last_login_at is set when the session starts (open_session), after any second factor


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("Only administrators manage people and organisations."))


def open_session(user: User, data: dict | None = None) -> tuple[UserSession, str]:
    """A new signed-in session of `user`, verified just now (`data`: its `address` and `user_agent`): the
    row, and the token for the cookie (only its digest is kept)."""
    data = load_input(SessionStartIn(), data or {}, _("The session could not be started."))
    token, digest = new_secret_token()
    row = UserSession(user_id=user.id, token_hash=digest, address=data["address"][:64],
                      user_agent=data["user_agent"][:300])
    db.session.add(row)
    user.last_login_at = utcnow()
    db.session.flush()
    return row, token


def session_for_token(token: str) -> UserSession | None:
    """The live (not ended) session this cookie token names, with its active user; lapse is checked by the caller."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    return db.session.scalar(select(UserSession).join(UserSession.user).where(
        UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None), User.active.is_(True)))


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions not ended nor lapsed (idle time judged by `last_seen_at`, written once a minute)."""
    from flask import current_app
    now = utcnow()
    config = current_app.config
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None),
        UserSession.created_at > now - config["PERMANENT_SESSION_LIFETIME"],
        UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1),
    ).order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_session(actor, session: UserSession, data: dict) -> None:
    """End one session (its owner signs out; `data`: the `reason`)."""
    if not may_manage_account_of(actor, session.user):
        raise Forbidden()
    reason = load_input(SessionsEndIn(), data, _("The session could not be ended."))["reason"]
    db.session.execute(update(UserSession).where(UserSession.id == session.id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason[:20]).execution_options(synchronize_session=False))


def end_sessions(actor, user: User, data: dict) -> int:
    """End every session of `user`, but the one `data["keep_session_id"]` names, for `data["reason"]` (an
    admin's action, "sign out my other sessions"); recorded as a security event. Returns how many ended."""
    if not may_manage_account_of(actor, user):
        raise Forbidden()
    data = load_input(SessionsEndIn(), data, _("The sessions could not be ended."))
    reason = data["reason"]
    ended = user.end_all_sessions(reason, keep_session_id=data["keep_session_id"])
    by = "" if actor is None or actor.id == user.id else f" by {actor.email}"
    record_security_event("security.sessions_ended", user=user,
                          detail=f"{ended} session(s) of {user.email} ended{by}: {reason}")
    return ended


def revoke_api_tokens(user: User) -> int:
    """Revoke every API token of `user` (a password change or reset); how many were live."""
    return db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def create_user(actor, data: dict) -> User:
    """A new account (admins, or the command line): `data` is NewUserIn's `email`, `role`, `organisation`
    (its code), `password` and `name`."""
    _refuse_unless(may_manage_people(actor))
    return _new_user(actor, data)


def _new_user(actor, data: dict) -> User:
    data = load_input(NewUserIn(), data, _("The user could not be created."))
    email, role, org = data["email"], data["role"], data["organisation"]
    user = User(email=email, role=role, organisation=org, password_hash=hash_password(data["password"]),
                name=data["name"])
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", "user", user.id, f"User {email} created as {role} of {org.code}",
                 {"email": [None, email], "role": [None, role], "organisation": [None, org.code]})
    return user


def update_user(actor, user: User, data: dict) -> User:
    """Change a user's `name`, `role` and `organisation` (its code); a new role or organisation ends their
    sessions."""
    _refuse_unless(may_manage_people(actor))
    data = load_input(UserChangeIn(), data, _("The user could not be changed."))
    name, role, org = data["name"], data["role"], data["organisation"]
    before = {"name": user.name, "role": user.role, "organisation": user.organisation.code}
    user.name, user.role, user.organisation = name, role, org
    after = {"name": user.name, "role": role, "organisation": org.code}
    if before["role"] != role or before["organisation"] != org.code:
        user.end_all_sessions("role changed")
    audit.record(actor, "user.updated", "user", user.id, f"User {user.email} changed", audit.diff(before, after))
    return user


def set_user_active(actor, user: User, data: dict) -> None:
    """Enable or disable an account (`data["active"]`); disabling ends its sessions."""
    _refuse_unless(may_manage_people(actor))
    active = load_input(ActiveIn(), data, _("The user could not be changed."))["active"]
    if actor is not None and actor.id == user.id and not active:
        raise Forbidden(_("You cannot disable your own account."))
    user.active = active
    if not active:
        user.end_all_sessions("disabled")
    audit.record(actor, "user.enabled" if active else "user.disabled", "user", user.id,
                 f"User {user.email} {'enabled' if active else 'disabled'}", {"active": [not active, active]})


def change_password(actor, user: User, data: dict) -> None:
    """The user changes their own password (`data`: the `current` one, the new `password`): every other
    session ends (`keep_session_id`, this browser's, stays) and their API tokens are revoked."""
    if actor is None or actor.id != user.id:
        raise Forbidden()
    try:
        data = load(PasswordChangeIn(user), data)
    except ValidationFailed as err:
        message = _("The current password is not right.") if "current" in err.fields else _("Choose another password.")
        raise ValidationFailed(message, err.fields) from None
    user.password_hash = hash_password(data["password"])
    ended = user.end_all_sessions("password changed", keep_session_id=data["keep_session_id"])
    revoked = revoke_api_tokens(user)
    record_security_event("security.password_changed", user=user,
                          detail=f"{user.email} changed their password: {ended} other session(s) ended, "
                                 f"{revoked} API token(s) revoked")


def set_password(actor, user: User, data: dict) -> None:
    """An admin sets a user's `password`: every session of theirs ends and their API tokens are revoked."""
    _refuse_unless(may_manage_people(actor))
    data = load_input(NewPasswordIn(user), data, _("Choose another password."))
    user.password_hash = hash_password(data["password"])
    user.end_all_sessions("password set")
    revoke_api_tokens(user)
    audit.record(actor, "user.password_set", "user", user.id, f"Password of {user.email} set")


def request_password_reset(actor, data: dict, *, link_for: Callable[[str], str]) -> None:
    """Someone (nobody signed in: `actor` None) asks for a reset link for `data["email"]` from
    `data["address"]`. An active account gets one by e-mail (after the commit), valid PASSWORD_RESET_TTL,
    unless RESETS_PER_HOUR were sent in the last hour; an unknown e-mail gets nothing. The caller answers
    alike in every case. `link_for(token)` makes the link's full URL."""
    from flask import current_app
    data = load_input(ResetLinkIn(), data, _("The reset link could not be sent."))
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    email = normalise_email(data["email"])[:254]
    user = db.session.scalar(select(User).where(User.email == email, User.active.is_(True))) if email else None
    if user is None:
        record_security_event("security.password_reset_requested", email=email, detail="no active account")
        return
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:
        record_security_event("security.password_reset_requested", user=user, detail="too many links this hour")
        return
    token, digest = new_secret_token()
    db.session.add(PasswordReset(user_id=user.id, token_hash=digest, created_at=now, expires_at=now + ttl,
                                 address=data["address"][:64]))
    minutes = max(1, int(ttl.total_seconds() // 60))
    with speaking(user.language or page_language()):  # the owner's language, else the page's they asked on
        queue_email(user.email, _("Reset your password"), "\n".join([
            _("Someone, hopefully you, asked to reset the password of your account on the Exchange."),
            "",
            ngettext("To choose a new password, open this link within %(num)d minute (it works once):",
                     "To choose a new password, open this link within %(num)d minutes (it works once):", minutes),
            link_for(token),
            "",
            _("If you did not ask, ignore this e-mail: your password stays as it is."),
        ]))
    record_security_event("security.password_reset_requested", user=user, detail="link sent")


def password_reset_for(token: str) -> PasswordReset | None:
    """The unused, unexpired reset link `token` names, for an active user; else None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(PasswordReset).join(PasswordReset.user).where(
        PasswordReset.token_hash == token_digest(token), PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > utcnow(), User.active.is_(True)))


def reset_password(actor, data: dict) -> User:
    """Set a new `password` through the reset link `token` names: the link (and every other of the user's) is
    used up, every session of the user ends and their API tokens are revoked."""
    data = load_input(PasswordResetIn(), data, _("This link is not valid any more."))
    reset = password_reset_for(data["token"])
    if reset is None:
        raise ValidationFailed(_("This link is not valid any more."),
                               {"password": [_("This reset link has expired or was used already: ask for a new one.")]})
    user = reset.user
    load_input(NewPasswordIn(user), {"password": data["password"]}, _("Choose another password."))
    claimed = db.session.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                             PasswordReset.used_at.is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:  # another request used the link a moment ago
        raise ValidationFailed(_("This link is not valid any more."),
                               {"password": [_("This reset link was used already: ask for a new one.")]})
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    user.password_hash = hash_password(data["password"])
    ended = user.end_all_sessions("password reset")
    revoked = revoke_api_tokens(user)
    record_security_event("security.password_reset", user=user,
                          detail=f"{user.email} set a new password by e-mail link: {ended} session(s) ended, "
                                 f"{revoked} API token(s) revoked")
    return user


def create_organisation(actor, data: dict) -> Organisation:
    """A new organisation (admins, or the command line and the seeds): OrganisationIn's `name`, `kind`,
    `code`, `website`, `description`, `country_iso3`, `approval`."""
    _refuse_unless(may_manage_people(actor))
    return _new_organisation(actor, data)


def _new_organisation(actor, data: dict) -> Organisation:
    data = load_input(OrganisationIn(), data, _("The organisation could not be saved."))
    code, kind, approval = data["code"], data["kind"], data["approval"]
    org = Organisation(code=code, name=data["name"], kind=kind, website=data["website"],
                       description=data["description"], country_iso3=data["country_iso3"], approval=approval)
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "organisation.created", "organisation", org.id, f"Organisation {code} created",
                 {"code": [None, code], "kind": [None, kind], "approval": [None, approval]})
    return org


def set_iati_identifier(actor, org: Organisation, data: dict) -> Organisation:
    """An administrator records the organisation's IATI identifier (`data`: IatiIdentifierIn's `iati_identifier`;
    empty clears it): the IATI export names the organisation by it."""
    _refuse_unless(may_manage_people(actor))
    value = load_input(IatiIdentifierIn(org), data, _("The IATI identifier could not be saved."))["iati_identifier"]
    value = value.strip()
    before = org.iati_identifier
    if value != before:
        org.iati_identifier = value
        db.session.flush()
        audit.record(actor, "organisation.iati_identifier_set", "organisation", org.id,
                     f"Organisation {org.code}: IATI identifier {value or '(none)'}",
                     {"iati_identifier": [before or None, value or None]})
    return org


def register_outside_provider(actor, data: dict) -> User | None:
    """An outside provider registers itself (nobody signed in: `actor` None); it acts only once a coordinator
    approves it. `data`: ProviderRegistrationIn's `organisation_name`, `website`, `description`, `name`,
    `email`, `password`.

    An e-mail that already has an account registers nothing: its owner is told by e-mail instead (after the
    commit), and the caller answers exactly as for a new registration, so the page never tells whether an
    address has an account. Returns the new user, or None in that case."""
    data = load_input(ProviderRegistrationIn(), data, _("The registration could not be completed."))
    existing = user_by_email(data["email"])
    if existing is not None:
        hash_password(data["password"])  # the same work as a registration, so the answer takes as long
        with speaking(existing.language or page_language()):
            queue_email(existing.email, _("Someone tried to register with your e-mail address"), "\n".join([
                _("Someone tried to register an organisation on the Exchange with your e-mail address, which "
                  "already has an account."),
                "",
                _("If it was you: sign in instead, or ask for a new password on the sign-in page if you forgot it."),
                _("If it was not you, you need do nothing: no account was created and yours is unchanged."),
            ]))
        return None
    org = _new_organisation(None, {"name": data["organisation_name"], "kind": "outside_provider",
                                   "website": data["website"], "description": data["description"],
                                   "approval": "pending"})
    return _new_user(None, {"email": data["email"], "role": Role.PROVIDER, "organisation": org.code,
                            "password": data["password"], "name": data["name"]})


def set_language(actor, user: User, data: dict) -> None:
    """The official language `user` reads the Exchange in (`data["language"]`: ar, zh, en, fr, ru or es); their
    pages, notifications and e-mails speak it."""
    if not may_manage_account_of(actor, user):
        raise Forbidden()
    user.language = load_input(LanguageIn(), data, _("Choose a language."))["language"]


def set_organisation_approval(actor, org: Organisation, data: dict) -> None:
    """The Task Force office approves, rejects or puts back to pending (`data["approval"]`) an outside
    provider; its people are told of a decision."""
    if not may_approve_providers(actor):
        raise Forbidden(_("Only the Task Force office approves providers."))
    approval = load_input(ApprovalIn(org), data, _("Unknown approval state."))["approval"]
    before = org.approval
    org.approval = approval
    audit.record(actor, f"organisation.{approval}", "organisation", org.id,
                 f"Provider {org.code} {approval}", {"approval": [before, approval]})
    if approval != before and approval in ("approved", "rejected"):
        from exchange.messages.notify import notify, users_of
        message = (_l("%(name)s is approved: you can now post offers and see the requests shared with you.")
                   if approval == "approved" else _l("%(name)s was not approved by the Task Force office."))
        notify(users_of([org]), f"organisation.{approval}", message, values={"name": org.name}, about=org)
