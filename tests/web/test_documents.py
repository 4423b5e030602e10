"""Supporting documents through the pages: accepted types by content (not by name), size limits, empty
files, storage under app-made names, downloads only for those who may see the record, deletion only
by those who may edit it, and audit events for both."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.documents.models import Document
from exchange.documents.storage import PDF, clean_filename
from tests.factories import PDF_BYTES, docx_bytes, odt_bytes, xlsx_bytes, zip_bytes
from tests.helpers import documents, upload


@pytest.fixture
def request_id(app, people, world):
    return world.request(by=people.state)


@pytest.mark.parametrize("name,data,content_type", [
    ("needs assessment.pdf", PDF_BYTES, "application/pdf"),
    ("draft law.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("terms of reference.odt", None, "application/vnd.oasis.opendocument.text"),
])
def test_accepted_types_upload_and_download(app, clients, people, request_id, name, data, content_type):
    data = data or {"docx": docx_bytes, "xlsx": xlsx_bytes, "odt": odt_bytes}[name.rsplit(".", 1)[1]]()
    response = upload(clients.state, f"/requests/{request_id}/documents", data, name)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{request_id}#documents")
    [doc] = documents(app)
    assert (doc.filename, doc.content_type, doc.size, doc.request_id) == (name, content_type, len(data), request_id)
    assert re.fullmatch(r"[0-9a-f]{32}\.\w{3,4}", doc.stored_name)  # a name the app made
    assert (Path(app.config["UPLOAD_FOLDER"]) / doc.stored_name).read_bytes() == data
    page = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    assert f"/documents/{doc.id}" in page and name in page and f"Document uploaded <span lang=\"\">“{name}”" in page  # history
    download = clients.coordinator.get(f"/documents/{doc.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(content_type)
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and name.split(" ")[0] in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


BAD_UPLOADS = [
    ("a text file named .pdf", b"Just some plain text pretending to be a PDF document.", "report.pdf",
     "Only PDF, DOCX, XLSX or ODT files are accepted"),
    ("HTML named .pdf", b"<html><script>alert(1)</script></html>", "evil.pdf", "Only PDF, DOCX, XLSX or ODT"),
    ("a ZIP that is no document", zip_bytes({"hello.txt": b"hi"}), "archive.docx", "Only PDF, DOCX, XLSX or ODT"),
    ("a spreadsheet ODS", odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt",
     "Only PDF, DOCX, XLSX or ODT"),
    ("a broken ZIP", b"PK\x03\x04" + b"\x00" * 200, "broken.xlsx", "Only PDF, DOCX, XLSX or ODT"),
    ("an executable named .pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "setup.pdf", "Only PDF, DOCX, XLSX or ODT"),
    ("an empty file", b"", "empty.pdf", "The file is empty"),
]


@pytest.mark.parametrize("label,data,name,message", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_get_a_clear_error_and_nothing_is_kept(app, clients, people, request_id, label, data, name,
                                                           message):
    before = set(Path(app.config["UPLOAD_FOLDER"]).glob("*")) if Path(app.config["UPLOAD_FOLDER"]).exists() else set()
    response = upload(clients.state, f"/requests/{request_id}/documents", data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'id="document-file-error"' in html
    assert documents(app) == []
    assert set(Path(app.config["UPLOAD_FOLDER"]).glob("*")) == before


def test_no_file_chosen(app, clients, people, request_id):
    response = clients.state.post(f"/requests/{request_id}/documents", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file to upload." in response.get_data(as_text=True)


def test_a_file_over_ten_megabytes_is_refused(app, clients, people, request_id):
    limit = app.config["UPLOAD_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024
    data = PDF_BYTES + b"0" * (limit + 1 - len(PDF_BYTES))
    response = upload(clients.state, f"/requests/{request_id}/documents", data, "big.pdf")
    assert response.status_code == 422
    assert "larger than 10 MB" in response.get_data(as_text=True)
    assert documents(app) == []
    # Exactly the limit is fine.
    response = upload(clients.state, f"/requests/{request_id}/documents", data[:limit], "just-right.pdf")
    assert response.status_code == 302 and len(documents(app)) == 1


def test_a_body_over_the_request_limit_gets_a_clear_413_page(app, clients, people, request_id):
    data = PDF_BYTES + b"0" * (12 * 1024 * 1024)
    response = upload(clients.state, f"/requests/{request_id}/documents", data, "huge.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "at most 10 MB" in html and "Nothing was uploaded" in html
    assert documents(app) == []


def test_downloads_only_for_those_who_may_see_the_record(app, clients, people, request_id):
    upload(clients.state, f"/requests/{request_id}/documents", PDF_BYTES, "plan.pdf")
    [doc] = documents(app)
    # task_force visibility, submitted: its State, Task Force entities and the office see it.
    expected = {"state": 200, "coordinator": 200, "admin": 200, "provider": 200, "other_provider": 200,
                "other_state": 404, "outside": 404, "pending": 403}
    for person, status in expected.items():
        assert getattr(clients, person).get(f"/documents/{doc.id}").status_code == status, person
    assert clients.anonymous.get(f"/documents/{doc.id}").status_code == 302
    assert clients.coordinator.get("/documents/999999").status_code == 404


def test_a_draft_documents_are_only_for_its_state(app, clients, people, world):
    draft_id = world.request(by=people.state, draft=True)
    upload(clients.state, f"/requests/{draft_id}/documents", PDF_BYTES, "draft.pdf")
    [doc] = documents(app)
    assert clients.state.get(f"/documents/{doc.id}").status_code == 200
    for person in ("coordinator", "admin", "provider", "other_state"):
        assert getattr(clients, person).get(f"/documents/{doc.id}").status_code == 404, person


def test_only_editors_upload_and_delete(app, clients, people, request_id, world):
    # A provider who may see the request may not add to it (the route is not theirs), nor delete.
    assert upload(clients.provider, f"/requests/{request_id}/documents", PDF_BYTES, "x.pdf").status_code == 403
    upload(clients.state, f"/requests/{request_id}/documents", PDF_BYTES, "plan.pdf")
    [doc] = documents(app)
    assert clients.provider.post(f"/documents/{doc.id}/delete").status_code == 403
    assert clients.other_state.post(f"/documents/{doc.id}/delete").status_code == 404
    assert len(documents(app)) == 1
    # Once accepted, its State may no longer change it; the coordinator still may.
    world.move_request(request_id, "accept")
    assert clients.state.post(f"/documents/{doc.id}/delete").status_code == 403
    page = clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'name="file"' not in page and "/delete" not in page
    response = clients.coordinator.post(f"/documents/{doc.id}/delete")
    assert response.status_code == 302
    assert documents(app) == []
    assert not (Path(app.config["UPLOAD_FOLDER"]) / doc.stored_name).exists()
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.record_type == "request", AuditEvent.record_id == request_id,
            AuditEvent.action.like("document.%")).order_by(AuditEvent.id)))
        assert actions == ["document.uploaded", "document.deleted"]


def test_offer_documents(app, clients, people, world):
    offer_id = world.offer(people.provider)
    assert upload(clients.provider, f"/offers/{offer_id}/documents", docx_bytes(), "programme.docx").status_code == 302
    assert upload(clients.other_provider, f"/offers/{offer_id}/documents", PDF_BYTES, "x.pdf").status_code == 403
    response = upload(clients.provider, f"/offers/{offer_id}/documents", b"not a pdf", "fake.pdf")
    assert response.status_code == 422 and "Only PDF, DOCX, XLSX or ODT" in response.get_data(as_text=True)
    [doc] = documents(app)
    assert doc.offer_id == offer_id
    for person in ("state", "other_provider", "outside", "coordinator"):
        assert getattr(clients, person).get(f"/documents/{doc.id}").status_code == 200, person
    assert clients.other_provider.post(f"/documents/{doc.id}/delete").status_code == 403
    assert clients.coordinator.post(f"/documents/{doc.id}/delete").status_code == 302
    assert documents(app) == []


@pytest.mark.parametrize("given,expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ('C:\\Users\\me\\My "plan".pdf', "My _plan.pdf"),
    ("plan.exe", "plan.exe.pdf"),
    ("план действий.pdf", "план действий.pdf"),
    ("", "document.pdf"),
    ("...", "document.pdf"),
    ("line\nbreak.PDF", "line_break.pdf"),
    ("x" * 300 + ".pdf", "x" * 110 + ".pdf"),
])
def test_original_names_are_sanitised(given, expected):
    assert clean_filename(given, PDF) == expected


def test_a_non_ascii_name_downloads_with_an_encoded_header(app, clients, people, request_id):
    upload(clients.state, f"/requests/{request_id}/documents", PDF_BYTES, "план.pdf")
    [doc] = documents(app)
    disposition = clients.state.get(f"/documents/{doc.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''%D0%BF%D0%BB%D0%B0%D0%BD.pdf" in disposition
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
