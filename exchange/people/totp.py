"""The rules of multi-factor sign-in, with no Flask and no database: TOTP codes (RFC 6238: 30-second
steps, 6 digits, SHA-1, as every standard authenticator app uses them) accepted one step either side of
now, the provisioning URI and its QR code (an SVG data: URI, so the page loads nothing from outside), and
recovery codes (random, shown once, kept as SHA-256 digests)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno

ISSUER = "The Exchange"
DRIFT_STEPS = 1  # a code of the step before or after now is accepted (clock drift)
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
_RECOVERY_LENGTH = 12  # 31**12 ≈ 2**59: a digest of it cannot be reversed by guessing


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code in an SVG data: URI (the CSP allows images from data:)."""
    return segno.make(uri, error="m", micro=False).svg_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise_totp(code: str) -> str | None:
    """Six digits from what was typed (spaces allowed), or None when it cannot be a code."""
    code = re.sub(r"\s+", "", code or "")
    return code if re.fullmatch(r"\d{6}", code) else None


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code `code` is (now, or one step either side), or None."""
    code = normalise_totp(code)
    if code is None:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time() if at is None else at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, written `xxxx-xxxx-xxxx`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def normalise_recovery(code: str) -> str | None:
    """A recovery code as stored (lowercase, no dashes or spaces), or None when it cannot be one."""
    code = re.sub(r"[\s-]+", "", (code or "").lower())
    return code if len(code) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in code) else None


def recovery_digest(code: str) -> str | None:
    normal = normalise_recovery(code)
    return hashlib.sha256(normal.encode()).hexdigest() if normal else None


def required_for(role: str, required_roles) -> bool:
    """Whether a user of `role` must use a second factor (config MFA_REQUIRED_ROLES)."""
    return role in set(required_roles or ())
