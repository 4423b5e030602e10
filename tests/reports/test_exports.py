"""Exports: every list as CSV and XLSX, parsed back; visibility, the list's filters, formula injection."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_requests_export_respects_visibility_in_both_formats(clients, scenario):
    ids = scenario.ids
    for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        state_rows = read(clients.state.get(f"/exports/requests.{fmt}"))
        assert {int(r["id"]) for r in state_rows} == {ids[k] for k in ("r_open", "r_matched", "r_done", "r_triage")}
        assert {r["country"] for r in state_rows} == {"KAZ"}
        unodc = {int(r["id"]) for r in read(clients.provider.get(f"/exports/requests.{fmt}"))}
        assert ids["r_restricted"] not in unodc and ids["r_hr"] in unodc
        everyone = {int(r["id"]) for r in read(clients.coordinator.get(f"/exports/requests.{fmt}"))}
        assert everyone == {v for k, v in ids.items() if k.startswith("r_")}


def test_requests_export_applies_the_list_filters(clients, scenario):
    rows = read_csv(clients.coordinator.get("/exports/requests.csv?status=open&theme=financing"))
    assert {int(r["id"]) for r in rows} == {scenario.ids["r_open"], scenario.ids["r_restricted"]}
    assert all(r["status"] == "open" for r in rows)
    rows = read_xlsx(clients.coordinator.get("/exports/requests.xlsx?country=NGA"))
    assert {r["country"] for r in rows} == {"NGA"} and len(rows) == 2
    assert rows[0]["themes"] in ("financing", "human-rights")


@pytest.mark.parametrize("sort", ["newest", "oldest", "updated", "urgency", "title"])
def test_exports_follow_the_list_sort_across_chunks(app, clients, scenario, monkeypatch, sort):
    """Read in pages of one row, each sort order still gives every request once, in the list's order."""
    from exchange.people.models import User
    from exchange.reports import exports
    from exchange.requests.policy import visible_requests
    from exchange.requests.queries import sort_requests
    monkeypatch.setattr(exports, "CHUNK_ROWS", 1)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.role == "coordinator"))
        listed = [r.id for r in db.session.scalars(sort_requests(visible_requests(user), sort))]
    rows = read_csv(clients.coordinator.get(f"/exports/requests.csv?sort={sort}"))
    assert [int(r["id"]) for r in rows] == listed and len(listed) == len(set(listed)) >= 6


def test_offers_export_and_filters(clients, scenario):
    rows = read_csv(clients.state.get("/exports/offers.csv"))
    assert len(rows) == 3
    rows = read_xlsx(clients.coordinator.get("/exports/offers.xlsx?provider=IMF"))
    assert [r["organisation"] for r in rows] == ["IMF"]
    assert rows[0]["regions"] == "011"


def test_matches_export_respects_visibility(clients, scenario):
    ids = scenario.ids
    assert {int(r["id"]) for r in read_csv(clients.coordinator.get("/exports/matches.csv"))} == \
        {ids["m_matched"], ids["m_done"]}
    assert {int(r["id"]) for r in read_csv(clients.provider.get("/exports/matches.csv"))} == \
        {ids["m_matched"], ids["m_done"]}
    assert read_csv(clients.other_provider.get("/exports/matches.csv")) == []
    assert read_xlsx(clients.other_state.get("/exports/matches.xlsx")) == []
    done = read_xlsx(clients.state.get("/exports/matches.xlsx?status=completed"))
    assert [int(r["id"]) for r in done] == [ids["m_done"]]
    assert done[0]["outcome"] == "Forty analysts trained." and done[0]["provider"] == "UNODC"


def test_matrix_export_matches_the_matrix(clients, scenario):
    rows = read_csv(clients.coordinator.get("/exports/matrix.csv"))
    cell = {(r["country"], r["theme"]): r for r in rows}
    assert (cell[("KAZ", "financing")]["open"], cell[("KAZ", "financing")]["matched"]) == ("1", "1")
    assert cell[("NGA", "financing")]["gap"] == "yes"
    state_rows = read_xlsx(clients.state.get("/exports/matrix.xlsx"))
    assert {r["country"] for r in state_rows} == {"KAZ"}
    assert read_csv(clients.coordinator.get("/exports/matrix.csv?region=002"))[0]["country"] == "NGA"


def test_audit_export_is_for_the_office_only(clients, scenario):
    rows = read_csv(clients.coordinator.get("/exports/audit.csv?record_type=match"))
    assert rows and {r["record_type"] for r in rows} == {"match"}
    assert any(r["action"] == "match.proposed" for r in rows)
    assert read_xlsx(clients.admin.get("/exports/audit.xlsx"))
    for person in ("state", "provider"):
        assert getattr(clients, person).get("/exports/audit.csv").status_code == 403


def test_formula_injection_is_neutralised(app, clients, people, scenario):
    with app.app_context():
        req = db.session.get(AssistanceRequest, scenario.ids["r_open"])
        req.title = '=HYPERLINK("http://evil.example","click")'
        req.beneficiary = "+cmd|' /C calc'!A0"
        db.session.commit()
    row = next(r for r in read_csv(clients.coordinator.get("/exports/requests.csv"))
               if r["id"] == str(scenario.ids["r_open"]))
    assert row["title"].startswith("'=HYPERLINK")
    assert row["beneficiary"].startswith("'+cmd")
    sheet = load_workbook(io.BytesIO(clients.coordinator.get("/exports/requests.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    title_col = header.index("title")
    cells = [r[title_col] for r in sheet.iter_rows(min_row=2)]
    evil = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert evil.data_type == "s"  # text, never a formula
    assert evil.value == '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("path", ["/exports/matrix.csv?region=nowhere", "/exports/audit.csv?start=31-12-2024"])
def test_bad_export_filters_are_a_clear_error(clients, scenario, path):
    response = clients.coordinator.get(path)
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)


def test_iati_page_link_and_exports_page(clients, scenario):
    html = clients.state.get("/exports").get_data(as_text=True)
    assert "/exports/requests.csv" in html and "/exports/iati-activities.xml" in html
    assert "/exports/audit.csv" not in html
    assert "/exports/audit.csv" in clients.coordinator.get("/exports").get_data(as_text=True)
