"""The list filter objects (core/filters.ListFilters and each list's): how the pages', the API's and the
exports' parameters are read, what a value that cannot be read becomes, and how the filters go back into a
link. No database: the SQL they build is tested against real rows in tests/test_queries.py."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from exchange.audit.filters import AuditFilters, SecurityEventFilters
from exchange.core.errors import ValidationFailed
from exchange.core.filters import first_value, iso_date, record_ids, values
from exchange.matches.filters import MatchFilters
from exchange.offers.filters import OfferFilters
from exchange.reports.filters import ReportFilters
from exchange.requests.filters import RequestFilters


def test_values_split_commas_and_drop_empty_and_overlong_ones():
    assert values(MultiDict([("x", "a, b"), ("x", ""), ("x", "c")]), "x") == ["a", "b", "c"]
    assert values({"x": ["a", None, " ,b"]}, "x") == ["a", "b"]
    assert values({"x": "a," + "y" * 201}, "x") == ["a"]
    assert values({}, "x") == []
    assert first_value(MultiDict([("to", " "), ("end", " 2026-01-02 ")]), "to", "end") == "2026-01-02"
    assert iso_date("2026-02-30") is None and iso_date("2026-02-28") == date(2026, 2, 28) and iso_date("") is None
    assert record_ids(["12", "R-1", "x", "007"]) == [12, 7]


def test_a_query_string_a_dict_and_the_apis_arguments_give_the_same_filters():
    from_page = RequestFilters.from_params(MultiDict([("status", "open"), ("status", "submitted"),
                                                      ("country", "kaz"), ("q", "border"), ("sort", "title")]))
    from_export = RequestFilters.from_params({"status": ["open", "submitted"], "country": "KAZ", "q": "border",
                                              "sort": "title"})
    from_api = RequestFilters.from_params({"page": 2, "per_page": 20, "status": ["open,submitted"],
                                           "country": ["kaz"], "q": "border", "sort": "title"})
    assert from_page == from_export == from_api
    assert from_page.status == ("open", "submitted") and from_page.country == ("KAZ",)
    assert from_page.theme == () and from_page.q == "border" and from_page.sort == "title"


def test_an_unknown_sort_is_the_default_and_an_unknown_code_is_kept_to_match_nothing():
    filters = OfferFilters.from_params({"sort": "<script>", "status": "bogus"})
    assert filters.sort == "newest" and filters.status == ("bogus",)
    assert RequestFilters.from_params({"sort": ["urgency", "title"]}).sort == "urgency"
    assert RequestFilters.from_params({"q": "x" * 5000}).q == ""  # no search word is that long


def test_the_filters_go_back_into_a_link_and_read_the_same():
    filters = RequestFilters.from_params({"status": "open,submitted", "theme": "financing", "sort": "oldest"})
    assert filters.as_args() == {"status": "open,submitted", "theme": "financing", "sort": "oldest"}
    assert filters.as_args(leave_out=("sort",)) == {"status": "open,submitted", "theme": "financing"}
    assert RequestFilters.from_params(filters.as_args()) == filters
    assert RequestFilters.from_params({"sort": "newest"}).as_args() == {}  # the default is not written


def test_match_ids_absent_are_no_filter_and_ids_that_are_not_numbers_match_nothing():
    assert MatchFilters.from_params({}).request_id is None
    assert MatchFilters.from_params({"request_id": "abc"}).request_id == ()
    assert MatchFilters.from_params({"request_id": "x,5", "offer_id": ["3", "4"]}) == \
        MatchFilters(request_id=(5,), offer_id=(3, 4))
    assert MatchFilters.from_params({"status": "accepted", "country": "nga"}, only=("status",)) == \
        MatchFilters(status=("accepted",))


def test_the_api_documents_each_filter_under_its_parameter_name():
    fields = RequestFilters.api_fields()
    assert list(fields) == ["status", "theme", "pillar", "country", "region", "modality", "language",
                            "content_language", "urgency",
                            "organisation", "q", "sort"]
    assert fields["theme"].metadata["description"] == "Theme code. Repeat or comma-separate."
    assert fields["sort"].metadata["description"] == "One of newest, oldest, updated, urgency, title; default newest."
    assert list(MatchFilters.api_fields()) == ["status", "request_id", "offer_id", "provider", "country"]
    assert list(ReportFilters.api_fields()) == ["region", "pillar", "start", "end"]


def test_audit_filters_read_references_aliases_and_say_what_they_cannot_read():
    filters, problems = AuditFilters.parse({"record_id": "r-00012", "person": "Officer@UNODC", "start": "2026-01-01"})
    assert problems == {}
    assert filters.record_id == 12 and filters.person == "officer@unodc" and filters.start == date(2026, 1, 1)
    assert filters.as_args() == {"from": "2026-01-01", "record_id": "12", "person": "officer@unodc"}
    filters, problems = AuditFilters.parse({"record_type": "bogus", "record_id": "abc", "from": "31-12-2026",
                                            "action": "x" * 41, "person": "someone"})
    assert problems == {"record_type": ["Choose a record type from the list."],
                        "record_id": ["Give a record number, such as 12 or R-00012."],
                        "from": ["Use a date as YYYY-MM-DD."], "action": ["No action is that long."]}
    assert filters == AuditFilters(person="someone")  # what could not be read is left out
    filters, problems = AuditFilters.parse({"from": "2026-12-31", "to": "2026-01-01"})
    assert problems == {"to": ["The end date must not be before the start date."]} and filters.end is None
    with pytest.raises(ValidationFailed) as refused:
        AuditFilters.from_params({"to": "yesterday"})
    assert refused.value.fields == {"to": ["Use a date as YYYY-MM-DD."]}


def test_security_event_filters_take_only_known_actions():
    filters, problems = SecurityEventFilters.parse({"action": "user.deleted", "address": "10.0." + "1" * 200})
    assert problems == {"action": ["Choose an action from the list."]} and filters.action == ""
    assert filters.address == ("10.0." + "1" * 200)[:100]  # cut to what an address can be
    filters, problems = SecurityEventFilters.parse({"action": "security.sign_in", "address": " 10.0. "})
    assert problems == {} and filters.action == "security.sign_in" and filters.address == "10.0."


def test_report_filters_refuse_what_they_cannot_read():
    assert ReportFilters.from_params({"pillar": "iv", "start": "2026-01-01"}) == \
        ReportFilters(pillar="IV", start=date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        ReportFilters.from_params({"pillar": "V", "start": "2026-13-01", "end": "yesterday"})
    assert refused.value.message == "Some filters are not valid."
    assert refused.value.fields == {"pillar": ["Choose a pillar of the Strategy: I, II, III or IV."],
                                    "start": ["Use a date like 2025-01-31."], "end": ["Use a date like 2025-01-31."]}
    with pytest.raises(ValidationFailed) as refused:
        ReportFilters.from_params({"start": "2026-02-01", "end": "2026-01-01"})
    assert refused.value.fields == {"end": ["The end must not be before the start."]}
    assert ReportFilters.from_params({"region": "bogus", "pillar": "I"}, only=("pillar",)) == ReportFilters(pillar="I")
