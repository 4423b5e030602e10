"""Supporting documents' pages: the upload shared by requests and offers, download and delete."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.core.access import allow
from exchange.core.errors import ValidationFailed
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.documents import storage as document_store
from exchange.documents.operations import attach_document, delete_document, get_document
from exchange.requests.models import AssistanceRequest

bp = Blueprint("documents", __name__, url_prefix="/documents")


def max_upload_mb() -> int:
    from flask import current_app
    return int(current_app.config["UPLOAD_MAX_BYTES"]) // (1024 * 1024)


def attach_upload(record, render_with_errors, detail_url: str):
    """Attach the uploaded file to a request or an offer (the operation authorises it; the request commits);
    a refused file shows the record's page again with the errors beside the upload field."""
    try:
        with all_or_nothing():
            document = attach_document(current_user, record, {"file": request.files.get("file")})
    except ValidationFailed as err:
        return render_with_errors(err.fields.get("file", [err.message]))
    flash(_("Document “%(name)s” added to %(ref)s.", name=document.filename, ref=record.reference), "success")
    return redirect(detail_url + "#documents")


def _document_and_record(document_id: int):
    """The document and its record, if the viewer may see the record; NotFound otherwise."""
    return get_document(current_user, document_id)


@bp.route("/<int:document_id>")
@allow(*Role)
def download(document_id: int):
    document, _record = _document_and_record(document_id)
    return document_store.download_response(document)


@bp.route("/<int:document_id>/delete", methods=["POST"])
@allow(*Role)
def delete(document_id: int):
    document, record = _document_and_record(document_id)
    back = (url_for("requests.detail", request_id=record.id) if isinstance(record, AssistanceRequest)
            else url_for("offers.detail", offer_id=record.id)) + "#documents"
    name = document.filename
    delete_document(current_user, document)
    flash(_("Document “%(name)s” deleted from %(ref)s.", name=name, ref=record.reference), "success")
    return redirect(back)
