"""Matches: a coordinator pairs a request with an offer and the case is followed to confirmed delivery;
the triage queue and the suggested matches live here too."""
