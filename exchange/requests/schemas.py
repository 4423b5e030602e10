"""Input of a request, for the form and the API alike: RequestIn is built from the field spec
(requests/fields.py), with the flags that are not fields of the request."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import StrictBoolean, StrictSchema
from exchange.reference.schemas import reference_codes
from exchange.requests.fields import REQUEST


class _RequestControls(StrictSchema):
    draft = StrictBoolean(load_default=False)
    version = ma.fields.Integer(strict=True, metadata={"description": "Required on PATCH: the version you read."})


RequestIn = REQUEST.input_schema(
    "RequestIn", _RequestControls, reference_codes,
    "An assistance request as a State (or a coordinator on its behalf) files or edits it.")
