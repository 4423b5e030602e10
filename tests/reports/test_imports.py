"""Bulk import of offers: the template, the row report, and the all-or-nothing rule."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.offers.fields import OFFER
from exchange.offers.imports import COLUMNS
from exchange.offers.models import Offer
from tests.factories import as_csv, import_rows


def offer_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Offer))


def as_xlsx(data: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in data:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content: bytes, filename: str, **form):
    return client.post("/imports/offers", data={"file": (io.BytesIO(content), filename), **form},
                       content_type="multipart/form-data")


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" '
                     r'value="([^"]+)"', html).group(0).rsplit('value="', 1)[1].rstrip('"')


def test_templates_have_every_column_and_an_example(clients):
    response = clients.provider.get("/imports/offers/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = [str(OFFER[c].label) for c in COLUMNS]  # each column's label, here in English
    assert lines[0] == header and len(lines) == 2
    assert lines[0][:3] == ["Provider", "Title", "What you offer"]
    assert lines[1][COLUMNS.index("themes")] == "financing;criminal-justice"
    xlsx = clients.coordinator.get("/imports/offers/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data))["offers"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header and len(values) == 2
    assert clients.state.get("/imports/offers/template.csv").status_code == 403


def test_two_bad_rows_of_twenty_save_nothing_and_are_both_reported(app, clients):
    bad = import_rows(20, {3: {"themes": "financing;not-a-theme"}, 10: {"capacity": "lots", "title": "abc"}})
    response = upload(clients.provider, as_csv(bad), "offers.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved: 2 of 20 rows have problems" in html
    report = re.findall(r'<tr><th scope="row">(\d+)</th><td><code>([^<]+)</code></td><td>([^<]+)</td></tr>', html)
    assert ("5", "themes") in {(r, c) for r, c, _ in report}            # row 4 of data = spreadsheet row 5
    assert {("12", "capacity"), ("12", "title")} <= {(r, c) for r, c, _ in report}
    assert any("not-a-theme" in message for _, _, message in report)
    assert 'name="token"' not in html  # no confirmation offered
    assert offer_count(app) == 0

    fixed = import_rows(20)
    response = upload(clients.provider, as_csv(fixed), "offers.csv")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "All 20 rows are valid" in html
    assert offer_count(app) == 0  # the preview saves nothing
    confirmed = clients.provider.post("/imports/offers/confirm", data={"token": token_of(html)})
    assert confirmed.status_code == 200
    assert "20 offers imported" in confirmed.get_data(as_text=True)
    assert offer_count(app) == 20
    with app.app_context():
        offers = db.session.scalars(select(Offer)).all()
        assert {o.organisation.code for o in offers} == {"UNODC"}
        assert offers[0].theme_codes == ["criminal-justice", "financing"]
        assert offers[0].country_codes == ["KAZ", "KGZ"] and offers[0].region_codes == ["143"]
        assert offers[0].capacity == 3
    # The token is used up: confirming again imports nothing more.
    again = clients.provider.post("/imports/offers/confirm", data={"token": token_of(html)})
    assert again.status_code == 302 and offer_count(app) == 20


def test_xlsx_upload_and_coordinator_chooses_the_provider(app, clients):
    response = upload(clients.coordinator, as_xlsx(import_rows(3)), "offers.xlsx", organisation="IMF")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    html = response.get_data(as_text=True)
    clients.coordinator.post("/imports/offers/confirm", data={"token": token_of(html)})
    with app.app_context():
        assert {o.organisation.code for o in db.session.scalars(select(Offer))} == {"IMF"}
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 3


def test_coordinator_without_a_provider_gets_a_row_error(app, clients):
    response = upload(clients.coordinator, as_csv(import_rows(2)), "offers.csv")
    assert response.status_code == 422
    assert "organisation" in response.get_data(as_text=True)
    assert offer_count(app) == 0


def test_a_provider_cannot_import_for_another_organisation(app, clients):
    response = upload(clients.provider, as_csv(import_rows(2, {1: {"organisation": "IMF"}})), "offers.csv")
    assert response.status_code == 422
    assert "You may only post for UNODC" in response.get_data(as_text=True)
    assert offer_count(app) == 0


def test_unreadable_files_get_a_clear_message(app, clients):
    cases = [(b"", "empty.csv", "The file is empty"),
             (b"name,colour\nx,y\n", "wrong.csv", "missing column"),
             (b"PK\x03\x04garbage", "broken.xlsx", "not a readable XLSX"),
             (b"\xff\xfe\x00bad", "latin.csv", "not UTF-8"),
             (as_csv(import_rows(1)), "offers.pdf", "Upload a .csv or .xlsx file")]
    for content, name, message in cases:
        response = upload(clients.provider, content, name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), name
    assert upload(clients.provider, b"", "").status_code == 422
    assert offer_count(app) == 0


def test_a_forged_or_foreign_token_imports_nothing(app, clients):
    html = upload(clients.provider, as_csv(import_rows(2)), "offers.csv").get_data(as_text=True)
    token = token_of(html)
    for forged in ("../../etc/passwd", "nope"):
        assert clients.provider.post("/imports/offers/confirm", data={"token": forged}).status_code == 302
    # Another provider cannot use this provider's token.
    assert clients.other_provider.post("/imports/offers/confirm", data={"token": token}).status_code == 302
    assert offer_count(app) == 0


def test_only_providers_and_the_office_may_import(clients):
    assert clients.state.get("/imports/offers").status_code == 403
    page = clients.provider.get("/imports/offers").get_data(as_text=True)
    assert "data-busy" in page and 'enctype="multipart/form-data"' in page
    assert 'name="organisation"' not in page
    assert 'name="organisation"' in clients.coordinator.get("/imports/offers").get_data(as_text=True)
