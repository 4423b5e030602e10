"""The access policy, called directly against the test database (no HTTP): the SQL scopes of requests,
offers and matches for each role × visibility × status that matters (a State's own and other requests, a Task
Force entity's and an outside provider's, approved or pending, restricted requests shared or not, the grant a
provider's match gives, closed offers, the office), who_may_see and get_visible, and the yes/no rules of
each area (file, edit, share, post, propose, suggestions, threads, tokens)."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from exchange.core.errors import Forbidden, NotFound
from exchange.core.extensions import db
from exchange.core.visibility import get_visible, may_see, who_may_see
from exchange.matches.models import Match
from exchange.matches.policy import (
    match_scope,
    may_propose_match,
    may_see_offer_suggestions,
    may_see_request_suggestions,
    visible_matches,
)
from exchange.messages.policy import may_see_message_thread
from exchange.offers.models import Offer
from exchange.offers.policy import (
    may_post_offer,
    offer_scope,
    posts_for_own_organisation,
    require_edit_offer,
    visible_offers,
)
from exchange.people.models import Organisation
from exchange.people.policy import may_manage_account_of, sees_organisation
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import (
    files_for_own_state,
    may_edit_request,
    may_file_request,
    may_share_request,
    request_scope,
    require_edit_request,
    visible_requests,
)
from tests.factories import REQUEST_PATHS, make_match, make_offer, make_request, make_user, user_of

PEOPLE = ["state", "other_state", "provider", "other_provider", "outside", "pending", "coordinator", "admin"]
EVERYONE = ["anonymous", "inactive", *PEOPLE]


@pytest.fixture
def persons(ctx, people):
    """Each person of `people` as a User of this test's session, an inactive UNODC officer and an anonymous
    visitor."""
    found = {name: user_of(getattr(people, name)) for name in PEOPLE}
    found["inactive"] = make_user("gone@unodc.test.example", "provider", "UNODC")
    found["inactive"].active = False
    found["anonymous"] = AnonymousUserMixin()
    db.session.flush()
    return found


@pytest.fixture
def records(persons, people):
    """KAZ requests in each visibility and status that the scopes tell apart, one of NGA, offers of each
    status, and matches: UNODC on a KAZ and on the NGA request, IMF on a restricted KAZ request no one shared
    with it, the outside provider on a KAZ request seen by Task Force entities only."""
    r = {
        "kaz_draft": make_request(people, "draft", visibility="task_force"),
        "kaz_tf_submitted": make_request(people, "submitted", visibility="task_force"),
        "kaz_tf_open": make_request(people, "open", visibility="task_force"),
        "kaz_providers_submitted": make_request(people, "submitted", visibility="providers"),
        "kaz_providers_open": make_request(people, "open", visibility="providers"),
        "kaz_providers_rejected": make_request(people, "rejected", visibility="providers"),
        "kaz_restricted": make_request(people, "open", visibility="restricted"),
        "kaz_restricted_shared": make_request(people, "open", visibility="restricted", shared_with=["nordic-fund"]),
        "kaz_restricted_matched": make_request(people, "open", visibility="restricted"),
        "nga_tf_open": make_request(people, "open", by="other_state", visibility="task_force"),
    }
    o = {
        "unodc_active": make_offer(people, "provider"),
        "unodc_paused": make_offer(people, "provider", "paused"),
        "unodc_closed": make_offer(people, "provider", "closed"),
        "imf_active": make_offer(people, "other_provider"),
        "imf_closed": make_offer(people, "other_provider", "closed"),
        "outside_active": make_offer(people, "outside"),
        "pending_active": make_offer(people, "coordinator", organisation="new-institute"),
        "pending_closed": make_offer(people, "coordinator", "closed", organisation="new-institute"),
    }
    m = {
        "m_unodc_kaz": make_match(people, r["kaz_tf_open"], o["unodc_active"]),
        "m_unodc_nga": make_match(people, r["nga_tf_open"], o["unodc_active"]),
        "m_imf_restricted": make_match(people, r["kaz_restricted_matched"], o["imf_active"], provider="other_provider"),
        "m_outside_kaz": make_match(people, r["kaz_tf_open"], o["outside_active"], provider="outside"),
    }
    db.session.flush()
    return r | o | m


def _names(records, model, rows) -> set[str]:
    ids = {row.id for row in rows}
    return {name for name, record in records.items() if isinstance(record, model) and record.id in ids}


def _check(persons, records, model, visible, expected: dict[str, set[str]]):
    """Each person's visible rows of `model` against the table; every mismatch named at once."""
    wrong = {}
    for name in EVERYONE:
        got = _names(records, model, db.session.scalars(visible(persons[name])))
        if got != expected[name]:
            wrong[name] = {"missing": expected[name] - got, "unexpected": got - expected[name]}
    assert not wrong, wrong


