"""Supporting documents on requests and offers: type checks by content, storage under UPLOAD_FOLDER
with names the app makes, and the operations that attach and delete them (with audit events).

A document's type is decided by what its bytes are, never by its name: a PDF starts with "%PDF-";
DOCX, XLSX and ODT are ZIP packages recognised by their members. Callers commit; a file written for
an attachment whose transaction fails is removed by `discard_file`.
"""
from __future__ import annotations

import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from . import audit
from .access import may_edit_offer, may_edit_request
from .errors import Forbidden, ValidationFailed
from .extensions import db
from .models import AssistanceRequest, Document, Offer


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "Word document (DOCX)")
XLSX = DocumentType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "Excel workbook (XLSX)")
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text (ODT)")
ACCEPTED_LABEL = "PDF, DOCX, XLSX or ODT"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_CHUNK = 64 * 1024


def detect_type(path: Path) -> DocumentType | None:
    """The accepted type these bytes are, or None. Only the start of a PDF, and only the member list
    (plus ODT's small "mimetype" member) of a ZIP package are read: nothing is unpacked."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                info = package.getinfo("mimetype")
                if info.file_size <= 100:
                    with package.open(info) as member:
                        if member.read(100).strip() == ODT_MIMETYPE:
                            return ODT
                return None
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_filename(name: str, doc_type: DocumentType) -> str:
    """The uploader's file name made safe to show and to send back: no path, no control or reserved
    characters, at most 120 characters, ending with the extension of the type its content has."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if extension.lower() != doc_type.extension:
        stem = name
    stem = stem.strip(" ._")[:110] or "document"
    return f"{stem}.{doc_type.extension}"


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(document: Document) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / document.stored_name


@dataclass
class StoredFile:
    stored_name: str
    filename: str
    size: int
    doc_type: DocumentType


def store_upload(file_storage) -> StoredFile:
    """Check an uploaded file (present, not empty, not too big, an accepted type by content) and keep it
    under a new random name. Raises ValidationFailed (field "file") and keeps nothing when it fails."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        raise ValidationFailed("Choose a file to upload.", {"file": ["Choose a file to upload."]})
    max_bytes = int(current_app.config["UPLOAD_MAX_BYTES"])
    folder = upload_folder()
    stored_name = f"{uuid.uuid4().hex}.bin"
    target = folder / stored_name
    size = 0
    try:
        with open(target, "xb") as out:
            while chunk := file_storage.stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationFailed("The file is too large.", {"file": [
                        (f"The file is larger than {max_bytes // (1024 * 1024)} MB. Upload a smaller file "
                         "(split it, or compress the images in it).")]})
                out.write(chunk)
        if size == 0:
            raise ValidationFailed("The file is empty.", {"file": ["The file is empty: choose the right file."]})
        doc_type = detect_type(target)
        if doc_type is None:
            raise ValidationFailed("This type of file is not accepted.", {"file": [
                (f"Only {ACCEPTED_LABEL} files are accepted, and this file's content is none of these "
                 "(whatever its name says).")]})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    final_name = f"{uuid.uuid4().hex}.{doc_type.extension}"
    os.replace(target, folder / final_name)
    return StoredFile(final_name, clean_filename(file_storage.filename, doc_type), size, doc_type)


def discard_file(stored_name: str) -> None:
    """Remove a stored file (after a failed transaction, or once its document is deleted)."""
    if stored_name and "/" not in stored_name and "\\" not in stored_name:
        (Path(current_app.config["UPLOAD_FOLDER"]) / stored_name).unlink(missing_ok=True)


def attach_document(user, record: AssistanceRequest | Offer, file_storage) -> Document:
    """Attach an uploaded file to a request or an offer the user may edit; an audit event says so."""
    is_request = isinstance(record, AssistanceRequest)
    allowed = may_edit_request(user, record) if is_request else may_edit_offer(user, record)
    if not allowed:
        raise Forbidden("Only those who may edit this record may add documents to it.")
    stored = store_upload(file_storage)
    document = Document(request_id=record.id if is_request else None, offer_id=None if is_request else record.id,
                        filename=stored.filename, stored_name=stored.stored_name,
                        content_type=stored.doc_type.content_type, size=stored.size, uploaded_by_id=user.id)
    db.session.add(document)
    try:
        db.session.flush()
    except Exception:
        discard_file(stored.stored_name)
        raise
    kind = "request" if is_request else "offer"
    audit.record(user, "document.uploaded", kind, record.id,
                 f"{record.reference}: document “{document.filename}” added ({human_size(document.size)})",
                 {"document": [None, document.filename]})
    return document


def document_record(document: Document) -> tuple[str, int]:
    """("request" | "offer", id) of the record a document belongs to."""
    if document.request_id is not None:
        return "request", document.request_id
    return "offer", document.offer_id


def delete_document(user, document: Document, record: AssistanceRequest | Offer) -> str:
    """Delete a document of a record the user may edit; returns the stored name to discard after commit."""
    is_request = isinstance(record, AssistanceRequest)
    allowed = may_edit_request(user, record) if is_request else may_edit_offer(user, record)
    if not allowed:
        raise Forbidden("Only those who may edit this record may delete its documents.")
    stored_name = document.stored_name
    audit.record(user, "document.deleted", "request" if is_request else "offer", record.id,
                 f"{record.reference}: document “{document.filename}” deleted",
                 {"document": [document.filename, None]})
    db.session.delete(document)
    db.session.flush()
    return stored_name


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
