"""Multi-factor sign-in: a user's TOTP credential (RFC 6238) and their single-use recovery codes.

One credential row per user: its secret while enrolment is pending (`enabled_at` empty) and once it is
switched on; `last_step` is the last TOTP time step accepted, so that a code is never taken twice.
Recovery codes are stored as SHA-256 digests (each code carries 60 random bits) and marked when used."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.core.extensions import db
from exchange.core.models import utcnow


class MfaCredential(db.Model):
    """A user's authenticator-app secret (base32), pending until `enabled_at` is set."""

    __tablename__ = "mfa_credentials"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_step: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def enabled(self) -> bool:
        return self.enabled_at is not None


class RecoveryCode(db.Model):
    """One single-use recovery code, by its digest."""

    __tablename__ = "mfa_recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_mfa_recovery_codes_user_id_code_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
