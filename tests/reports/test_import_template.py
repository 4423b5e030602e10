"""The offers import template people fill in (issue 14): a codes sheet in the downloader's language, drop-down
and type checks, the downloader's own organisation in the example row, real dates and numbers; a template
filled in with a spreadsheet library imports first time; near misses get "did you mean"; every error of every
row at once."""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.offers.imports import COLUMNS
from exchange.offers.models import Offer
from tests.factories import as_csv, import_rows


def offer_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Offer))


def upload(client, content: bytes, filename: str, **form):
    return client.post("/imports/offers", data={"file": (io.BytesIO(content), filename), **form},
                       content_type="multipart/form-data")


def problems(html: str) -> list[tuple[str, str, str]]:
    return [(r, c, unescape(m)) for r, c, m in
            re.findall(r'<tr><th scope="row">(\d+)</th><td><code>([^<]+)</code></td><td>([^<]+)</td></tr>', html)]


def token_of(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" '
                     r'value="([^"]+)"', html).group(0).rsplit('value="', 1)[1].rstrip('"')


def template(client, lang: str = "en"):
    response = client.get(f"/imports/offers/template.xlsx?lang={lang}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_the_template_has_a_codes_sheet_drop_downs_and_the_downloaders_organisation(clients):
    workbook = template(clients.other_provider)
    assert workbook.sheetnames == ["offers", "codes", "how to fill in"]
    sheet = workbook["offers"]
    header = [c.value for c in sheet[1]]
    example = dict(zip(COLUMNS, [c.value for c in sheet[2]], strict=True))
    assert header[:3] == ["Provider", "Title", "What you offer"]
    assert example["organisation"] == "IMF"                      # the downloader's own, not UNODC
    assert isinstance(example["available_from"], datetime) and example["available_from"].date() == date(2026, 1, 15)
    assert example["capacity"] == 3 and example["budget_usd"] == 120000  # numbers, not text
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 40
    # A drop-down on every coded column, reading the codes sheet; dates and numbers checked.
    checks = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    letter = {c: chr(ord("A") + i) for i, c in enumerate(COLUMNS)}
    for column in ("organisation", "content_language", "themes", "modalities", "languages", "countries", "regions"):
        check = checks[f"{letter[column]}2"]
        assert check.type == "list" and check.formula1.startswith("='codes'!$"), column
    assert checks[f"{letter['available_from']}2"].type == "date"
    assert checks[f"{letter['capacity']}2"].type == "whole"
    # The codes sheet: each table's codes with their names.
    codes = workbook["codes"]
    rows = list(codes.iter_rows(values_only=True))
    assert rows[0][:2] == ("Providers", "name")  # the tables in the order of the columns using them
    columns = {rows[0][i]: [(r[i], r[i + 1]) for r in rows[1:] if r[i]] for i in range(0, len(rows[0]), 3)}
    assert ("financing", "Terrorist financing") in columns["Themes"] or \
        any(code == "financing" for code, _name in columns["Themes"])
    assert ("en", "English") in columns["Languages"] and ("KAZ", "Kazakhstan") in columns["Countries"]
    assert columns["Providers"] == [("IMF", "International Monetary Fund")]
    assert len(columns["Countries"]) == 193


def test_the_codes_sheet_speaks_the_downloaders_language(clients):
    workbook = template(clients.provider, "fr")
    assert workbook.sheetnames[1] != "codes"  # named in French too
    codes = workbook.worksheets[1]
    rows = list(codes.iter_rows(values_only=True))
    countries = next(i for i, v in enumerate(rows[0]) if v == "Pays")
    assert ("KAZ", "Kazakhstan") in [(r[countries], r[countries + 1]) for r in rows[1:]]
    languages = next(i for i, v in enumerate(rows[0]) if v == "Langues")
    assert ("en", "anglais") in [(r[languages], r[languages + 1]) for r in rows[1:]]
    header = [c.value for c in workbook["offers"][1]]
    assert header[1] == "Titre" and header[0] != "Provider"


def test_a_filled_in_template_imports_first_time(app, clients):
    workbook = template(clients.provider)
    sheet = workbook["offers"]
    example = [c.value for c in sheet[2]]
    sheet.delete_rows(2)
    for number in (1, 2):  # as a person would: the example copied, changed, dates typed as dates
        row = list(example)
        row[COLUMNS.index("title")] = f"Border management course number {number}"
        row[COLUMNS.index("themes")] = "border-management"
        row[COLUMNS.index("available_until")] = datetime(2027, 6, 30)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    response = upload(clients.provider, out.getvalue(), "filled-in.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, problems(html)
    assert "All 2 rows are valid" in html
    confirmed = clients.provider.post("/imports/offers/confirm", data={"token": token_of(html)})
    assert "2 offers imported" in confirmed.get_data(as_text=True)
    with app.app_context():
        offers = db.session.scalars(select(Offer).order_by(Offer.id)).all()
        assert [o.title for o in offers] == ["Border management course number 1", "Border management course number 2"]
        assert offers[0].theme_codes == ["border-management"] and offers[0].available_until == date(2027, 6, 30)
        assert offers[0].organisation.code == "UNODC" and offers[0].capacity == 3


def test_near_misses_are_suggested_and_every_error_of_every_row_is_reported(app, clients):
    rows = import_rows(3, {0: {"languages": "english;ru", "countries": "Kazakstan"},
                           2: {"title": "abc", "themes": "not-a-theme", "capacity": "lots",
                               "available_from": "soon", "content_language": "French"}})
    response = upload(clients.provider, as_csv(rows), "offers.csv")
    assert response.status_code == 422
    found = problems(response.get_data(as_text=True))
    assert ("2", "languages", "“english” is not a code of this column. Did you mean “en” (English)?") in found
    assert ("2", "countries", "“KAZAKSTAN” is not a code of this column. Did you mean “KAZ” (Kazakhstan)?") in found
    assert not any(r == "2" and m.startswith("Unknown") for r, _c, m in found)  # said once, with its suggestion
    assert {c for r, c, _m in found if r == "4"} == {"title", "themes", "capacity", "available_from",
                                                     "content_language"}
    assert ("4", "content_language", "“french” is not a code of this column. Did you mean “fr” (French)?") in found
    assert ("4", "title", "Enter a title of 5 to 200 characters.") in found
    assert offer_count(app) == 0
