"""Organisations, users, their sign-in sessions, password-reset links and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.i18n import keeps_account_language
from exchange.core.models import EnumText, utcnow
from exchange.core.side_writes import defer_write
from exchange.core.statuses import Role

ORG_KINDS = ("member_state", "task_force_entity", "outside_provider", "task_force_office")
ORG_KIND_LABELS = {
    "member_state": _l("Member State"),
    "task_force_entity": _l("Task Force entity"),
    "outside_provider": _l("Outside provider"),
    "task_force_office": _l("Task Force office"),
}
# Which roles a user of each kind of organisation may hold.
ROLES_BY_ORG_KIND = {
    "member_state": (Role.MEMBER_STATE,),
    "task_force_entity": (Role.PROVIDER,),
    "outside_provider": (Role.PROVIDER,),
    "task_force_office": Role.OFFICE,
}
APPROVAL_STATES = ("pending", "approved", "rejected")
APPROVAL_LABELS = {"pending": _l("Awaiting approval"), "approved": _l("Approved"), "rejected": _l("Rejected")}


class Organisation(db.Model):
    """A Member State, a Task Force entity, an outside provider or the Task Force office."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    country_iso3: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"), index=True)
    approval: Mapped[str] = mapped_column(String(10), default="approved")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Its organisation identifier registered with IATI (e.g. "XM-DAC-41119", "GB-GOV-1"); "" when unknown.
    iati_identifier: Mapped[str] = mapped_column(String(150), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_approved(self) -> bool:
        return self.approval == "approved"

    @property
    def is_provider(self) -> bool:
        return self.kind in ("task_force_entity", "outside_provider")

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS.get(self.kind, self.kind))

    @property
    def approval_label(self) -> str:
        return str(APPROVAL_LABELS.get(self.approval, self.approval))

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"


class User(db.Model):
    """A person who signs in. Each browser signed in is a `UserSession` of theirs."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The official language the person reads the Exchange in (core/i18n.LANGUAGES); None until they choose,
    # when pages follow their browser. E-mails and notifications are written in it.
    language: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    # Flask-Login protocol: the cookie carries the token of one UserSession, never the user's id. The token is
    # known only while the session is being started (`session_key`, set by web/sessions.start_session).
    session_key = ""

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_key

    def end_all_sessions(self, reason: str = "ended", keep_session_id: int | None = None) -> int:
        """End every live session of this user (but the one `keep_session_id` names); how many ended."""
        stmt = (update(UserSession).where(UserSession.user_id == self.id, UserSession.ended_at.is_(None))
                .values(ended_at=utcnow(), end_reason=reason[:20]))
        if keep_session_id is not None:
            stmt = stmt.where(UserSession.id != keep_session_id)
        return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def role_label(self) -> str:
        return self.role.label

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


TOKEN_SCOPES = ("write", "read")
TOKEN_SCOPE_LABELS = {"write": _l("Read and write"), "read": _l("Read only (GET and HEAD)")}


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored. It stops working when it expires
    or is revoked; a `read` token may only read (GET and HEAD)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    scope: Mapped[str] = mapped_column(String(10), default="write")

    user: Mapped[User] = relationship(lazy="joined")

    def state(self, now: datetime) -> str:
        """"active", "expired" or "revoked" at `now`."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    @property
    def scope_label(self) -> str:
        return str(TOKEN_SCOPE_LABELS.get(self.scope, self.scope))

class UserSession(db.Model):
    """One signed-in browser: the cookie carries a random token, only its SHA-256 digest is stored. A session
    ends on sign-out, on a password change or reset, or when an admin or its owner ends it; it lapses after
    SESSION_IDLE_TIMEOUT without a request and PERMANENT_SESSION_LIFETIME after it began."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped[User] = relationship(lazy="joined")


class PasswordReset(db.Model):
    """A password-reset link sent by e-mail: single use, short-lived, only the token's digest is stored."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="joined")


@keeps_account_language
def keep_language_on_account(user_id: int, code: str) -> None:
    """A language a signed-in person chose with ?lang=, written on their account after the request, in a
    transaction of its own (the page that chose it is a read)."""
    defer_write(lambda connection: connection.execute(
        update(User).where(User.id == user_id).values(language=code)))
