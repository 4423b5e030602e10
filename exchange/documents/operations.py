"""Operations on supporting documents: attach an uploaded file to a request or an offer, delete one. Each
is authorised here (whoever may edit the record), audited on the record, and its file follows the
transaction: a file stored for an attachment that is rolled back is removed, and a deleted document's
file is removed only once the deletion is committed. The file checks and the disk are storage.py's."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from exchange import audit
from exchange.core.access import may_edit_offer
from exchange.core.errors import Forbidden, NotFound
from exchange.core.extensions import db
from exchange.core.models import as_id
from exchange.documents import storage
from exchange.documents.models import Document
from exchange.offers.models import Offer
from exchange.offers.policy import get_offer
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import get_request, may_edit_request

ADD_REFUSED = {"request": _l("Only those who may edit this request may add documents to it."),
               "offer": _l("Only the offer's provider or the Task Force office may add documents to it.")}
DELETE_REFUSED = _l("Only those who may edit this record may delete its documents.")
_DISCARD_ON_ROLLBACK = "documents_discard_on_rollback"
_DISCARD_ON_COMMIT = "documents_discard_on_commit"


def _kind(record: AssistanceRequest | Offer) -> str:
    return "request" if isinstance(record, AssistanceRequest) else "offer"


def get_document(user, document_id) -> tuple[Document, AssistanceRequest | Offer]:
    """The document and its record, if `user` may see the record; NotFound otherwise (missing or invisible)."""
    document = db.session.get(Document, document_id) if as_id(document_id) else None
    if document is None:
        raise NotFound(_("This document does not exist or is not visible to you."))
    kind, record_id = storage.document_record(document)
    try:
        record = get_request(user, record_id) if kind == "request" else get_offer(user, record_id)
    except NotFound:
        raise NotFound(_("This document does not exist or is not visible to you.")) from None
    return document, record


def may_change_documents(user, record: AssistanceRequest | Offer) -> bool:
    """Whoever may edit the request or offer may add and delete its documents."""
    return may_edit_request(user, record) if _kind(record) == "request" else may_edit_offer(user, record)


def attach_document(user, record: AssistanceRequest | Offer, data: dict) -> Document:
    """Attach the uploaded file `data["file"]` (checked and stored by storage.store_upload) to a request or
    an offer `user` may edit; an audit event says so."""
    kind = _kind(record)
    if not may_change_documents(user, record):
        raise Forbidden(str(ADD_REFUSED[kind]))
    stored = storage.store_upload(data.get("file"))
    _on_transaction_end(_DISCARD_ON_ROLLBACK, stored.stored_name)
    document = Document(request_id=record.id if kind == "request" else None,
                        offer_id=record.id if kind == "offer" else None,
                        filename=stored.filename, stored_name=stored.stored_name,
                        content_type=stored.doc_type.content_type, size=stored.size, uploaded_by_id=user.id)
    db.session.add(document)
    db.session.flush()
    audit.record(user, "document.uploaded", kind, record.id,
                 f"{record.reference}: document “{document.filename}” added ({storage.human_size(document.size)})",
                 {"document": [None, document.filename]})
    return document


def delete_document(user, document: Document, data: dict | None = None) -> AssistanceRequest | Offer:
    """Delete a document of a record `user` may edit (its file goes once the deletion is committed); returns
    the record."""
    kind, record_id = storage.document_record(document)
    record = db.session.get(AssistanceRequest if kind == "request" else Offer, record_id)
    if not may_change_documents(user, record):
        raise Forbidden(str(DELETE_REFUSED))
    audit.record(user, "document.deleted", kind, record.id,
                 f"{record.reference}: document “{document.filename}” deleted",
                 {"document": [document.filename, None]})
    _on_transaction_end(_DISCARD_ON_COMMIT, document.stored_name)
    db.session.delete(document)
    db.session.flush()
    return record


def _on_transaction_end(key: str, stored_name: str) -> None:
    session = db.session()
    session.info.setdefault(key, []).append(stored_name)
    if not session.info.get("documents_hooked"):
        session.info["documents_hooked"] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)


def _discard(session, key: str) -> None:
    for stored_name in session.info.pop(key, []):
        storage.discard_file(stored_name)


def _after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outermost transaction decides
        return
    _discard(session, _DISCARD_ON_COMMIT)
    session.info.pop(_DISCARD_ON_ROLLBACK, None)


def _after_rollback(session) -> None:
    if session.in_nested_transaction():
        return
    _discard(session, _DISCARD_ON_ROLLBACK)
    session.info.pop(_DISCARD_ON_COMMIT, None)
