"""The fields of an offer, each written once: the input schema (schemas.OfferIn), the page form, the
required list, the audit snapshot, the API object, the export and bulk-import columns and the matching
engine's values are all derived from OFFER (see core/fields.py)."""
from __future__ import annotations

from exchange.core.fields import (
    API,
    CHOICE,
    CODE,
    CODES,
    DATE,
    DATETIME,
    EMAIL,
    EXPORT,
    FORM,
    IMPORT,
    LONG_TEXT,
    MATCHING,
    MONEY,
    NUMBER,
    SNAPSHOT,
    TEXT,
    Field,
    Spec,
)
from exchange.core.statuses import OFFER_STATUSES

SHOWN = frozenset({API, EXPORT})             # set by the Exchange: shown, never typed
EDITED = frozenset({FORM, API, EXPORT, SNAPSHOT, IMPORT})
MATCHED = EDITED | {MATCHING}

OFFER = Spec("offer", [
    Field("id", kind=NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("reference", input=False, outputs=SHOWN, description='Human reference, e.g. "O-00007".'),
    Field("status", kind=CHOICE, choices=OFFER_STATUSES, input=False, outputs=SHOWN | {SNAPSHOT}),
    Field("organisation", "Provider", CODE, create_only=True, max_length=64, attribute="organisation.code",
          help="The Task Force office posts on a provider's behalf: choose the provider organisation.",
          choices_from="providers", placeholder="Choose a provider", outputs=EDITED,
          description="The provider's organisation code."),
    Field("title", "Title", TEXT, required=True, min_length=5, max_length=200, outputs=MATCHED,
          help="The programme's name, e.g. “Regional workshops on countering the financing of terrorism” "
               "(5 to 200 characters)."),
    Field("description", "What you offer", LONG_TEXT, required=True, min_length=20, max_length=10_000,
          help="At least 20 characters: what the programme delivers, to which institutions, how, and what a "
               "State must provide.", attrs={"rows": 7}, outputs=MATCHED),
    Field("themes", "Themes", CODES, required=True, reference="themes", attribute="theme_codes",
          outputs=MATCHED, description="Theme codes."),
    Field("modalities", "Kinds of assistance", CODES, required=True, reference="modalities",
          attribute="modality_codes", outputs=MATCHED, description="Modality codes."),
    Field("languages", "Languages", CODES, required=True, reference="languages", attribute="language_codes",
          outputs=MATCHED, description="ISO 639-1 codes."),
    Field("countries", "Countries", CODES, reference="countries", attribute="country_codes", attrs={"size": 8},
          help="Where it can be delivered. Hold Ctrl (Cmd on a Mac) to choose several. Leave both countries and "
               "regions empty if it can be delivered anywhere.",
          outputs=MATCHED, description="ISO3 codes of countries it can be delivered in."),
    Field("regions", "Regions (UN M49)", CODES, reference="regions", attribute="region_codes", attrs={"size": 8},
          option="{name} ({code})", help="Every country in a chosen region counts. Both empty: anywhere.",
          outputs=MATCHED, description="M49 codes of regions it can be delivered in."),
    Field("available_from", "Available from", DATE, help="A date (YYYY-MM-DD); empty: now.", outputs=MATCHED),
    Field("available_until", "Available until", DATE, help="Not before the start; empty: no end.",
          not_before="available_from", outputs=MATCHED),
    Field("capacity", "Capacity", NUMBER, minimum=1, maximum=100_000, outputs=MATCHED,
          help="How many requests it can take on at once; empty: no limit.",
          description="Requests at once; null: no limit."),
    Field("budget_usd", "Budget (US dollars)", MONEY, help="A whole number; empty if not fixed.", outputs=EDITED),
    Field("contact_name", "Contact person", TEXT, max_length=200, outputs=EDITED),
    Field("contact_email", "Contact e-mail", EMAIL, max_length=254, outputs=EDITED),
    Field("created_at", kind=DATETIME, input=False, outputs=SHOWN),
    Field("updated_at", kind=DATETIME, input=False, outputs=SHOWN),
])
