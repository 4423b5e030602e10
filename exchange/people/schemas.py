"""Input of the people operations: users, passwords and their reset links, sessions, organisations and
providers' approval, API tokens, second-factor codes. Each schema holds every rule of its input (the e-mail's
form, the role an organisation's kind allows, the password rule, a free code…) and reports each field's
problem in words a person can act on; `load_input` turns them into one ValidationFailed with the
operation's message. Strings are taken as typed (no trimming: a password keeps its spaces)."""
from __future__ import annotations

import re
import unicodedata

import marshmallow as ma
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.schemas import StrictBoolean, load
from exchange.core.security import password_inputs, password_problems, verify_password
from exchange.core.statuses import Role
from exchange.people.models import (
    APPROVAL_STATES,
    ORG_KINDS,
    ROLES_BY_ORG_KIND,
    TOKEN_SCOPES,
    Organisation,
    User,
)
from exchange.people.queries import organisation_by_code

TOKEN_NAME_MAX = 100


def load_input(schema: ma.Schema, data, message: str) -> dict:
    """Validate `data` with `schema`; its problems are refused as ValidationFailed(`message`, fields)."""
    try:
        return load(schema, data)
    except ValidationFailed as err:
        raise ValidationFailed(message, err.fields) from None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_problems(email: str, field: str = "email") -> dict[str, list[str]]:
    try:
        validate_email(normalise_email(email), check_deliverability=False)
    except EmailNotValidError as err:
        return {field: [_("This is not a valid e-mail address: %(reason)s", reason=str(err))]}
    return {}


def _roles_allowed(org: Organisation, with_kind: bool = False) -> str:
    """The refusal of a role the organisation's kind does not allow, naming the roles it does."""
    allowed = ROLES_BY_ORG_KIND[org.kind]
    if len(allowed) == 1 and with_kind:
        return _("A user of %(org)s (%(kind)s) must be %(role)s.", org=org.code, kind=org.kind_label, role=allowed[0])
    if len(allowed) == 1:
        return _("A user of %(org)s must be %(role)s.", org=org.code, role=allowed[0])
    return _("A user of %(org)s must be one of: %(roles)s.", org=org.code, roles=", ".join(allowed))


def _code_taken(code: str) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.code == code)))


