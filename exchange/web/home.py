"""Each role's home page at `/`: what needs this person now.

A State: requests waiting for its information, deliveries to confirm, its recent requests. A provider:
proposed matches to answer, deliveries to report, requests newly routed to it. A coordinator: the
triage queue (count and oldest), stalled cases, providers awaiting approval. An admin: counts and the
latest audit events."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from exchange.audit.models import AuditEvent
from exchange.core.access import PUBLIC, allow
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import MatchStatus, RequestStatus, Role, status_stylesheet
from exchange.matches.models import Match
from exchange.matches.policy import match_scope
from exchange.messages.models import Notification
from exchange.messages.reminders import DEFAULT_STALLED_DAYS, stalled_matches, stalled_requests, waiting
from exchange.offers.models import Offer
from exchange.people.models import Organisation, User
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import request_scope

bp = Blueprint("home", __name__)
SHOW = 5


def _matches(user, *conditions, limit: int = 20):
    return list(db.session.scalars(
        select(Match).options(selectinload(Match.request).selectinload(AssistanceRequest.country),
                              selectinload(Match.offer).selectinload(Offer.organisation))
        .where(match_scope(user), *conditions).order_by(Match.status_changed_at).limit(limit)))


def _requests(user, *conditions, order=None, limit: int = 20):
    return list(db.session.scalars(
        select(AssistanceRequest).options(selectinload(AssistanceRequest.country))
        .where(request_scope(user), *conditions)
        .order_by(*(order if order is not None else [AssistanceRequest.status_changed_at])).limit(limit)))


def state_home(user) -> dict:
    return {
        "needs_info": _requests(user, AssistanceRequest.status == RequestStatus.NEEDS_INFO),
        "to_confirm": _matches(user, Match.status == MatchStatus.COMPLETED, Match.confirmed_at.is_(None)),
        "recent": _requests(user, order=[AssistanceRequest.updated_at.desc()], limit=SHOW * 2),
    }


def provider_home(user) -> dict:
    routed_ids = select(Notification.record_id).where(Notification.user_id == user.id,
                                                      Notification.kind == "request.routed",
                                                      Notification.record_type == "request",
                                                      Notification.at >= utcnow() - timedelta(days=30))
    routed = _requests(user, AssistanceRequest.id.in_(routed_ids), AssistanceRequest.status == RequestStatus.OPEN,
                       order=[AssistanceRequest.accepted_at.desc()], limit=SHOW * 2)
    return {
        "to_answer": _matches(user, Match.status == MatchStatus.PROPOSED),
        "to_report": _matches(user, Match.status.in_(MatchStatus.BUSY)),
        "routed": routed,
    }


def coordinator_home(user) -> dict:
    from exchange.matches.queue import queue_query
    now = utcnow()
    queue_count = db.session.scalar(select(func.count()).select_from(AssistanceRequest).where(
        AssistanceRequest.status.in_(RequestStatus.IN_TRIAGE)))
    oldest = [{"req": r, **waiting(r, now)} for r in db.session.scalars(queue_query().limit(SHOW))]
    before = now - timedelta(days=DEFAULT_STALLED_DAYS)
    return {
        "queue_count": queue_count,
        "oldest": oldest,
        # The cases `flask reminders send` reminds their holders of, with its default delay.
        "stalled_requests": _requests(user, *stalled_requests(before), limit=SHOW * 2),
        "stalled_matches": _matches(user, *stalled_matches(before), limit=SHOW * 2),
        "stalled_days": DEFAULT_STALLED_DAYS,
    }


def admin_home(user) -> dict:
    return {
        "user_count": db.session.scalar(select(func.count()).select_from(User)),
        "organisation_count": db.session.scalar(select(func.count()).select_from(Organisation)),
        "recent_events": list(db.session.scalars(select(AuditEvent).options(selectinload(AuditEvent.actor))
                                                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(10))),
    }


@bp.route("/statuses.css")
@allow(PUBLIC)
def status_colours():
    """The status badges' colours, written from the status enums (core/statuses.py), the one definition the
    charts use too."""
    return Response(status_stylesheet(), mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.route("/")
@allow(*Role, approved=False)
def index():
    user = current_user
    context: dict = {}
    if user.role in Role.OFFICE:
        context["pending_providers"] = db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.kind == "outside_provider",
                                                                 Organisation.approval == "pending"))
    if user.role == Role.MEMBER_STATE:
        context.update(state_home(user))
    elif user.role == Role.PROVIDER and user.organisation.is_approved:
        context.update(provider_home(user))
    elif user.role == Role.COORDINATOR:
        context.update(coordinator_home(user))
    elif user.role == Role.ADMIN:
        context.update(admin_home(user))
    return render_template(f"home/{user.role}.html", **context)
