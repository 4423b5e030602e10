"""Operations on people and organisations: users, passwords, sessions, API tokens, provider approval."""
from __future__ import annotations

import functools
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from .. import audit
from ..errors import Forbidden, ValidationFailed
from ..extensions import db
from ..models import Organisation, User, utcnow
from ..models.people import APPROVAL_STATES, ORG_KINDS, ROLES, ROLES_BY_ORG_KIND
from ..security import hash_password, password_problems, verify_password


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


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(actor, user: User, reason: str) -> None:
    """End every session of `user` (logout, password change, disabling)."""
    user.end_all_sessions()
    audit.record(actor, "user.sessions_ended", "user", user.id, f"Sessions of {user.email} ended: {reason}")


def create_user(actor, *, email: str, role: str, organisation_code: str, password: str, name: str = "") -> User:
    fields: dict[str, list[str]] = {}
    try:
        email = _check_email(email)
    except ValidationFailed as err:
        fields.update(err.fields)
        email = normalise_email(email)
    if role not in ROLES:
        fields["role"] = [f"Choose one of: {', '.join(ROLES)}."]
    org = db.session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        fields["organisation"] = [f"No organisation with code {organisation_code!r}."]
    elif role in ROLES and role not in ROLES_BY_ORG_KIND[org.kind]:
        allowed = " or ".join(ROLES_BY_ORG_KIND[org.kind])
        fields["role"] = [f"A user of {org.code} ({org.kind_label}) must be {allowed}."]
    if problems := password_problems(password):
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
        user.end_all_sessions()
    audit.record(actor, "user.updated", "user", user.id, f"User {user.email} changed", audit.diff(before, after))
    return user


def set_user_active(actor, user: User, active: bool) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise Forbidden("You cannot disable your own account.")
    user.active = active
    if not active:
        user.end_all_sessions()
    audit.record(actor, "user.enabled" if active else "user.disabled", "user", user.id,
                 f"User {user.email} {'enabled' if active else 'disabled'}", {"active": [not active, active]})


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed("The current password is not right.", {"current": ["This is not your password."]})
    if problems := password_problems(new):
        raise ValidationFailed("Choose another password.", {"password": problems})
    user.password_hash = hash_password(new)
    user.end_all_sessions()
    audit.record(user, "user.password_changed", "user", user.id, f"{user.email} changed their password")


def set_password(actor, user: User, new: str) -> None:
    if problems := password_problems(new):
        raise ValidationFailed("Choose another password.", {"password": problems})
    user.password_hash = hash_password(new)
    user.end_all_sessions()
    audit.record(actor, "user.password_set", "user", user.id, f"Password of {user.email} set")


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
    """An outside provider registers itself; it acts only once a coordinator approves it."""
    fields = {}
    try:
        _check_email(email)
    except ValidationFailed as err:
        fields.update(err.fields)
    if problems := password_problems(password):
        fields["password"] = problems
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == normalise_email(email))):
        fields["email"] = ["An account with this e-mail already exists: sign in instead."]
    if fields:
        raise ValidationFailed("The registration could not be completed.", fields)
    org = create_organisation(None, name=organisation_name, kind="outside_provider", website=website,
                              description=description, approval="pending")
    user = create_user(None, email=email, role="provider", organisation_code=org.code, password=password, name=name)
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
        from ..notify import notify, users_of
        message = (f"{org.name} is approved: you can now post offers and see the requests shared with you."
                   if approval == "approved" else f"{org.name} was not approved by the Task Force office.")
        notify(users_of([org]), f"organisation.{approval}", message, "/")
