"""Supporting documents on requests and offers: type checks by content, storage under UPLOAD_FOLDER
with names the app makes (the operations that attach and delete documents are documents/operations.py).

A document's type is decided by what its bytes are, never by its name: a PDF starts with "%PDF-";
DOCX, XLSX and ODT are ZIP packages recognised by their members, and checked against the archive
limits (how far a package may expand, how dense a part may be, how many parts and how deep nested
archives may go: `UPLOAD_ARCHIVE_*`) by reading every part in memory, never unpacking to disk.
"""
from __future__ import annotations

import io
import os
import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from exchange.core.errors import NotFound, ValidationFailed
from exchange.documents.models import Document


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    _l("Word document (DOCX)"))
XLSX = DocumentType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    _l("Excel workbook (XLSX)"))
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", _l("OpenDocument text (ODT)"))
ACCEPTED_LABEL = _l("PDF, DOCX, XLSX or ODT")
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_CHUNK = 64 * 1024


def detect_type(path: Path, limits: ArchiveLimits | None = None) -> DocumentType | None:
    """The accepted type these bytes are, or None. Only the start of a PDF, and only the member list
    (plus ODT's small "mimetype" member) of a ZIP package are read to tell the type: nothing is unpacked.
    With `limits`, a package of an accepted type is then checked against them (`ArchiveRefused`)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    if limits is not None:
        declared = _declared_member_count(path)
        if declared is not None and declared > limits.max_members:  # refused before the directory is parsed
            raise ArchiveRefused(_(TOO_MANY_MEMBERS, limit=limits.max_members))
    doc_type = None
    try:
        with zipfile.ZipFile(path) as package:
            doc_type = _package_type(package)
            if doc_type is not None and limits is not None:
                _Inspection(limits).check(package, depth=0)
            return doc_type
    except _ZIP_ERRORS:
        if doc_type is not None:  # a document's directory, and a part that does not read as it says
            raise ArchiveRefused(_(DAMAGED)) from None
        return None


def _package_type(package: zipfile.ZipFile) -> DocumentType | None:
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
    return None


# ------------------------------------------------------------------------------------------------
# How far an Office or ODF package may expand. Every part is read (decompressed in memory, 64 KB at a
# time, never written out) and counted, so a directory that understates sizes does not get through:
# Python's zipfile stops a part at its declared size and then finds the checksum wrong ("damaged").

MIB = 1024 * 1024
RATIO_FLOOR = MIB   # parts smaller than this may compress as well as they like (small XML does)
MAX_NESTING = 1     # an Office file may embed another (a chart's workbook); nothing deeper
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
               NotImplementedError, ValueError, struct.error)

# The refusals, each a whole sentence for the uploader (the limits filled in when raised).
TOO_LARGE = _l("This document would expand to more than %(limit)s MB when opened, which no ordinary document "
               "does (it may be a “zip bomb”), so it was refused. Nothing was uploaded. Save it again from your "
               "office program (or split it), then upload it again.")
TOO_DENSE = _l("Part of this document expands more than %(ratio)s times its stored size when opened, which no "
               "ordinary document does (it may be a “zip bomb”), so it was refused. Nothing was uploaded. Save it "
               "again from your office program (or split it), then upload it again.")
TOO_MANY_MEMBERS = _l("This document holds more than %(limit)s parts (files inside its package), so it was "
                      "refused. Nothing was uploaded. Save it again from your office program (or split it), then "
                      "upload it again.")
NESTED_TOO_DEEP = _l("This document holds archives nested inside an embedded file, deeper than any ordinary "
                     "document goes, so it was refused. Nothing was uploaded. Save it again from your office "
                     "program (or split it), then upload it again.")
NESTED_TOO_LARGE = _l("This document embeds an archive larger than %(limit)s MB, so it was refused. Nothing was "
                      "uploaded. Save it again from your office program (or split it), then upload it again.")
DAMAGED = _l("This document's package is damaged: a part does not match the size or checksum its directory "
             "records, so it was refused. Nothing was uploaded. Save it again from your office program (or split "
             "it), then upload it again.")


def _(message, **values) -> str:
    """A refusal's words in the uploader's language, its limits filled in."""
    return str(message) % values if values else str(message)


class ArchiveRefused(Exception):
    """A package over one of the archive limits; the message says which, in words for the uploader."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int        # all parts together, nested archives' parts included, once decompressed
    max_ratio: int        # a part (over RATIO_FLOOR) may be at most this many times its compressed size
    max_members: int      # parts, nested archives' parts included
    max_nested_bytes: int  # a nested archive is held in memory to be read: at most this large

    @classmethod
    def from_config(cls, config) -> ArchiveLimits:
        return cls(max_bytes=int(config["UPLOAD_ARCHIVE_MAX_BYTES"]),
                   max_ratio=int(config["UPLOAD_ARCHIVE_MAX_RATIO"]),
                   max_members=int(config["UPLOAD_ARCHIVE_MAX_MEMBERS"]),
                   max_nested_bytes=int(config["UPLOAD_MAX_BYTES"]))


