"""Office and ODF uploads are ZIP archives: how far they may expand, how many parts they may hold and how
deep archives may nest is limited, from the central directory and again while every part is read (a
directory that lies about sizes is caught), without unpacking anything to disk. A refused file gets a
clear message beside the upload field and nothing is kept."""
from __future__ import annotations

import html
import io
import random
import struct
import zipfile
from pathlib import Path

import pytest

from tests.factories import docx_bytes, xlsx_bytes, zip_bytes
from tests.helpers import documents, upload

MIB = 1024 * 1024
WORD = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def _zeros_member(package: zipfile.ZipFile, name: str, size: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(MIB)
    with package.open(info, "w", force_zip64=size > 2**31) as member:
        for _ in range(size // MIB):
            member.write(chunk)


def office_file(zeros: dict[str, int] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A DOCX with members of zeros (name → size) and other members, deflated at level 9."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, data in (WORD | (extra or {})).items():
            package.writestr(name, data)
        for name, size in (zeros or {}).items():
            _zeros_member(package, name, size)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    """A 1 GiB member of zeros in a DOCX of about 1 MB (built once: it takes a few seconds)."""
    return office_file({"word/media/image1.png": 1024 * MIB})


def lying_directory(real_size: int, declared: int) -> bytes:
    """A DOCX whose directory (and local header) declare `declared` bytes for a member of `real_size`."""
    data = bytearray(office_file({"word/media/image1.png": real_size}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo("word/media/image1.png")
    struct.pack_into("<I", data, info.header_offset + 22, declared)  # local header: uncompressed size
    patched = 0
    for offset in _directory_entries(data):
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46:offset + 46 + name_length] == b"word/media/image1.png":
            struct.pack_into("<I", data, offset + 24, declared)  # central directory: uncompressed size
            patched += 1
    assert patched == 1
    return bytes(data)


def _directory_entries(data: bytearray):
    offset = data.find(b"PK\x01\x02")
    while offset >= 0:
        yield offset
        offset = data.find(b"PK\x01\x02", offset + 4)


@pytest.fixture
def request_id(app, people, world):
    return world.request(by=people.state)


def _uploads(app) -> set[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return set(folder.glob("*")) if folder.exists() else set()


def _refused(app, client, path: str, data: bytes, name: str) -> str:
    """Upload, expect a refusal beside the field with nothing kept, and answer the message shown."""
    before = _uploads(app)
    response = upload(client, path, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    start = page.index('id="document-file-error"')
    message = html.unescape(page[start:page.index("</div>", start)])
    assert "Nothing was uploaded" in message
    assert documents(app) == [] and _uploads(app) == before
    return message


def test_a_gigabyte_zip_bomb_in_a_one_megabyte_docx_is_refused(app, clients, request_id, gigabyte_bomb):
    assert len(gigabyte_bomb) < 2 * MIB  # what a person could attach
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", gigabyte_bomb, "report.docx")
    assert "would expand to more than 100 MB" in message


def test_the_bomb_is_refused_on_offers_too(app, clients, people, gigabyte_bomb, world):
    offer_id = world.offer(people.provider)
    message = _refused(app, clients.provider, f"/offers/{offer_id}/documents", gigabyte_bomb, "programme.docx")
    assert "would expand to more than 100 MB" in message


def test_a_directory_that_understates_sizes_is_caught_while_reading(app, clients, request_id):
    """Only 64 MB of zeros, declared as 1,000 bytes: the declared sizes pass; reading the part does not."""
    bomb = lying_directory(64 * MIB, 1000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as package:
        assert package.getinfo("word/media/image1.png").file_size == 1000
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", bomb, "report.docx")
    assert "damaged" in message


def test_a_part_that_expands_far_more_than_any_document_is_refused(app, clients, request_id):
    """30 MB of zeros (under the 100 MB budget) packed into a few dozen kilobytes."""
    dense = office_file({"word/media/image1.png": 30 * MIB})
    assert len(dense) < 100 * 1024
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", dense, "dense.docx")
    assert "expands more than 100 times" in message


def test_a_member_count_bomb_is_refused(app, clients, request_id):
    crowded = zip_bytes(WORD | {f"word/part{i}.xml": b"" for i in range(1000)})
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", crowded, "crowded.docx")
    assert "more than 1000 parts" in message
    just_enough = zip_bytes(WORD | {f"word/part{i}.xml": b"" for i in range(998)})
    assert upload(clients.state, f"/requests/{request_id}/documents", just_enough, "many.docx").status_code == 302


def test_an_archive_nested_in_an_embedded_workbook_is_refused(app, clients, request_id):
    inner = zip_bytes({"inner/readme.txt": b"hello"})
    workbook = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/embeddings/archive.zip": inner})
    nested = zip_bytes(WORD | {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook})
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", nested, "nested.docx")
    assert "archives nested" in message


def test_a_bomb_inside_an_embedded_archive_counts_against_the_same_budget(app, clients, request_id,
                                                                          gigabyte_bomb):
    nested = zip_bytes(WORD | {"word/embeddings/oleObject1.docx": gigabyte_bomb})
    assert len(nested) < 2 * MIB
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", nested, "nested.docx")
    assert "would expand to more than 100 MB" in message


def test_ordinary_office_files_still_upload(app, clients, request_id):
    workbook = xlsx_bytes()
    with_chart = zip_bytes(WORD | {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook,
                                   "word/media/image1.png": bytes(range(256)) * 4000})
    words = [f"word{i}".encode() for i in range(2000)]
    rng = random.Random(1)
    text = b" ".join(rng.choice(words) for _ in range(400_000))  # about 3 MB of prose
    for name, data in (("plain.docx", docx_bytes()), ("budget.xlsx", workbook), ("chart.docx", with_chart),
                       ("long report.docx", office_file(extra={"word/document.xml": b"<w:p>" + text + b"</w:p>"}))):
        response = upload(clients.state, f"/requests/{request_id}/documents", data, name)
        assert response.status_code == 302, (name, response.get_data(as_text=True)[:300])
    assert len(documents(app)) == 4


def test_the_limits_are_configurable(app, clients, request_id, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ARCHIVE_MAX_MEMBERS", 5)
    monkeypatch.setitem(app.config, "UPLOAD_ARCHIVE_MAX_BYTES", 2 * MIB)
    monkeypatch.setitem(app.config, "UPLOAD_ARCHIVE_MAX_RATIO", 1000)
    six = zip_bytes(WORD | {f"word/part{i}.xml": b"" for i in range(4)})
    assert "more than 5 parts" in _refused(app, clients.state, f"/requests/{request_id}/documents", six, "six.docx")
    three_mb = office_file({"word/media/image1.png": 3 * MIB})
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", three_mb, "three.docx")
    assert "would expand to more than 2 MB" in message


def test_a_directory_of_70000_entries_is_refused_before_it_is_parsed(app, clients, request_id, monkeypatch):
    """The end-of-directory record (zip64 here: over 65,535 entries) gives the count; Python's zipfile,
    which would build an object per entry, is never called."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        for name, data in WORD.items():
            package.writestr(name, data)
        for i in range(70_000):
            package.writestr(f"p{i}", b"")
    crowded = buffer.getvalue()
    assert len(crowded) < app.config["UPLOAD_MAX_BYTES"]

    def unparsed(*args, **kwargs):
        raise AssertionError("the directory was parsed")

    from exchange.documents import storage as document_store
    monkeypatch.setattr(document_store.zipfile, "ZipFile", unparsed)
    message = _refused(app, clients.state, f"/requests/{request_id}/documents", crowded, "crowded.docx")
    assert "more than 1000 parts" in message
