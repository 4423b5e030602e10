"""Operations on people and organisations: users, passwords and their reset links, sessions, API tokens,
provider approval."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update

from exchange import audit
from exchange.audit.security_events import record_security_event
from exchange.core.errors import Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import (
    hash_password,
    new_secret_token,
    password_inputs,
    password_problems,
    token_digest,
    verify_password,
)
from exchange.core.statuses import Role
from exchange.core.texts import text
from exchange.messages.mail import queue_email
from exchange.people.models import (
    APPROVAL_STATES,
    ORG_KINDS,
    ROLES_BY_ORG_KIND,
    ApiToken,
    Organisation,
    PasswordReset,
    User,
    UserSession,
)

RESETS_PER_HOUR = 3  # links sent to one account in an hour; more requests are answered alike and send nothing


@functools.cache
def _dummy_hash() -> str:
    """Verifying against a fixed hash when the e-mail is unknown keeps the timing of both failures alike
    (made on the first failed login, not at import: hashing costs ~90 ms and 64 MiB)."""
    return hash_password("not-a-real-password-for-timing")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_email(email: str, field: str = "email") -> str:
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as err:
        raise ValidationFailed("The e-mail address is not valid.", {field: [str(err)]}) from None
    return email


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


def open_session(user: User, *, address: str = "", user_agent: str = "") -> tuple[UserSession, str]:
    """A new signed-in session of `user`: the row, and the token for the cookie (only its digest is kept)."""
    token, digest = new_secret_token()
    row = UserSession(user_id=user.id, token_hash=digest, address=(address or "")[:64],
                      user_agent=(user_agent or "")[:300])
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


def end_session(session: UserSession, reason: str) -> None:
    """End one session (its owner signs out)."""
    db.session.execute(update(UserSession).where(UserSession.id == session.id, UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason[:20]).execution_options(synchronize_session=False))


def end_sessions(actor, user: User, reason: str, keep_session_id: int | None = None) -> int:
    """End every session of `user`, but the one `keep_session_id` names (an admin's action, "sign out my
    other sessions", a password change or reset); recorded as a security event. Returns how many ended."""
    ended = user.end_all_sessions(reason, keep_session_id=keep_session_id)
    by = "" if actor is None or actor.id == user.id else f" by {actor.email}"
    record_security_event("security.sessions_ended", user=user,
                          detail=f"{ended} session(s) of {user.email} ended{by}: {reason}")
    return ended


def revoke_api_tokens(user: User) -> int:
    """Revoke every API token of `user` (a password change or reset); how many were live."""
    return db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def create_user(actor, *, email: str, role: str, organisation_code: str, password: str, name: str = "") -> User:
    fields: dict[str, list[str]] = {}
    try:
        email = _check_email(email)
    except ValidationFailed as err:
        fields.update(err.fields)
        email = normalise_email(email)
    if Role.of(role) is None:
        fields["role"] = [f"Choose one of: {', '.join(Role)}."]
    org = db.session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        fields["organisation"] = [f"No organisation with code {organisation_code!r}."]
    elif Role.of(role) is not None and role not in ROLES_BY_ORG_KIND[org.kind]:
        allowed = " or ".join(ROLES_BY_ORG_KIND[org.kind])
        fields["role"] = [f"A user of {org.code} ({org.kind_label}) must be {allowed}."]
    if problems := password_problems(password, password_inputs(email, name)):
        fields["password"] = problems
    if email and db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        fields["email"] = ["A user with this e-mail already exists."]
    if fields:
        raise ValidationFailed("The user could not be created.", fields)
    user = User(email=email, role=role, organisation=org, password_hash=hash_password(password),
                name=(name or "").strip()[:200])
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", "user", user.id, f"User {email} created as {role} of {org.code}",
                 {"email": [None, email], "role": [None, role], "organisation": [None, org.code]})
    return user