KAZ = {"kaz_draft", "kaz_tf_submitted", "kaz_tf_open", "kaz_providers_submitted", "kaz_providers_open",
       "kaz_providers_rejected", "kaz_restricted", "kaz_restricted_shared", "kaz_restricted_matched"}
TASK_FORCE_SEES = {"kaz_tf_submitted", "kaz_tf_open", "kaz_providers_submitted", "kaz_providers_open",
                   "kaz_providers_rejected", "nga_tf_open"}  # task_force and providers visibility, no draft


def test_request_scope_for_each_role_visibility_and_status(persons, records):
    _check(persons, records, AssistanceRequest, visible_requests, {
        "anonymous": set(),
        "inactive": set(),
        "state": KAZ,                                     # everything of its own State, drafts too
        "other_state": {"nga_tf_open"},                   # nothing of another State
        "provider": TASK_FORCE_SEES,                      # UNODC: a Task Force entity
        "other_provider": TASK_FORCE_SEES | {"kaz_restricted_matched"},  # IMF: and where its offer is matched
        # An approved outside provider: "providers" requests once accepted, what is shared with it, and what
        # its offer is matched to; never what only the Task Force sees, nor a rejected or submitted one.
        "outside": {"kaz_providers_open", "kaz_restricted_shared", "kaz_tf_open"},
        "pending": set(),                                 # an outside provider awaiting approval
        "coordinator": (KAZ - {"kaz_draft"}) | {"nga_tf_open"},
        "admin": (KAZ - {"kaz_draft"}) | {"nga_tf_open"},
    })


def test_a_restricted_request_is_seen_only_by_those_it_is_shared_with_and_the_matched(persons, records):
    for name, restricted in (("kaz_restricted", set()), ("kaz_restricted_shared", {"outside"}),
                             ("kaz_restricted_matched", {"other_provider"})):
        providers = {p for p in ("provider", "other_provider", "outside", "pending")
                     if may_see(persons[p], records[name])}
        assert providers == restricted, name


def test_the_matched_provider_grant_needs_the_match_and_follows_no_other_offer(persons, records, people):
    """The outside provider sees a Task-Force-only request through its match; another such request, with no
    match of its own, stays hidden, and the grant of IMF's match does not reach UNODC."""
    assert may_see(persons["outside"], records["kaz_tf_open"])
    assert not may_see(persons["outside"], records["kaz_tf_submitted"])
    assert not may_see(persons["provider"], records["kaz_restricted_matched"])
    another = make_request(people, "open", visibility="restricted")
    assert not may_see(persons["other_provider"], another)
    make_match(people, another, records["imf_active"], provider="other_provider")
    assert may_see(persons["other_provider"], another)