def slugify(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "provider"


def _unique_code(base: str) -> str:
    code, n = base, 1
    while _code_taken(code):
        n += 1
        code = f"{base}-{n}"
    return code


class _Input(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class _InputFor(_Input):
    """Input whose rules depend on the record it changes (`schema = SomeIn(record)`)."""

    def __init__(self, record, **kwargs):
        super().__init__(**kwargs)
        self.record = record


def _text(**kwargs) -> ma.fields.String:
    return ma.fields.String(load_default="", **kwargs)


class NewUserIn(_Input):
    """A new account: the e-mail (free), a role its organisation's kind allows, a password by the rule."""

    email = _text()
    role = _text()
    organisation = _text(metadata={"description": "The organisation's code."})
    password = _text()
    name = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        email = normalise_email(data["email"])
        fields = email_problems(data["email"])
        role, code = data["role"], data["organisation"]
        if Role.of(role) is None:
            fields["role"] = [_("Choose one of: %(choices)s.", choices=", ".join(Role))]
        org = organisation_by_code(code)
        if org is None:
            fields["organisation"] = [_("No organisation with code %(code)s.", code=repr(code))]
        elif Role.of(role) is not None and role not in ROLES_BY_ORG_KIND[org.kind]:
            fields["role"] = [_roles_allowed(org, with_kind=True)]
        if problems := password_problems(data["password"], password_inputs(email, data["name"])):
            fields["password"] = problems
        if email and db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
            fields["email"] = [_("A user with this e-mail already exists.")]
        if fields:
            raise ma.ValidationError(fields)

    @ma.post_load
    def clean(self, data, **kwargs):
        return data | {"email": normalise_email(data["email"]), "name": data["name"].strip()[:200],
                       "organisation": organisation_by_code(data["organisation"])}


class LanguageIn(_Input):
    """The official language a person reads the Exchange in (core/i18n.LANGUAGES)."""

    language = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        from exchange.core.i18n import LANGUAGES, is_language
        if not is_language(data["language"]):
            raise ma.ValidationError({"language": [_("Choose one of: %(choices)s.",
                                                     choices=", ".join(LANGUAGES.values()))]})


class UserChangeIn(_Input):
    """A user's name, role and organisation (the role one the organisation's kind allows)."""

    name = _text()
    role = _text()
    organisation = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        org = organisation_by_code(data["organisation"])
        if org is None:
            raise ma.ValidationError({"organisation": [_("No organisation with code %(code)s.",
                                                         code=repr(data["organisation"]))]})
        if data["role"] not in ROLES_BY_ORG_KIND[org.kind]:
            raise ma.ValidationError({"role": [_roles_allowed(org)]})

    @ma.post_load
    def clean(self, data, **kwargs):
        return data | {"name": data["name"].strip()[:200], "organisation": organisation_by_code(data["organisation"])}


class ActiveIn(_Input):
    active = StrictBoolean(required=True)


class NewPasswordIn(_InputFor):
    """A new password for the user (the record), by the one password rule (knowing their e-mail, name and
    organisation)."""

    password = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        self.check_password(data)

    def check_password(self, data) -> None:
        user = self.record
        if problems := password_problems(data["password"], password_inputs(user.email, user.name,
                                                                           user.organisation.name)):
            raise ma.ValidationError({"password": problems})


class PasswordChangeIn(NewPasswordIn):
    """The user's current password, a new one, and the session that stays signed in."""

    current = _text()
    keep_session_id = ma.fields.Integer(strict=True, allow_none=True, load_default=None)

    @ma.validates_schema
    def check(self, data, **kwargs):
        if not verify_password(self.record.password_hash, data["current"] or ""):
            raise ma.ValidationError({"current": [_("This is not your password.")]})
        self.check_password(data)


class ResetLinkIn(_Input):
    """Asking for a reset link: the e-mail typed, and the address asking."""

    email = _text()
    address = _text()


class PasswordResetIn(_Input):
    """Setting a password through a reset link: the link's token and the new password."""

    token = _text()
    password = _text()


class OrganisationIn(_Input):
    """A new organisation. An outside provider's code is a slug of its code or name, made unique; any other
    kind's code is given and must be free."""

    name = _text()
    kind = _text()
    code = _text()
    website = _text()
    description = _text()
    country_iso3 = ma.fields.String(allow_none=True, load_default=None)
    approval = ma.fields.String(load_default="approved")

    @staticmethod
    def final_code(data) -> str:
        code = (data["code"] or "").strip()
        if data["kind"] == "outside_provider":
            code = slugify(code or data["name"].strip())
            if _code_taken(code):
                code = _unique_code(code)
        return code

    @ma.validates_schema
    def check(self, data, **kwargs):
        fields = {}
        name = (data["name"] or "").strip()
        if not 2 <= len(name) <= 200:
            fields["name"] = [_("Give a name of 2 to 200 characters.")]
        if data["kind"] not in ORG_KINDS:
            fields["kind"] = [_("Choose one of: %(choices)s.", choices=", ".join(ORG_KINDS))]
        if data["approval"] not in APPROVAL_STATES:
            fields["approval"] = [_("Choose one of: %(choices)s.", choices=", ".join(APPROVAL_STATES))]
        code = (data["code"] or "").strip()
        if data["kind"] == "outside_provider":
            code = slugify(code or name)
        if code and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", code):
            fields["code"] = [_("Use letters, digits and hyphens only.")]
        if code and data["kind"] != "outside_provider" and _code_taken(code):
            fields["code"] = [_("An organisation with this code already exists.")]
        if not code and "code" not in fields:
            fields["code"] = [_("Give a code.")]
        if fields:
            raise ma.ValidationError(fields)

    @ma.post_load
    def clean(self, data, **kwargs):
        return data | {"name": data["name"].strip(), "code": self.final_code(data),
                       "website": (data["website"] or "").strip()[:300],
                       "description": (data["description"] or "").strip()}


class ProviderRegistrationIn(_Input):
    """An outside provider registering itself: its organisation and its first user."""

    organisation_name = _text()
    website = _text()
    description = _text()
    name = _text()
    email = _text()
    password = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        fields = email_problems(data["email"])
        if problems := password_problems(data["password"], password_inputs(data["email"], data["name"],
                                                                           data["organisation_name"])):
            fields["password"] = problems
        if fields:
            raise ma.ValidationError(fields)


class ApprovalIn(_InputFor):
    """The approval of an outside provider (the record)."""

    approval = _text()

    @ma.validates_schema
    def check(self, data, **kwargs):
        if self.record.kind != "outside_provider":
            raise ma.ValidationError({"approval": [_("Not an outside provider.")]})
        if data["approval"] not in APPROVAL_STATES:
            raise ma.ValidationError({"approval": [_("Choose one of: %(choices)s.", choices=", ".join(APPROVAL_STATES))]})


class SessionStartIn(_Input):
    """Where a new signed-in session comes from (kept for the account page)."""

    address = _text()
    user_agent = _text()


class SessionsEndIn(_Input):
    """Why sessions end, and the one that stays (this browser's, when a person signs out elsewhere)."""

    reason = _text()
    keep_session_id = ma.fields.Integer(strict=True, allow_none=True, load_default=None)


class TokenIn(_Input):
    """A new API token: a name, read-and-write or read-only, and its lifetime in days (empty: the default)."""

    name = _text()
    scope = ma.fields.String(load_default="write")
    days = ma.fields.Raw(allow_none=True, load_default=None)

    @ma.validates_schema
    def check(self, data, **kwargs):
        if data["scope"] not in TOKEN_SCOPES:
            raise ma.ValidationError({"scope": [_("Choose read and write, or read only.")]})
        if len((data["name"] or "").strip()) > TOKEN_NAME_MAX:
            raise ma.ValidationError({"name": [_("Use at most %(max)s characters.", max=TOKEN_NAME_MAX)]})
        lifetime_days(data["days"])

    @ma.post_load
    def clean(self, data, **kwargs):
        return data | {"name": (data["name"] or "").strip(), "days": lifetime_days(data["days"])}


def lifetime_days(raw) -> int:
    """A token's lifetime in days: the configured default when empty, else 1 to the configured maximum."""
    from flask import current_app
    default = current_app.config["API_TOKEN_LIFETIME_DAYS"]
    longest = current_app.config["API_TOKEN_MAX_LIFETIME_DAYS"]
    if raw in (None, ""):
        return default
    days = raw if isinstance(raw, int) else int(raw) if str(raw).strip().isdigit() else None
    if days is None or not 1 <= days <= longest:
        raise ma.ValidationError({"days": [_("Give a number of days from 1 to %(longest)s.", longest=longest)]})
    return days


class CodeIn(_Input):
    """A code typed for the second factor: from the authenticator app, or a recovery code."""

    code = _text()


IATI_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{2,149}")


class IatiIdentifierIn(_InputFor):
    """An organisation's identifier registered with IATI (e.g. "XM-DAC-41119"): letters, digits, ".", "_" and "-"
    (3 to 150), no other organisation holding it; empty: unknown."""

    iati_identifier = _text()

    @ma.validates("iati_identifier")
    def _check(self, value, **kwargs):
        value = value.strip()
        if not value:
            return
        if not IATI_IDENTIFIER.fullmatch(value):
            raise ma.ValidationError(_("Use the identifier as IATI registered it, e.g. XM-DAC-41119 (letters, digits, "
                                       "dots and hyphens)."))
        taken = db.session.scalar(select(Organisation.code).where(Organisation.iati_identifier == value,
                                                                  Organisation.id != self.record.id))
        if taken:
            raise ma.ValidationError(_("%(code)s already has this IATI identifier.", code=taken))
