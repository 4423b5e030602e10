"""SQLAlchemy models: reference data, people, assistance, events."""
from .assistance import AssistanceRequest, Document, Match, Offer, Suggestion
from .base import MAX_ID, as_id, utcnow
from .events import AuditEvent, Message, Notification, ThreadRead
from .mfa import MfaCredential, RecoveryCode
from .people import ORG_KINDS, ROLES, ApiToken, Organisation, PasswordReset, User, UserSession
from .reference import PILLARS, Country, Language, Modality, Region, Theme, WorkingGroup

__all__ = [
    "MAX_ID",
    "ORG_KINDS",
    "PILLARS",
    "ROLES",
    "ApiToken",
    "AssistanceRequest",
    "AuditEvent",
    "Country",
    "Document",
    "Language",
    "Match",
    "Message",
    "MfaCredential",
    "Modality",
    "Notification",
    "Offer",
    "Organisation",
    "PasswordReset",
    "RecoveryCode",
    "Region",
    "Suggestion",
    "Theme",
    "ThreadRead",
    "User",
    "UserSession",
    "WorkingGroup",
    "as_id",
    "utcnow",
]
