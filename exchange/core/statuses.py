"""The closed sets of values that records take: the statuses of requests, offers and matches (with their
labels), urgencies and visibilities. A leaf module (it imports nothing of ours): workflow.py builds the
status machines on these, schemas.py validates input against them, and the models declare them as CHECK
constraints, so that the database itself refuses any other value."""
from __future__ import annotations

REQUEST_STATUSES = {
    "draft": "Draft",
    "submitted": "Submitted",
    "in_review": "In review",
    "needs_info": "Needs information",
    "open": "Open",
    "matched": "Matched",
    "in_delivery": "In delivery",
    "completed": "Completed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "closed": "Closed",
}
MATCH_STATUSES = {
    "proposed": "Proposed",
    "accepted": "Accepted",
    "in_delivery": "In delivery",
    "completed": "Completed",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
# Matches under way: at most one of them for a request and an offer (a partial unique index).
LIVE_MATCH_STATUSES = ("proposed", "accepted", "in_delivery")
OFFER_STATUSES = {"active": "Active", "paused": "Paused", "closed": "Closed"}
URGENCIES = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
VISIBILITIES = {
    "task_force": "Task Force entities and coordinators",
    "providers": "Every approved provider, once a coordinator has accepted the request",
    "restricted": "Coordinators, and the providers they share it with",
}