def test_offer_scope_closed_offers_only_for_their_provider_and_the_office(persons, records):
    open_to_all = {"unodc_active", "unodc_paused", "imf_active", "outside_active", "pending_active"}
    everything = open_to_all | {"unodc_closed", "imf_closed", "pending_closed"}
    _check(persons, records, Offer, visible_offers, {
        "anonymous": set(),
        "inactive": set(),
        "state": open_to_all,
        "other_state": open_to_all,
        "provider": open_to_all | {"unodc_closed"},
        "other_provider": open_to_all | {"imf_closed"},
        "outside": open_to_all,
        "pending": {"pending_active", "pending_closed"},  # awaiting approval: its own offers only
        "coordinator": everything,
        "admin": everything,
    })


def test_match_scope_is_those_who_take_part_and_the_office(persons, records):
    every_match = {"m_unodc_kaz", "m_unodc_nga", "m_imf_restricted", "m_outside_kaz"}
    _check(persons, records, Match, visible_matches, {
        "anonymous": set(),
        "inactive": set(),
        "state": {"m_unodc_kaz", "m_imf_restricted", "m_outside_kaz"},
        "other_state": {"m_unodc_nga"},
        "provider": {"m_unodc_kaz", "m_unodc_nga"},
        "other_provider": {"m_imf_restricted"},
        "outside": {"m_outside_kaz"},
        "pending": set(),
        "coordinator": every_match,
        "admin": every_match,
    })


@pytest.mark.parametrize("scope", [request_scope, offer_scope, match_scope])
def test_nobody_signed_out_or_inactive_has_a_scope(persons, scope):
    for name in ("anonymous", "inactive"):
        assert str(scope(persons[name])) == "false", (scope.__name__, name)


def test_who_may_see_keeps_the_order_and_asks_each_person_not_each_group(persons, records):
    everyone = [persons[name] for name in EVERYONE if name != "anonymous"]  # recipients are signed-up people
    officer = make_user("second@unodc.test.example", "provider", "UNODC")  # the same group as `provider`
    assert who_may_see([*everyone, officer, None], records["kaz_restricted_shared"]) == [
        persons["state"], persons["outside"], persons["coordinator"], persons["admin"]]
    assert who_may_see([officer, persons["inactive"], persons["provider"]], records["kaz_tf_open"]) == [
        officer, persons["provider"]]  # the inactive UNODC officer is not of the active officers' group
    assert who_may_see(everyone, records["m_imf_restricted"]) == [
        persons["state"], persons["other_provider"], persons["coordinator"], persons["admin"]]
    assert who_may_see(everyone, records["unodc_closed"]) == [
        persons["provider"], persons["coordinator"], persons["admin"]]


def test_an_organisations_news_is_for_its_active_members_and_the_office(persons):
    pending = db.session.get(Organisation, persons["pending"].organisation_id)
    unodc = db.session.get(Organisation, persons["provider"].organisation_id)
    everyone = [persons[name] for name in EVERYONE if name != "anonymous"]
    assert who_may_see(everyone, pending) == [persons["pending"], persons["coordinator"], persons["admin"]]
    assert who_may_see(everyone, unodc) == [persons["provider"], persons["coordinator"], persons["admin"]]
    assert not sees_organisation(persons["inactive"], unodc)


def test_get_visible_answers_not_found_for_the_invisible_as_for_the_missing(persons, records):
    request_id = records["kaz_restricted"].id
    assert get_visible(AssistanceRequest, persons["coordinator"], request_id).id == request_id
    assert get_visible(AssistanceRequest, persons["coordinator"], str(request_id)).id == request_id
    with pytest.raises(NotFound) as invisible:
        get_visible(AssistanceRequest, persons["provider"], request_id)
    with pytest.raises(NotFound) as missing:
        get_visible(AssistanceRequest, persons["provider"], 999_999)
    assert str(invisible.value).replace(str(request_id), "N") == str(missing.value).replace("999999", "N")
    with pytest.raises(NotFound):
        get_visible(Offer, persons["state"], records["unodc_closed"].id)
    with pytest.raises(NotFound):
        get_visible(Match, persons["provider"], records["m_imf_restricted"].id)
    with pytest.raises(NotFound):
        get_visible(Match, persons["coordinator"], "not a number")