def update_user(actor, user: User, *, name: str, role: str, organisation_code: str) -> User:
    org = db.session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    fields = {}
    if org is None:
        fields["organisation"] = [f"No organisation with code {organisation_code!r}."]
    elif role not in ROLES_BY_ORG_KIND[org.kind]:
        fields["role"] = [f"A user of {org.code} must be {' or '.join(ROLES_BY_ORG_KIND[org.kind])}."]
    if fields:
        raise ValidationFailed("The user could not be changed.", fields)
    before = {"name": user.name, "role": user.role, "organisation": user.organisation.code}
    user.name, user.role, user.organisation = name.strip()[:200], role, org
    after = {"name": user.name, "role": role, "organisation": org.code}
    if before["role"] != role or before["organisation"] != org.code:
        user.end_all_sessions("role changed")
    audit.record(actor, "user.updated", "user", user.id, f"User {user.email} changed", audit.diff(before, after))
    return user


def set_user_active(actor, user: User, active: bool) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise Forbidden("You cannot disable your own account.")
    user.active = active
    if not active:
        user.end_all_sessions("disabled")
    audit.record(actor, "user.enabled" if active else "user.disabled", "user", user.id,
                 f"User {user.email} {'enabled' if active else 'disabled'}", {"active": [not active, active]})


def _new_password_problems(user: User, new: str) -> list[str]:
    return password_problems(new, password_inputs(user.email, user.name, user.organisation.name))


def change_password(user: User, current: str, new: str, keep_session_id: int | None = None) -> None:
    """The user changes their own password: every other session ends (`keep_session_id`, this browser's,
    stays) and their API tokens are revoked."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed("The current password is not right.", {"current": ["This is not your password."]})
    if problems := _new_password_problems(user, new):
        raise ValidationFailed("Choose another password.", {"password": problems})
    user.password_hash = hash_password(new)
    ended = user.end_all_sessions("password changed", keep_session_id=keep_session_id)
    revoked = revoke_api_tokens(user)
    record_security_event("security.password_changed", user=user,
                          detail=f"{user.email} changed their password: {ended} other session(s) ended, "
                                 f"{revoked} API token(s) revoked")


def set_password(actor, user: User, new: str) -> None:
    """An admin sets a user's password: every session of theirs ends and their API tokens are revoked."""
    if problems := _new_password_problems(user, new):
        raise ValidationFailed("Choose another password.", {"password": problems})
    user.password_hash = hash_password(new)
    user.end_all_sessions("password set")
    revoke_api_tokens(user)
    audit.record(actor, "user.password_set", "user", user.id, f"Password of {user.email} set")


def request_password_reset(email: str, link_for: Callable[[str], str], *, ttl: timedelta, address: str = "") -> None:
    """Someone asks for a reset link for `email`. An active account gets one by e-mail (after the commit),
    unless RESETS_PER_HOUR were sent in the last hour; an unknown e-mail gets nothing. The caller answers
    alike in every case. `link_for(token)` makes the link's full URL."""
    email = normalise_email(email)[:254]
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
                                 address=(address or "")[:64]))
    minutes = max(1, int(ttl.total_seconds() // 60))
    queue_email(user.email, "Reset your password", "\n".join([
        "Someone, hopefully you, asked to reset the password of your account on the Exchange.",
        "",
        text("To choose a new password, open this link within %(minutes)d minutes (it works once):", minutes=minutes),
        link_for(token),
        "",
        "If you did not ask, ignore this e-mail: your password stays as it is.",
    ]))
    record_security_event("security.password_reset_requested", user=user, detail="link sent")


def password_reset_for(token: str) -> PasswordReset | None:
    """The unused, unexpired reset link `token` names, for an active user; else None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(PasswordReset).join(PasswordReset.user).where(
        PasswordReset.token_hash == token_digest(token), PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > utcnow(), User.active.is_(True)))


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link: the link (and every other of the user's) is used up, every
    session of the user ends and their API tokens are revoked."""
    reset = password_reset_for(token)
    if reset is None:
        raise ValidationFailed("This link is not valid any more.",
                               {"password": ["This reset link has expired or was used already: ask for a new one."]})
    user = reset.user
    if problems := _new_password_problems(user, new):
        raise ValidationFailed("Choose another password.", {"password": problems})
    claimed = db.session.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                             PasswordReset.used_at.is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:  # another request used the link a moment ago
        raise ValidationFailed("This link is not valid any more.",
                               {"password": ["This reset link was used already: ask for a new one."]})
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    user.password_hash = hash_password(new)
    ended = user.end_all_sessions("password reset")
    revoked = revoke_api_tokens(user)
    record_security_event("security.password_reset", user=user,
                          detail=f"{user.email} set a new password by e-mail link: {ended} session(s) ended, "
                                 f"{revoked} API token(s) revoked")
    return user


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "provider"


def _unique_code(base: str) -> str:
    code, n = base, 1
    while db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.code == code)):
        n += 1
        code = f"{base}-{n}"
    return code


