"""The enums of core/statuses: a member is its value (JSON, CSV, comparisons, hashing), with its label and
colour; the named sets hold members of their own enum; model attributes hold members."""
from __future__ import annotations

import csv
import io
import json

import pytest

from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus, Role, Urgency, Visibility


def test_a_member_is_its_value_wherever_it_is_written():
    member = RequestStatus.IN_REVIEW
    assert member == "in_review" and {"in_review": 1}[member] == 1 and {member: 1}["in_review"] == 1
    assert (str(member), f"{member}", json.dumps({member: [member]})) == \
        ("in_review", "in_review", '{"in_review": ["in_review"]}')
    out = io.StringIO()
    csv.writer(out).writerow([member, Role.MEMBER_STATE])
    assert out.getvalue().strip() == "in_review,member_state"


def test_labels_colours_and_lookup():
    assert (RequestStatus.NEEDS_INFO.label, RequestStatus.NEEDS_INFO.colour) == ("Needs information", "#f2b705")
    assert (MatchStatus.COMPLETED.label, OfferStatus.PAUSED.colour) == ("Completed", "#f2b705")


def test_each_status_has_its_own_colour_and_readable_ink():
    """One colour per status (issue 14): no two statuses of a kind share one, the same step of two kinds has
    the same, and the badge's text on it contrasts at least 4.5:1."""
    from exchange.core.statuses import _contrast, status_stylesheet
    for kind in (RequestStatus, MatchStatus, OfferStatus):
        assert len({m.colour for m in kind}) == len(kind), kind
        for member in kind:
            assert _contrast(member.colour, member.ink) >= 4.5, member
    assert RequestStatus.COMPLETED.colour == MatchStatus.COMPLETED.colour == "#2b8a3e"
    assert RequestStatus.IN_DELIVERY.colour == MatchStatus.IN_DELIVERY.colour
    assert ".badge.status-request-open { background-color: #0b7285; color: #ffffff; }" in status_stylesheet()
    assert Role.COORDINATOR.label == "Task Force coordinator"
    assert list(Urgency.labels().values()) == ["Low", "Medium", "High", "Critical"]
    assert Visibility.of("restricted") is Visibility.RESTRICTED
    assert Visibility.of("public") is None and Role.of(None) is None and Role.of(["admin"]) is None


@pytest.mark.parametrize(("enum", "name"), [
    (RequestStatus, n) for n in ("LIVE", "IN_TRIAGE", "ACCEPTED", "MATCHABLE", "FOLLOWS_MATCHES",
                                 "EDITABLE_BY_STATE", "ENDED")] + [
    (MatchStatus, n) for n in ("LIVE", "BUSY", "DELIVERY")] + [(Role, "OFFICE")])
def test_named_sets_hold_members_of_their_enum(enum, name):
    members = getattr(enum, name)
    assert members and all(type(m) is enum for m in members)
    assert name not in enum.__members__  # a set, not a member


def test_model_attributes_hold_members_even_before_a_round_trip():
    from sqlalchemy.orm import configure_mappers

    from exchange.app import load_areas
    from exchange.people.models import User
    from exchange.requests.models import AssistanceRequest
    load_areas()
    configure_mappers()
    req = AssistanceRequest(status="open", urgency="high", visibility="providers")
    assert (req.status, req.urgency, req.visibility) == (RequestStatus.OPEN, Urgency.HIGH, Visibility.PROVIDERS)
    assert type(req.status) is RequestStatus and req.status.label == "Open"
    assert User(role="admin").role is Role.ADMIN
    req.status = "no such status"  # left for the database's CHECK constraint to refuse
    assert req.status == "no such status"
