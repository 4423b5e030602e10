"""Nobody is told of a record they may not see: every kind of notification the app sends (so every e-mail,
which mail.py sends for exactly these rows), against every visibility of a request.

One scenario drives every kind through the operations (triage, routing to the working groups' lead
entities, sharing and unsharing, proposals and every match move, both kinds of thread, reminders,
organisation approvals) on a request that is `task_force`, `providers`, `restricted` (shared with nobody)
or `restricted` shared with UNODC. Then:
- every recipient opens the notification's record through the real page (HTTP 200, not 404);
- the recipients of each (kind, record) are exactly the intended audience less whoever may not see it
  (EXPECTED below, which names every kind: a kind added to notify.KINDS without a case here fails).

Before the fix, a restricted request's "New request on your working group's themes" reached IMF and
UNODC (lead entities of the financing working group) although the request answered 404 to them, and a
provider who once wrote in a thread kept hearing of it after it was unshared.
"""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.messages.mail import page_url
from exchange.messages.models import Notification
from exchange.messages.notify import record_ref
from exchange.messages.reminders import send_reminders
from exchange.people.models import Organisation, User
from exchange.people.operations import set_organisation_approval
from exchange.requests.models import AssistanceRequest
from tests.factories import (
    assign_case,
    make_match,
    make_message,
    make_offer,
    make_outside_provider,
    make_request,
    make_saved_search,
    make_user,
    move_match,
    move_request,
    update_request,
)
from tests.helpers import signed_in_client

VISIBILITIES = ["task_force", "providers", "restricted", "restricted_shared"]
RESTRICTED = ("restricted", "restricted_shared")

# Every kind of notification the app sends (the same list as exchange.notify.KINDS), each with its cases
# below in expected(): (kind, record) → who must receive it.
KINDS = {
    "request.submitted", "request.received", "request.review", "request.accept", "request.request-info", "request.reject",
    "request.withdraw", "request.close", "request.routed", "request.assigned",
    "match.proposed", "match.accept", "match.decline", "match.start", "match.complete", "match.confirm",
    "match.withdraw",
    "message.posted",
    "reminder.request", "reminder.match", "reminder.feedback",
    "organisation.approved", "organisation.rejected",
    "subscription.request", "subscription.offer",
}


def expected(visibility: str) -> dict[tuple[str, str], set[str]]:
    """Who must hear of what. The lead entities of the financing working group with users here are UNODC
    (`provider`) and IMF (`other_provider`); `outside` is the approved outside provider (nordic-fund)."""
    restricted = visibility in RESTRICTED
    leads = {"task_force": {"provider", "other_provider"}, "providers": {"provider", "other_provider"},
             "restricted": set(), "restricted_shared": {"provider"}}[visibility]
    return {
        ("request.submitted", "R1"): {"coordinator"},
        ("request.received", "R1"): {"state"},
        ("request.review", "R1"): {"state"},
        ("request.request-info", "R1"): {"state"},
        ("request.accept", "R1"): {"state"},
        ("request.routed", "R1"): leads,
        # IMF wrote while it could see R1; the State writes after R1 is unshared from IMF.
        ("message.posted", "R1"): {"state", "coordinator"} | {"provider", "outside", "coordinator"}
        | (set() if restricted else {"other_provider"}),
        ("match.proposed", "M1"): {"provider", "state"},
        ("match.accept", "M1"): {"state", "coordinator"},
        ("match.start", "M1"): {"state", "coordinator"},
        ("match.complete", "M1"): {"state", "coordinator"},
        ("message.posted", "M1"): {"state", "coordinator"},  # UNODC wrote
        ("reminder.feedback", "M1"): {"state"},
        ("match.proposed", "M2"): {"provider", "state"},
        ("match.accept", "M2"): {"state", "coordinator"},
        ("match.start", "M2"): {"state", "coordinator"},
        ("match.complete", "M2"): {"state", "coordinator"},
        ("match.confirm", "M2"): {"coordinator", "provider"},
        ("match.proposed", "M3"): {"provider", "state"},
        ("match.decline", "M3"): {"state", "coordinator"},
        ("match.proposed", "M4"): {"outside", "state"},
        ("reminder.match", "M4"): {"outside"},
        ("match.proposed", "M5"): {"outside", "state"},
        ("match.withdraw", "M5"): {"outside", "state"},
        ("request.submitted", "R2"): {"coordinator"},
        ("request.received", "R2"): {"state"},
        ("request.request-info", "R2"): {"state"},
        ("reminder.request", "R2"): {"state"},
        ("request.assigned", "R2"): {"second_coordinator"},  # the new owner only (the State is not told)
        ("request.submitted", "R3"): {"coordinator"},
        ("request.received", "R3"): {"state"},
        ("reminder.request", "R3"): {"coordinator"},
        ("request.submitted", "R4"): {"coordinator"},
        ("request.received", "R4"): {"state"},
        ("request.reject", "R4"): {"state"},
        ("request.submitted", "R5"): {"coordinator"},
        ("request.received", "R5"): {"state"},
        ("request.withdraw", "R5"): {"state"},
        ("request.submitted", "R6"): {"coordinator"},
        ("request.received", "R6"): {"state"},
        ("request.accept", "R6"): {"state"},
        ("request.routed", "R6"): leads,
        ("request.close", "R6"): {"state"},
        ("organisation.approved", "pending-org"): {"pending"},
        ("organisation.rejected", "rejected-org"): {"rejected"},
        # Saved searches on financing requests (coordinator, UNODC, IMF) and on offers (the coordinator),
        # told of in the one commit at the end: the coordinator sees every request once submitted; UNODC
        # and IMF (Task Force entities) every task_force or providers one; of the restricted ones, UNODC
        # those shared with it, or (R1) those its offers are matched to, and IMF none (unshared from R1).
        **{("subscription.request", name): {"coordinator"} | {
            "task_force": {"provider", "other_provider"}, "providers": {"provider", "other_provider"},
            "restricted": {"provider"} if name == "R1" else set(), "restricted_shared": {"provider"}}[visibility]
           for name in ("R1", "R2", "R3", "R4", "R5", "R6")},
        **{("subscription.offer", f"O{n}"): {"coordinator"} for n in range(1, 8)},  # every offer, all on financing
    }


