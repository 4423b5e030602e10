"""Reference data managed in the app: admins create and edit working groups (their name, lead entities and
member entities) and the themes each covers. Every change is an audit event (record type `working_group`,
the group's code at the head of its summary); routing (requests/routing.py) reads the edited rows at once,
and `seed reference` leaves an edited group, and a theme moved in the app, as the admins left them."""
from __future__ import annotations

import re

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from exchange import audit
from exchange.core.errors import Conflict, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.schemas import load
from exchange.people.models import Organisation
from exchange.reference.models import Theme, WorkingGroup
from exchange.reference.policy import require_manage_reference

CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class WorkingGroupIn(ma.Schema):
    """A working group as an admin writes it: code (new groups only), name, lead and member entities
    (organisation codes of Task Force entities or providers), themes covered (theme codes)."""

    code = ma.fields.String(validate=ma.validate.Length(max=40))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=200))
    leads = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=64)), load_default=list)
    members = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=64)), load_default=list)
    themes = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40)), load_default=list)
    read_at = ma.fields.String(load_default=None, validate=ma.validate.Length(max=40),
                               metadata={"description": "When the group read was last edited ('' if never): a "
                                                        "later edit answers a conflict."})


def group_snapshot(group: WorkingGroup) -> dict:
    return {"name": group.name, "leads": [o.code for o in group.leads], "members": [o.code for o in group.members],
            "themes": sorted(t.code for t in themes_of(group))}


def themes_of(group: WorkingGroup) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.working_group_code == group.code).order_by(Theme.code)))


def _organisations(codes: list[str], field: str) -> list[Organisation]:
    wanted = sorted(set(codes))
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.code.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {o.code for o in orgs if o.is_provider})
    if unknown:
        raise ValidationFailed(_("Choose Task Force entities or approved providers."),
                               {field: [_("Not a provider: %(codes)s.", codes=", ".join(unknown))]})
    return sorted(orgs, key=lambda o: o.code)


def _themes(codes: list[str]) -> list[Theme]:
    wanted = sorted(set(codes))
    themes = list(db.session.scalars(select(Theme).where(Theme.code.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {t.code for t in themes})
    if unknown:
        raise ValidationFailed(_("Choose themes from the list."),
                               {"themes": [_("Unknown themes: %(codes)s.", codes=", ".join(unknown))]})
    return themes


WORDS = {"created": _l("created"), "edited": _l("edited")}


def save_working_group(user, group: WorkingGroup | None, raw: dict) -> WorkingGroup:
    """Create a working group (`group` None: `raw` carries its code) or edit one. The themes chosen are
    covered by this group from now on (taken from the group that covered them); a theme left out no longer
    is (it routes to no group until another covers it)."""
    require_manage_reference(user)
    data = load(WorkingGroupIn(), raw)
    leads = _organisations(data["leads"], "leads")
    members = _organisations(data["members"], "members")
    themes = _themes(data["themes"])
    creating = group is None
    if creating:
        code = (data.get("code") or "").strip().lower()
        if not CODE.fullmatch(code):
            raise ValidationFailed(_("Give the group a code."), {"code": [
                _("Lowercase letters, digits and hyphens, e.g. border-security.")]})
        if db.session.get(WorkingGroup, code) is not None:
            raise ValidationFailed(_("That code is taken."), {"code": [_("Another working group has this code.")]})
        group = WorkingGroup(code=code, name=data["name"], source="")
        db.session.add(group)
        db.session.flush()
        before = {}
    else:
        db.session.refresh(group, with_for_update=True)  # two admins saving at once: the second sees the first
        if data.get("read_at") is not None and data["read_at"] != edit_stamp(group):
            raise Conflict(_("Someone else saved this working group while you were editing it: reload it."))
        before = group_snapshot(group)
    now = utcnow()
    group.name = data["name"].strip()
    group.leads, group.members = leads, members
    group.edited_at = now
    chosen = {t.code for t in themes}
    for theme in themes_of(group):
        if theme.code not in chosen:
            theme.working_group_code, theme.working_group_edited_at = None, now
    for theme in themes:
        if theme.working_group_code != group.code:
            theme.working_group_code, theme.working_group_edited_at = group.code, now
    db.session.flush()
    db.session.expire(group)
    after = group_snapshot(group)
    changes = audit.created(after) if creating else audit.diff(before, after)
    if changes:
        action = "created" if creating else "edited"
        audit.record(user, f"working_group.{action}", "working_group", None, f"{group.code}: working group {action}",
                     changes)
    return group


def edit_stamp(group: WorkingGroup) -> str:
    """What the edit form carries back to tell a later edit from the one it read."""
    return group.edited_at.isoformat() if group.edited_at else ""


def group_history(group: WorkingGroup) -> list:
    """The group's audit events, oldest first."""
    from exchange.audit.models import AuditEvent
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "working_group",
                                                            AuditEvent.summary.like(f"{group.code}: %"))
                                   .order_by(AuditEvent.at, AuditEvent.id)))
