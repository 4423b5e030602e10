"""Requests in bulk: coordinators import needs from a spreadsheet on behalf of the States named in it; each row
by the request rules; every problem reported before anything is saved; all the rows or none."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.requests.imports import COLUMNS, SHEET
from exchange.requests.models import AssistanceRequest
from tests.factories import as_requests_csv, request_import_rows


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AssistanceRequest.id)))


def _upload(client, content: bytes, filename: str = "needs.csv"):
    return client.post("/imports/requests", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def test_templates_have_every_column_in_the_readers_language(clients):
    lines = list(csv.reader(io.StringIO(clients.coordinator.get("/imports/requests/template.csv").get_data(
        as_text=True))))
    assert lines[0] == SHEET.headers() and lines[0][:2] == ["Member State", "Title"]
    assert lines[1][COLUMNS.index("themes")] == "legal-framework;financing"
    french = clients.coordinator.get("/imports/requests/template.xlsx?lang=fr")
    values = list(load_workbook(io.BytesIO(french.data))["requests"].iter_rows(values_only=True))
    assert values[0][0] == "État Membre" and len(values) == 2


def test_twenty_valid_rows_for_two_states_are_filed_together(app, clients, people):
    rows = request_import_rows(20)
    rows[0]["publish_summary"] = "yes"
    preview = _upload(clients.coordinator, as_requests_csv(rows))
    assert preview.status_code == 200
    assert _count(app) == 0  # the preview saves nothing
    saved = clients.coordinator.post("/imports/requests/confirm", data={"token": _token(preview.get_data(as_text=True))})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/triage")
    with app.app_context():
        reqs = list(db.session.scalars(select(AssistanceRequest).order_by(AssistanceRequest.id)))
        assert len(reqs) == 20
        assert {r.country_iso3 for r in reqs} == {"KAZ", "NGA"}
        assert all(r.status == "submitted" and r.organisation.code == r.country_iso3 for r in reqs)
        assert reqs[0].publish_summary is True and not any(r.publish_summary for r in reqs[1:])
        assert reqs[0].theme_codes == ["financing", "legal-framework"]
        assert reqs[0].estimated_budget_usd == 40000 and reqs[0].urgency == "high"
    # Each State's focal point was told its request was received (the same filing as the form's).
    with app.app_context():
        from exchange.messages.models import Notification
        told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == people.state.id, Notification.kind == "request.received"))
    assert told == 10


def test_bad_rows_save_nothing_and_each_problem_is_reported(app, clients):
    rows = request_import_rows(12, {
        2: {"country": "XXX"},
        5: {"themes": "financing;astrology", "title": "abc"},
        9: {"desired_start": "2026-10-01", "desired_end": "2026-01-01"},
        11: {"estimated_budget_usd": "a lot"},
    })
    response = _upload(clients.coordinator, as_requests_csv(rows))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    table = html.split('id="import-problems"')[1]
    numbers = {int(n) for n in re.findall(r'<th scope="row">(\d+)</th>', table)}
    assert numbers == {4, 7, 11, 13}  # as numbered in the spreadsheet: the header is row 1
    assert "Unknown country" in table and "Unknown themes: astrology." in table
    assert "Write a whole number." in table
    assert 'id="import-ready"' not in html
    assert _count(app) == 0


def test_xlsx_with_french_headers_and_blank_lines(app, clients):
    workbook = Workbook()
    sheet = workbook.active
    with app.test_request_context("/?lang=fr"):
        from exchange.core.i18n import speaking
        with speaking("fr"):
            sheet.append(SHEET.headers())
    for row in request_import_rows(3):
        sheet.append([row[c] for c in COLUMNS])
        sheet.append([None] * len(COLUMNS))
    out = io.BytesIO()
    workbook.save(out)
    preview = _upload(clients.coordinator, out.getvalue(), "besoins.xlsx")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:3000]
    assert "All 3 rows are valid" in preview.get_data(as_text=True)


@pytest.mark.parametrize("content, name, message", [
    (b"", "needs.csv", "Choose a CSV or XLSX file"),
    (b"title\nonly a title\n", "needs.csv", "missing column(s)"),
    (b"\xff\xfe\x00garbage", "needs.csv", "not UTF-8"),
    (b"PK\x03\x04 not really a workbook", "needs.xlsx", "not a readable XLSX"),
    (b"hello", "needs.pdf", "Upload a .csv or .xlsx file."),
])
def test_unreadable_files_are_refused_with_a_message(app, clients, content, name, message):
    response = _upload(clients.coordinator, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_stale_or_foreign_token_saves_nothing(app, clients, people):
    preview = _upload(clients.coordinator, as_requests_csv(request_import_rows(2)))
    token = _token(preview.get_data(as_text=True))
    from tests.factories import make_user
    with app.app_context():
        make_user("second@ctitf.test.example", "coordinator", "CTITF")
        db.session.commit()
    other = clients.admin.post("/imports/requests/confirm", data={"token": token})
    assert other.status_code == 403
    expired = clients.coordinator.post("/imports/requests/confirm", data={"token": "not-a-token"})
    assert expired.status_code == 302 and _count(app) == 0


@pytest.mark.parametrize("person", ["state", "other_state", "provider", "outside", "admin"])
def test_only_coordinators_import_requests(clients, person):
    client = getattr(clients, person)
    assert client.get("/imports/requests").status_code == 403
    assert client.get("/imports/requests/template.csv").status_code == 403
    assert _upload(client, as_requests_csv(request_import_rows(1))).status_code == 403
    assert client.post("/imports/requests/confirm", data={"token": "x"}).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(clients):
    response = clients.anonymous.get("/imports/requests")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