# ------------------------------------------------------------------------------------------------
# The yes/no rules

@pytest.fixture
def by_status(persons, people):
    """A KAZ request in each status a request can reach by its own moves, and one completed by its match."""
    found = {status: make_request(people, status) for status in REQUEST_PATHS}
    found["completed"] = make_match(people, make_request(people, "open"), make_offer(people), "completed").request
    db.session.flush()
    return found


STATE_EDITS = {"draft", "submitted", "in_review", "needs_info"}
COORDINATOR_EDITS = {"submitted", "in_review", "needs_info", "open"}  # not a draft, not ended


def test_who_may_edit_a_request_in_each_status(persons, by_status):
    for name in PEOPLE:
        edits = {status for status, req in by_status.items() if may_edit_request(persons[name], req)}
        assert edits == {"state": STATE_EDITS, "coordinator": COORDINATOR_EDITS}.get(name, set()), name
    with pytest.raises(Forbidden, match="can no longer be edited by its State"):
        require_edit_request(persons["state"], by_status["open"])
    with pytest.raises(Forbidden, match="You may not edit this request"):
        require_edit_request(persons["other_state"], by_status["submitted"])
    require_edit_request(persons["coordinator"], by_status["open"])  # no error


def test_who_may_file_share_and_post(persons):
    assert {n for n in PEOPLE if may_file_request(persons[n])} == {"state", "other_state", "coordinator"}
    assert {n for n in PEOPLE if may_share_request(persons[n])} == {"coordinator"}
    assert {n for n in PEOPLE if may_post_offer(persons[n])} == {
        "provider", "other_provider", "outside", "coordinator", "admin"}  # not a provider awaiting approval
    # Who files or posts for whom: States and providers for their own only, the office chooses.
    assert {n for n in PEOPLE if files_for_own_state(persons[n])} == {"state", "other_state"}
    assert {n for n in PEOPLE if posts_for_own_organisation(persons[n])} == {
        "provider", "other_provider", "outside", "pending"}


def test_who_may_change_an_offer_and_see_its_suggestions(persons, records):
    offer = records["unodc_active"]
    assert {n for n in PEOPLE if may_see_offer_suggestions(persons[n], offer)} == {"provider", "coordinator", "admin"}
    require_edit_offer(persons["admin"], offer)
    with pytest.raises(Forbidden):
        require_edit_offer(persons["other_provider"], offer)


def test_who_may_propose_and_see_a_requests_suggestions(persons, by_status):
    coordinator = persons["coordinator"]
    assert may_propose_match(coordinator) and not may_propose_match(persons["admin"])
    assert {s for s, req in by_status.items() if may_propose_match(coordinator, req)} == {"open"}
    state_sees = {s for s, req in by_status.items() if may_see_request_suggestions(persons["state"], req)}
    assert state_sees == {"open", "closed", "completed"}  # once accepted
    assert not any(may_see_request_suggestions(persons["other_state"], req) for req in by_status.values())
    for name in ("provider", "outside", "coordinator", "admin"):
        assert may_see_request_suggestions(persons[name], by_status["submitted"]), name


def test_a_drafts_thread_is_its_states_only_and_others_follow_the_record(persons, records):
    draft = records["kaz_draft"]
    assert {n for n in PEOPLE if may_see_message_thread(persons[n], draft)} == {"state"}
    for record in (records["kaz_tf_open"], records["m_unodc_kaz"]):
        assert all(may_see_message_thread(persons[n], record) for n in PEOPLE)


def test_who_may_manage_a_persons_tokens(persons):
    owner = persons["provider"]
    assert may_manage_account_of(None, owner)  # the command line
    assert may_manage_account_of(owner, owner) and may_manage_account_of(persons["admin"], owner)
    assert not any(may_manage_account_of(persons[n], owner) for n in PEOPLE if n not in ("provider", "admin"))
