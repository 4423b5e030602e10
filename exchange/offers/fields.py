"""The fields of an offer, each written once: the input schema (schemas.OfferIn), the page form, the
required list, the audit snapshot, the API object, the export and bulk-import columns and the matching
engine's values are all derived from OFFER (see core/fields.py)."""
from __future__ import annotations

from exchange.core.fields import Field, Kind, Output, Spec, coded_fields
from exchange.core.statuses import OfferStatus

SHOWN = frozenset({Output.API, Output.EXPORT})  # set by the Exchange: shown, never typed
EDITED = frozenset({Output.FORM, Output.API, Output.EXPORT, Output.SNAPSHOT, Output.IMPORT})
MATCHED = EDITED | {Output.MATCHING}

OFFER = Spec("offer", [
    Field("id", kind=Kind.NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("reference", input=False, outputs=SHOWN, description='Human reference, e.g. "O-00007".'),
    Field("status", kind=Kind.CHOICE, choices=OfferStatus.labels(), input=False, outputs=SHOWN | {Output.SNAPSHOT}),
    Field("organisation", "Provider", Kind.CODE, create_only=True, max_length=64, attribute="organisation.code",
          help="The Task Force office posts on a provider's behalf: choose the provider organisation.",
          choices_from="providers", placeholder="Choose a provider", outputs=EDITED,
          description="The provider's organisation code."),
    Field("title", "Title", Kind.TEXT, required=True, min_length=5, max_length=200, outputs=MATCHED,
          help="The programme's name, e.g. “Regional workshops on countering the financing of terrorism” "
               "(5 to 200 characters)."),
    Field("description", "What you offer", Kind.LONG_TEXT, required=True, min_length=20, max_length=10_000,
          help="At least 20 characters: what the programme delivers, to which institutions, how, and what a "
               "State must provide.", attrs={"rows": 7}, outputs=MATCHED),
    *coded_fields(MATCHED),
    Field("countries", "Countries", Kind.CODES, reference="countries", attribute="country_codes", attrs={"size": 8},
          help="Where it can be delivered. Hold Ctrl (Cmd on a Mac) to choose several. Leave both countries and "
               "regions empty if it can be delivered anywhere.",
          outputs=MATCHED, description="ISO3 codes of countries it can be delivered in."),
    Field("regions", "Regions (UN M49)", Kind.CODES, reference="regions", attribute="region_codes", attrs={"size": 8},
          option="{name} ({code})", help="Every country in a chosen region counts. Both empty: anywhere.",
          outputs=MATCHED, description="M49 codes of regions it can be delivered in."),
    Field("available_from", "Available from", Kind.DATE, help="A date (YYYY-MM-DD); empty: now.", outputs=MATCHED),
    Field("available_until", "Available until", Kind.DATE, help="Not before the start; empty: no end.",
          not_before="available_from", outputs=MATCHED),
    Field("capacity", "Capacity", Kind.NUMBER, minimum=1, maximum=100_000, outputs=MATCHED,
          help="How many requests it can take on at once; empty: no limit.",
          description="Requests at once; null: no limit."),
    Field("budget_usd", "Budget (US dollars)", Kind.MONEY, help="A whole number; empty if not fixed.", outputs=EDITED),
    Field("contact_name", "Contact person", Kind.TEXT, max_length=200, outputs=EDITED),
    Field("contact_email", "Contact e-mail", Kind.EMAIL, max_length=254, outputs=EDITED),
    Field("created_at", kind=Kind.DATETIME, input=False, outputs=SHOWN),
    Field("updated_at", kind=Kind.DATETIME, input=False, outputs=SHOWN),
])