def create_organisation(actor, *, name: str, kind: str, code: str = "", website: str = "", description: str = "",
                        country_iso3: str | None = None, approval: str = "approved") -> Organisation:
    fields = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 200:
        fields["name"] = ["Give a name of 2 to 200 characters."]
    if kind not in ORG_KINDS:
        fields["kind"] = [f"Choose one of: {', '.join(ORG_KINDS)}."]
    if approval not in APPROVAL_STATES:
        fields["approval"] = [f"Choose one of: {', '.join(APPROVAL_STATES)}."]
    code = (code or "").strip()
    if kind == "outside_provider":
        code = slugify(code or name)
    if code and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", code):
        fields["code"] = ["Use letters, digits and hyphens only."]
    if code and db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.code == code)):
        if kind == "outside_provider":
            code = _unique_code(code)
        else:
            fields["code"] = ["An organisation with this code already exists."]
    if not code and "code" not in fields:
        fields["code"] = ["Give a code."]
    if fields:
        raise ValidationFailed("The organisation could not be saved.", fields)
    org = Organisation(code=code, name=name, kind=kind, website=(website or "").strip()[:300],
                       description=(description or "").strip(), country_iso3=country_iso3, approval=approval)
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "organisation.created", "organisation", org.id, f"Organisation {code} created",
                 {"code": [None, code], "kind": [None, kind], "approval": [None, approval]})
    return org


def register_outside_provider(*, organisation_name: str, website: str, description: str, name: str, email: str,
                              password: str) -> User:
    """An outside provider registers itself; it acts only once a coordinator approves it.

    An e-mail that already has an account registers nothing: its owner is told by e-mail instead (after the
    commit), and the caller answers exactly as for a new registration, so the page never tells whether an
    address has an account. Returns the new user, or None in that case."""
    fields = {}
    try:
        _check_email(email)
    except ValidationFailed as err:
        fields.update(err.fields)
    if problems := password_problems(password, password_inputs(email, name, organisation_name)):
        fields["password"] = problems
    if fields:
        raise ValidationFailed("The registration could not be completed.", fields)
    existing = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if existing is not None:
        hash_password(password)  # the same work as a registration, so the answer takes as long
        queue_email(existing.email, "Someone tried to register with your e-mail address", "\n".join([
            "Someone tried to register an organisation on the Exchange with your e-mail address, which already "
            "has an account.",
            "",
            "If it was you: sign in instead, or ask for a new password on the sign-in page if you forgot it.",
            "If it was not you, you need do nothing: no account was created and yours is unchanged.",
        ]))
        return None
    org = create_organisation(None, name=organisation_name, kind="outside_provider", website=website,
                              description=description, approval="pending")
    user = create_user(None, email=email, role=Role.PROVIDER, organisation_code=org.code, password=password,
                       name=name)
    return user


def set_organisation_approval(actor, org: Organisation, approval: str) -> None:
    if org.kind != "outside_provider":
        raise ValidationFailed("Only outside providers need approval.", {"approval": ["Not an outside provider."]})
    if approval not in APPROVAL_STATES:
        raise ValidationFailed("Unknown approval state.", {"approval": [f"Choose one of {APPROVAL_STATES}."]})
    before = org.approval
    org.approval = approval
    audit.record(actor, f"organisation.{approval}", "organisation", org.id,
                 f"Provider {org.code} {approval}", {"approval": [before, approval]})
    if approval != before and approval in ("approved", "rejected"):
        from exchange.messages.notify import notify, users_of
        message = (f"{org.name} is approved: you can now post offers and see the requests shared with you."
                   if approval == "approved" else f"{org.name} was not approved by the Task Force office.")
        notify(users_of([org]), f"organisation.{approval}", message, about=org)
