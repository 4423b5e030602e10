"""The demo data set: users for every role and their organisations (later parts add requests, offers,
matches). Idempotent: running it twice changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.people.models import Organisation, User
from exchange.people.operations import create_organisation, create_user

DEMO_PASSWORD = "demo-password-2026"
# The demo office accounts (coordinator, admin) must sign in with two-step sign-in: they share this published
# authenticator key, so that anyone trying the demo can add it to an app (or compute codes with pyotp).
DEMO_TOTP_SECRET = "EXCHANGEDEMOKEYTWOTHOUSANDTWENTY"

# (e-mail, name, role, organisation code)
DEMO_USERS = [
    ("admin@ctitf.demo.example", "Amina Haddad", Role.ADMIN, "CTITF"),
    ("coordinator@ctitf.demo.example", "Jonas Berg", Role.COORDINATOR, "CTITF"),
    ("focal@kaz.demo.example", "Aigerim Nurlanovna", Role.MEMBER_STATE, "KAZ"),
    ("focal@nga.demo.example", "Chinedu Okafor", Role.MEMBER_STATE, "NGA"),
    ("focal@tjk.demo.example", "Farrukh Rahimov", Role.MEMBER_STATE, "TJK"),
    ("focal@per.demo.example", "Lucía Quispe", Role.MEMBER_STATE, "PER"),
    ("focal@jor.demo.example", "Rania Al-Masri", Role.MEMBER_STATE, "JOR"),
    ("officer@unodc.demo.example", "Marco Rossi", Role.PROVIDER, "UNODC"),
    ("officer@imf.demo.example", "Priya Natarajan", Role.PROVIDER, "IMF"),
    ("officer@iaea.demo.example", "Kenji Watanabe", Role.PROVIDER, "IAEA"),
    ("officer@wco.demo.example", "Sophie Laurent", Role.PROVIDER, "WCO"),
    ("officer@interpol.demo.example", "Daniel Moreau", Role.PROVIDER, "INTERPOL"),
    ("officer@ohchr.demo.example", "Grace Mensah", Role.PROVIDER, "OHCHR"),
    ("officer@icao.demo.example", "Ahmed Farouk", Role.PROVIDER, "ICAO"),
    ("officer@nordic.demo.example", "Ingrid Solberg", Role.PROVIDER, "nordic-ct-capacity-fund"),
    ("officer@sahel.demo.example", "Moussa Diallo", Role.PROVIDER, "sahel-security-institute"),
]

OUTSIDE_PROVIDERS = [
    ("nordic-ct-capacity-fund", "Nordic Counter-Terrorism Capacity Fund", "approved",
     "A donor States' fund financing training and equipment for border and financial-intelligence services."),
    ("sahel-security-institute", "Sahel Security Studies Institute", "pending",
     "A regional research and training institute offering workshops on preventing violent extremism."),
]


def _demo_second_factor() -> None:
    """Two-step sign-in on for the demo accounts whose role needs it, with the published demo key (seed data,
    made in this transaction; a real account sets its own up on its account page)."""
    from exchange.core.models import utcnow
    from exchange.people.credentials import MfaCredential
    office = db.session.scalars(select(User).where(User.email.in_([u[0] for u in DEMO_USERS]),
                                                   User.role.in_(Role.OFFICE)))
    for user in office:
        if db.session.get(MfaCredential, user.id) is None:
            db.session.add(MfaCredential(user_id=user.id, secret=DEMO_TOTP_SECRET, enabled_at=utcnow()))


def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo organisations and users; returns (e-mail, role, organisation) for printing."""
    for code, name, approval, description in OUTSIDE_PROVIDERS:
        if db.session.scalar(select(Organisation).where(Organisation.code == code)) is None:
            create_organisation(None, {"name": name, "kind": "outside_provider", "code": code,
                                       "description": description, "approval": approval})
    for email, name, role, org in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            create_user(None, {"email": email, "role": role, "organisation": org, "password": DEMO_PASSWORD,
                               "name": name})
    db.session.flush()
    _demo_second_factor()
    from exchange.seed import demo_assistance
    demo_assistance.load()
    return [(email, role, org) for email, _, role, org in DEMO_USERS]