class _Inspection:
    """One package's walk, nested archives included, against one budget of bytes and parts."""

    def __init__(self, limits: ArchiveLimits):
        self.limits = limits
        self.members = 0
        self.expanded = 0

    def check(self, package: zipfile.ZipFile, depth: int) -> None:
        limits = self.limits
        infos = package.infolist()
        self.members += len(infos)
        if self.members > limits.max_members:
            raise ArchiveRefused(_(TOO_MANY_MEMBERS, limit=limits.max_members))
        if self.expanded + sum(info.file_size for info in infos) > limits.max_bytes:  # as the directory says
            raise ArchiveRefused(_(TOO_LARGE, limit=limits.max_bytes // MIB))
        for info in infos:
            self._check_ratio(info.file_size, info.compress_size)
        for info in infos:
            if not info.is_dir():
                self._read(package, info, depth)

    def _read(self, package: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int) -> None:
        """Read one part whole, counting what it really expands to; inspect it too if it is an archive."""
        limits = self.limits
        nested: bytearray | None = None
        size = 0
        with package.open(info) as member:
            while chunk := member.read(_CHUNK):
                if size == 0 and chunk.startswith(_ZIP_MAGIC):
                    if depth >= MAX_NESTING:
                        raise ArchiveRefused(_(NESTED_TOO_DEEP))
                    nested = bytearray()
                size += len(chunk)
                self.expanded += len(chunk)
                if self.expanded > limits.max_bytes:
                    raise ArchiveRefused(_(TOO_LARGE, limit=limits.max_bytes // MIB))
                self._check_ratio(size, info.compress_size)
                if nested is not None:
                    if size > limits.max_nested_bytes:
                        raise ArchiveRefused(_(NESTED_TOO_LARGE, limit=limits.max_nested_bytes // MIB))
                    nested += chunk
        if size != info.file_size:
            raise ArchiveRefused(_(DAMAGED))
        if nested is not None:
            with zipfile.ZipFile(io.BytesIO(bytes(nested))) as inner:
                self.check(inner, depth + 1)

    def _check_ratio(self, size: int, compressed: int) -> None:
        if size > RATIO_FLOOR and size > self.limits.max_ratio * max(compressed, 1):
            raise ArchiveRefused(_(TOO_DENSE, ratio=self.limits.max_ratio))


_EOCD = struct.Struct("<4s4H2LH")        # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")


def _declared_member_count(path: Path) -> int | None:
    """The number of parts the end-of-directory record declares (zip64 too), read from the file's last
    64 KB, so that a directory of a million entries is refused before Python parses it; None if unclear."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        start = max(0, end - _EOCD.size - 65_535)
        handle.seek(start)
        tail = handle.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            return None
        count = _EOCD.unpack_from(tail, at)[4]
        locator = at - _ZIP64_LOCATOR.size
        if count == 0xFFFF and locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
            record_offset = _ZIP64_LOCATOR.unpack_from(tail, locator)[2]
            handle.seek(record_offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                count = struct.unpack_from("<Q", record, 32)[0]
        return count


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
        raise ValidationFailed(gettext("Choose a file to upload."), {"file": [gettext("Choose a file to upload.")]})
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
                    raise ValidationFailed(gettext("The file is too large."), {"file": [
                        gettext("The file is larger than %(limit)s MB. Upload a smaller file (split it, or compress "
                                "the images in it).", limit=max_bytes // (1024 * 1024))]})
                out.write(chunk)
        if size == 0:
            raise ValidationFailed(gettext("The file is empty."),
                                   {"file": [gettext("The file is empty: choose the right file.")]})
        try:
            doc_type = detect_type(target, ArchiveLimits.from_config(current_app.config))
        except ArchiveRefused as refusal:
            raise ValidationFailed(gettext("This document was refused."), {"file": [str(refusal)]}) from None
        if doc_type is None:
            raise ValidationFailed(gettext("This type of file is not accepted."), {"file": [
                gettext("Only %(accepted)s files are accepted, and this file's content is none of these (whatever "
                        "its name says).", accepted=ACCEPTED_LABEL)]})
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


def document_record(document: Document) -> tuple[str, int]:
    """("request" | "offer", id) of the record a document belongs to."""
    if document.request_id is not None:
        return "request", document.request_id
    return "offer", document.offer_id


def human_size(size: int) -> str:
    """A file's size in the reader's language and digits: "12 KB", "1,5 Mo"."""
    from exchange.core.i18n import format_number
    if size < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", size)
    if size < 1024 * 1024:
        return gettext("%(size)s KB", size=format_number(round(size / 1024), 0))
    return gettext("%(size)s MB", size=format_number(size / (1024 * 1024), 1))


def download_response(document: Document):
    """The stored file as an attachment (pages and the API alike): never sniffed, never cached; NotFound when
    the file is missing from the disk."""
    path = stored_path(document)
    if not path.is_file():
        raise NotFound(gettext("This document's file is missing; ask the person who uploaded it to upload it "
                               "again."))
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