def test_every_kind_the_app_sends_has_a_case():
    from exchange.messages.mail import KIND_SUBJECTS
    from exchange.messages.notify import KINDS as SENT
    assert SENT == KINDS, "a new kind of notification needs its cases in expected()"
    assert {kind for kind, _ in expected("task_force")} == KINDS
    assert set(KIND_SUBJECTS) <= KINDS


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == name]


def test_every_notification_goes_through_notify_and_names_its_record():
    """Notification rows are made in one place (notify.notify, which asks the access policy), and every
    call of it says which record it is about."""
    root = Path(__file__).resolve().parents[1] / "exchange"
    makers, callers = [], []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _calls(tree, "Notification"):
            makers.append(path.relative_to(root).as_posix())
        for call in _calls(tree, "notify"):
            callers.append(path.relative_to(root).as_posix())
            assert any(k.arg == "about" for k in call.keywords), f"{path}:{call.lineno} notify() without about="
    assert makers == ["messages/notify.py"]
    assert sorted(set(callers)) == ["matches/operations.py", "messages/operations.py", "messages/reminders.py",
                                    "people/operations.py", "requests/operations.py", "requests/routing.py",
                                    "subscriptions/telling.py"]


class Scenario:
    def __init__(self, app, people, visibility: str):
        self.app, self.people, self.visibility = app, people, visibility
        self.records: dict[str, tuple[str, int]] = {}   # name → (record_type, record_id)
        self.names: dict[int, str] = {u.id: name for name, u in people.all().items()}

    def user(self, name: str) -> User:
        return db.session.get(User, getattr(self.people, name).id)

    def request(self, name: str, steps: list) -> object:
        visibility = "restricted" if self.visibility in RESTRICTED else self.visibility
        fields = {"title": f"Request {name} on financial intelligence", "visibility": visibility}
        if self.visibility == "restricted_shared":
            fields["shared_with"] = ["UNODC"]  # filed by the coordinator for KAZ
        req = make_request(self.people, "draft", **fields)
        self.records[name] = record_ref(req)
        for action, actor, body in steps:
            move_request(self.people, req, action, body, by=actor)
        return req

    def offer(self, by: str):
        offer = make_offer(self.people, by, title=f"Course by {by} on terrorist financing")
        self.records[f"O{sum(name.startswith('O') for name in self.records) + 1}"] = record_ref(offer)
        return offer

    def propose(self, name: str, req, offer):
        match = make_match(self.people, req, offer, note="A good fit.")
        self.records[name] = record_ref(match)
        return match

    def moves(self, match, steps: list) -> None:
        for action, actor, body in steps:
            move_match(self.people, match, action, body, by=actor)

    def share(self, req, codes: list[str]) -> None:
        update_request(self.people, req, shared_with=codes)

    def run(self) -> None:
        base = ["UNODC"] if self.visibility == "restricted_shared" else []
        with self.app.app_context():
            for by in ("coordinator", "provider", "other_provider"):
                make_saved_search(self.people, by, theme="financing")
            make_saved_search(self.people, "coordinator", "Offers on financing", "offer", theme="financing")
            o1 = self.offer("outside")
            r1 = self.request("R1", [("submit", "state", {}), ("review", "coordinator", {}),
                                     ("request-info", "coordinator", {"message": "Which unit will host it?"}),
                                     ("submit", "state", {}), ("accept", "coordinator", {})])
            self.share(r1, base + ["IMF"])
            make_message(self.people, r1, "IMF could help with the FIU.", by="other_provider")
            self.share(r1, base)  # IMF no longer sees a restricted R1
            offers = {by: [self.offer(by) for _ in range(3)] for by in ("provider", "outside")}
            offers["outside"].insert(0, o1)
            m1, m2, m3, m4, m5 = [self.propose(f"M{i + 1}", r1, offer) for i, offer in
                                  enumerate(offers["provider"] + offers["outside"][:2])]
            self.moves(m1, [("accept", "provider", {}), ("start", "provider", {}),
                            ("complete", "provider", {"outcome": "Twenty analysts trained."})])
            make_message(self.people, m1, "The report is attached to the offer.", by="provider")
            self.moves(m2, [("accept", "provider", {}), ("start", "provider", {}),
                            ("complete", "provider", {"outcome": "Ten supervisors trained."}),
                            ("confirm", "state", {"rating": 5, "comment": "Very useful."})])
            self.moves(m3, [("decline", "provider", {"reason": "No trainers free."})])
            self.moves(m5, [("withdraw", "coordinator", {})])
            assert m4.status == "proposed"
            make_message(self.people, r1, "Thank you all; we still need a second course.", by="state")
            self.request("R2", [("submit", "state", {}),
                                ("request-info", "coordinator", {"message": "Which agency?"})])
            self.request("R3", [("submit", "state", {})])
            self.request("R4", [("submit", "state", {}), ("reject", "coordinator", {"reason": "Out of scope."})])
            self.request("R5", [("submit", "state", {}), ("withdraw", "coordinator", {})])
            self.request("R6", [("submit", "state", {}), ("accept", "coordinator", {}),
                                ("close", "coordinator", {})])
            admin = self.user("admin")
            pending = db.session.scalar(select(Organisation).where(Organisation.code == "new-institute"))
            set_organisation_approval(admin, pending, {"approval": "approved"})
            rejected_org = make_outside_provider("refused-institute", "pending")
            rejected = make_user("officer@refused.test.example", "provider", "refused-institute")
            self.names[rejected.id] = "rejected"
            set_organisation_approval(admin, rejected_org, {"approval": "rejected"})
            self.records["pending-org"], self.records["rejected-org"] = record_ref(pending), record_ref(rejected_org)
            db.session.commit()
            send_reminders(utcnow() + timedelta(days=30))
            db.session.commit()
            # Last (so that the second coordinator hears of nothing before): R2 is given to them.
            second = make_user("second@ctitf.test.example", "coordinator", "CTITF", "Second Coordinator")
            self.names[second.id] = "second_coordinator"
            assign_case(self.people, db.session.get(AssistanceRequest, self.records["R2"][1]), second)
            db.session.commit()

    def received(self) -> dict[tuple[str, str], set[str]]:
        by_record = {record: name for name, record in self.records.items()}
        result: dict[tuple[str, str], set[str]] = {}
        with self.app.app_context():
            for note in db.session.scalars(select(Notification)):
                record = by_record[(note.record_type, note.record_id)]
                result.setdefault((note.kind, record), set()).add(self.names[note.user_id])
        return result

    def deliveries(self) -> set[tuple[int, str]]:
        """(recipient, the path of the page the notification leads to, as its e-mail links it)."""
        with self.app.app_context():
            return {(note.user_id, page_url(self.app, note.record_type, note.record_id, ""))
                    for note in db.session.scalars(select(Notification))}


def _client_of(app, user_id: int):
    return signed_in_client(app, user_id)


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_notification_reaches_only_those_who_may_see_its_record(app, people, visibility):
    scenario = Scenario(app, people, visibility)
    scenario.run()
    # Everyone told of a record can open it: the page answers 200, not the 404 of an invisible record.
    clients = {}
    refused = []
    for user_id, path in sorted(scenario.deliveries()):
        client = clients.setdefault(user_id, _client_of(app, user_id))
        status = client.get(path).status_code
        if status != 200:
            refused.append((scenario.names[user_id], path, status))
    assert refused == []
    # And each audience is exactly the intended one less whoever may not see the record.
    received, wanted = scenario.received(), expected(visibility)
    got = {key: received.get(key, set()) for key in wanted}
    assert got == wanted
    assert set(received) <= set(wanted), f"notifications without a case: {set(received) - set(wanted)}"
