"""Exports people read in a spreadsheet (issue 14): one click from every list with its filters; beside the codes
their names in the reader's language; column widths, a frozen header with an auto-filter, real dates and
numbers."""
from __future__ import annotations

import io
import re
from datetime import datetime
from html import unescape

from openpyxl import load_workbook

from exchange.core.i18n import speaking
from exchange.core.statuses import RequestStatus


def workbook_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return load_workbook(io.BytesIO(response.data)).active


def test_every_list_links_to_its_export_with_its_filters(clients, scenario):
    for path, export in (("/requests?status=open&page=2", "/exports/requests"), ("/offers?status=active", "/exports/offers"),
                         ("/matches?status=accepted", "/exports/matches")):
        html = clients.coordinator.get(path).get_data(as_text=True)
        links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" data-busy-link', html)]
        assert any(link.startswith(f"{export}.csv?") for link in links), (path, links)
        xlsx = next(link for link in links if link.startswith(f"{export}.xlsx"))
        assert "status=" in xlsx and "page=" not in xlsx  # the list's filters, every page


def test_the_requests_workbook_names_the_codes_and_keeps_dates_and_numbers(app, clients, scenario):
    sheet = workbook_of(clients.coordinator.get("/exports/requests.xlsx?lang=fr&status=open"))
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    themes = header.index("themes")
    assert header[themes + 1] == "Thèmes"                      # the names beside the codes, in French
    assert header[header.index("status") + 1] == "Statut"
    assert header[header.index("country") + 1] == "État Membre"
    first = next(r for r in (dict(zip(header, row, strict=True)) for row in rows[1:]) if r["country"] == "KAZ")
    with app.app_context(), speaking("fr"):
        assert first["status"] == "open" and first["Statut"] == str(RequestStatus.OPEN.label) != "Open"
    assert first["country"] == "KAZ" and first["État Membre"] == "Kazakhstan"
    assert "financing" in first["themes"] and "Financement du terrorisme" in first["Thèmes"]
    assert isinstance(first["created_at"], datetime)           # a date, not text
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}{len(rows)}"
    assert sheet.column_dimensions[sheet.cell(row=1, column=header.index("description") + 1).column_letter].width == 60
    numbers = [r[header.index("estimated_budget_usd")] for r in rows[1:] if r[header.index("estimated_budget_usd")]]
    assert all(isinstance(n, int) for n in numbers)


def test_the_matches_workbook_names_the_country(clients, scenario):
    sheet = workbook_of(clients.coordinator.get("/exports/matches.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = dict(zip(header, rows[1], strict=True))
    assert row["country_name"] in ("Kazakhstan", "Nigeria") and sheet.freeze_panes == "A2"
    assert isinstance(row["created_at"], datetime)


def test_the_matches_export_carries_each_match_s_money_and_results_to_who_sees_the_match(app, people, clients,
                                                                                          scenario):
    from tests.factories import make_funding, make_result
    with app.app_context():
        from exchange.core.extensions import db
        from exchange.matches.models import Match
        match = db.session.get(Match, scenario.ids["m_done"])
        make_funding(people, match, stage="committed", amount="25000.00", usd_rate="1.10")
        make_funding(people, match, stage="disbursed", amount="1000.00", usd_rate="1")
        make_result(people, match)
        db.session.commit()
        reference = match.reference
    sheet = workbook_of(clients.coordinator.get("/exports/matches.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    by_ref = {r["reference"]: r for r in (dict(zip(header, row, strict=True)) for row in rows[1:])}
    done = by_ref[reference]
    assert (done["pledged_usd"], done["committed_usd"], done["disbursed_usd"], done["results"]) == (0, 27500, 1000, 1)
    other = next(r for ref, r in by_ref.items() if ref != reference)
    assert (other["committed_usd"], other["results"]) == (0, 0)
    csv_text = clients.state.get("/exports/matches.csv").get_data(as_text=True)  # the State of the match: its money
    assert reference in csv_text and "27500.00" in csv_text
    outsider = clients.other_state.get("/exports/matches.csv").get_data(as_text=True)
    assert reference not in outsider and "27500.00" not in outsider
