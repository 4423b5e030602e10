"""Supporting documents in the API: list the documents of a request or an offer the caller may see, download
one, attach one (multipart upload, field `file`, by whoever may edit the record) and delete one. The file checks
are the pages' (documents/storage.py): a refused file answers 422 with `fields.file`."""
from __future__ import annotations

import marshmallow as ma
from flask import request, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from exchange.api.serialize import UtcDateTime, error_doc
from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.documents import storage
from exchange.documents.operations import attach_document, delete_document, get_document
from exchange.offers.policy import get_offer
from exchange.requests.policy import get_request

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1", description="Supporting documents")


class DocumentOut(ma.Schema):
    id = ma.fields.Integer()
    record_type = ma.fields.Function(lambda d: "request" if d.request_id else "offer",
                                     metadata={"enum": ["request", "offer"]})
    record_id = ma.fields.Function(lambda d: d.request_id or d.offer_id)
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer(metadata={"description": "Bytes."})
    uploaded_by = ma.fields.Function(lambda d: d.uploaded_by.email if d.uploaded_by else None)
    created_at = UtcDateTime()
    download = ma.fields.Function(lambda d: url_for("api_documents.download", document_id=d.id),
                                  metadata={"description": "Where to GET the file."})


class DocumentListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DocumentOut))


UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "PDF, Word, OpenDocument, spreadsheet or image (the pages' limits)."}}}}}}


@bp.route("/requests/<int:request_id>/documents", methods=["GET"])
@allow(*Role)
@bp.response(200, DocumentListOut)
@error_doc(bp, 401, 404)
def request_documents(request_id: int):
    """The documents attached to a request the caller may see."""
    return {"items": get_request(current_user, request_id).documents}


@bp.route("/offers/<int:offer_id>/documents", methods=["GET"])
@allow(*Role)
@bp.response(200, DocumentListOut)
@error_doc(bp, 401, 404)
def offer_documents(offer_id: int):
    """The documents attached to an offer the caller may see."""
    return {"items": get_offer(current_user, offer_id).documents}


@bp.route("/requests/<int:request_id>/documents", methods=["POST"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
@bp.doc(requestBody=UPLOAD_BODY)
@bp.response(201, DocumentOut)
@error_doc(bp, 401, 403, 404, 409, 422)
def attach_to_request(request_id: int):
    """Attach a document to a request (whoever may edit it): multipart, field `file`."""
    return attach_document(current_user, get_request(current_user, request_id), {"file": request.files.get("file")})


@bp.route("/offers/<int:offer_id>/documents", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
@bp.doc(requestBody=UPLOAD_BODY)
@bp.response(201, DocumentOut)
@error_doc(bp, 401, 403, 404, 409, 422)
def attach_to_offer(offer_id: int):
    """Attach a document to an offer (its provider or the Task Force office): multipart, field `file`."""
    return attach_document(current_user, get_offer(current_user, offer_id), {"file": request.files.get("file")})


@bp.route("/documents/<int:document_id>", methods=["GET"])
@allow(*Role)
@bp.response(200, content_type="application/octet-stream", description="The file, as an attachment.")
@error_doc(bp, 401, 404)
def download(document_id: int):
    """Download a document of a request or offer the caller may see."""
    document, _record = get_document(current_user, document_id)
    return storage.download_response(document)


@bp.route("/documents/<int:document_id>", methods=["DELETE"])
@allow(*Role)
@bp.response(204)
@error_doc(bp, 401, 403, 404)
def remove(document_id: int):
    """Delete a document (whoever may edit its record)."""
    document, _record = get_document(current_user, document_id)
    delete_document(current_user, document)
    return ""
