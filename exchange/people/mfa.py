"""Operations of multi-factor sign-in: enrolling an authenticator app, checking a code at sign-in
(TOTP or a recovery code, each accepted once: the database decides, by a conditional update),
regenerating recovery codes, and turning it off. Each records its security event; the request commits."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from exchange.audit.security_events import record_security_event
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.people import totp as mfa
from exchange.people.credentials import MfaCredential, RecoveryCode
from exchange.people.models import User
from exchange.people.policy import may_manage_account_of
from exchange.people.schemas import CodeIn, load_input

WRONG_CODE = _l("This code is not right. Type the 6-digit code your app shows now.")


def credential(user: User) -> MfaCredential | None:
    """The user's credential, pending or enabled."""
    return db.session.get(MfaCredential, user.id)


def is_enabled(user: User) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(MfaCredential).where(
        MfaCredential.user_id == user.id, MfaCredential.enabled_at.is_not(None))))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _refuse_unless_own(actor, user: User) -> None:
    """Setting up one's second factor and its recovery codes is the person's own business."""
    if actor is None or actor.id != user.id:
        raise Forbidden()


def start_enrolment(actor, user: User, data: dict | None = None) -> MfaCredential:
    """A fresh pending secret for `user` (replacing an earlier pending one); not yet in force."""
    _refuse_unless_own(actor, user)
    cred = credential(user)
    if cred is not None and cred.enabled:
        raise Conflict(_("Two-step sign-in is already on for your account."))
    if cred is None:
        cred = MfaCredential(user_id=user.id, secret=mfa.new_secret())
        db.session.add(cred)
    else:
        cred.secret, cred.created_at, cred.last_step = mfa.new_secret(), utcnow(), None
    db.session.flush()
    return cred


def confirm_enrolment(actor, user: User, data: dict) -> list[str]:
    """Switch two-step sign-in on once the first code from the app (`data["code"]`) is right; returns the
    recovery codes (shown once: only their digests are kept)."""
    _refuse_unless_own(actor, user)
    code = load_input(CodeIn(), data, _("The code is not right."))["code"]
    cred = credential(user)
    if cred is None or cred.enabled:
        raise Conflict(_("There is no set-up in progress: start again from your account page."))
    step = mfa.matching_step(cred.secret, code)
    if step is None:
        record_security_event("security.mfa_failed", user=user, detail="wrong code while setting up")
        raise ValidationFailed(_("The code is not right."), {"code": [str(WRONG_CODE)]})
    cred.enabled_at, cred.last_step = utcnow(), step
    codes = _replace_recovery_codes(user)
    record_security_event("security.mfa_enabled", user=user)
    return codes


def regenerate_recovery_codes(actor, user: User, data: dict | None = None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    _refuse_unless_own(actor, user)
    if not is_enabled(user):
        raise Conflict(_("Two-step sign-in is not on for your account."))
    codes = _replace_recovery_codes(user)
    record_security_event("security.recovery_codes_regenerated", user=user)
    return codes


def disable(actor: User | None, user: User, data: dict | None = None) -> None:
    """Turn two-step sign-in off for `user` (by themselves, or by an admin for someone who lost their
    device): the secret and the recovery codes are deleted."""
    if not may_manage_account_of(actor, user):
        raise Forbidden()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    deleted = db.session.execute(delete(MfaCredential).where(MfaCredential.user_id == user.id)).rowcount
    if deleted:
        by = "" if actor is None or actor.id == user.id else f"by {actor.email}"
        record_security_event("security.mfa_disabled", user=user, detail=by)


def verify_second_factor(user: User, data: dict) -> str | None:
    """Which second factor `data["code"]`, typed by `user` signing in or confirming who they are, is ("totp":
    a current code from the app; "recovery": an unused recovery code of theirs), using it up; None when it is
    neither (recorded as a failure)."""
    code = load_input(CodeIn(), data, _("The code is not right."))["code"]
    if mfa.normalise_totp(code) is not None:
        if _use_totp(user, code):
            return "totp"
    elif mfa.normalise_recovery(code) is not None and _use_recovery_code(user, code):
        left = recovery_codes_left(user)
        record_security_event("security.recovery_code_used", user=user, detail=f"{left} recovery codes left")
        return "recovery"
    record_security_event("security.mfa_failed", user=user)
    return None


def _use_totp(user: User, code: str) -> bool:
    cred = credential(user)
    if cred is None or not cred.enabled:
        return False
    step = mfa.matching_step(cred.secret, code)
    if step is None:
        return False
    # Accepted only if no code of this step (or a later one) was taken before: a code is good once.
    taken = db.session.execute(
        update(MfaCredential)
        .where(MfaCredential.user_id == user.id, MfaCredential.enabled_at.is_not(None),
               or_(MfaCredential.last_step.is_(None), MfaCredential.last_step < step))
        .values(last_step=step).execution_options(synchronize_session=False)).rowcount
    db.session.expire(cred)
    return taken == 1


def _use_recovery_code(user: User, code: str) -> bool:
    digest = mfa.recovery_digest(code)
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return used == 1


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=mfa.recovery_digest(code)) for code in codes)
    db.session.flush()
    return codes
