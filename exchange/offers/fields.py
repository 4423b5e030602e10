"""The fields of an offer, each written once: the input schema (schemas.OfferIn), the page form, the
required list, the audit snapshot, the API object, the export and bulk-import columns and the matching
engine's values are all derived from OFFER (see core/fields.py)."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from exchange.core.fields import Field, Kind, Output, Spec, coded_fields
from exchange.core.statuses import OfferStatus

SHOWN = frozenset({Output.API, Output.EXPORT})  # set by the Exchange: shown, never typed
EDITED = frozenset({Output.FORM, Output.API, Output.EXPORT, Output.SNAPSHOT, Output.IMPORT})
MATCHED = EDITED | {Output.MATCHING}
# The labels of the shared code fields (core.fields.coded_fields), in the reader's language.
CODED_LABELS = {"themes": _l("Themes"), "modalities": _l("Kinds of assistance"), "languages": _l("Languages")}

OFFER = Spec("offer", [
    Field("id", _l("Number"), kind=Kind.NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("reference", _l("Reference"), input=False, outputs=SHOWN, description='Human reference, e.g. "O-00007".'),
    Field("status", _l("Status"), kind=Kind.CHOICE, choices=OfferStatus.labels(), input=False, outputs=SHOWN | {Output.SNAPSHOT}),
    Field("organisation", _l("Provider"), Kind.CODE, create_only=True, max_length=64, attribute="organisation.code",
          help=_l("The Task Force office posts on a provider's behalf: choose the provider organisation."),
          choices_from="providers", placeholder=_l("Choose a provider"), outputs=EDITED,
          description="The provider's organisation code."),
    Field("title", _l("Title"), Kind.TEXT, required=True, min_length=5, max_length=200, outputs=MATCHED,
          help=_l("The programme's name, e.g. “Regional workshops on countering the financing of terrorism” "
                  "(5 to 200 characters)."),
          missing=_l("Enter a title of 5 to 200 characters."),
          length_message=_l("Enter a title of 5 to 200 characters.")),
    Field("description", _l("What you offer"), Kind.LONG_TEXT, required=True, min_length=20, max_length=10_000,
          help=_l("At least 20 characters: what the programme delivers, to which institutions, how, and what a "
                  "State must provide."), attrs={"rows": 7}, outputs=MATCHED,
          missing=_l("Describe what you offer in at least 20 characters."),
          length_message=_l("Describe what you offer in 20 to 10,000 characters.")),
    Field("content_language", _l("Language of this text"), Kind.CODE, reference="languages", length=2, nullable=True,
          outputs=MATCHED, matching="content_language",
          help=_l("The language the title and description are written in. It is proposed from the text "
                  "itself: change it if it is wrong."),
          unknown_message=_l("Unknown language: use the ISO 639-1 code of a language of the list."),
          description="ISO 639-1 code of the language of the title and description. Optional: when omitted "
                      "it is detected from them (empty when it cannot be told)."),
    *[replace(f, label=CODED_LABELS[f.name]) for f in coded_fields(MATCHED)],
    Field("countries", _l("Countries"), Kind.CODES, reference="countries", attribute="country_codes", attrs={"size": 8},
          help=_l("Where it can be delivered. Hold Ctrl (Cmd on a Mac) to choose several. Leave both countries and "
                  "regions empty if it can be delivered anywhere."),
          outputs=MATCHED, description="ISO3 codes of countries it can be delivered in."),
    Field("regions", _l("Regions (UN M49)"), Kind.CODES, reference="regions", attribute="region_codes", attrs={"size": 8},
          option="{name} ({code})", help=_l("Every country in a chosen region counts. Both empty: anywhere."),
          outputs=MATCHED, description="M49 codes of regions it can be delivered in."),
    Field("available_from", _l("Available from"), Kind.DATE, outputs=MATCHED,
          help=_l("Pick the date in the calendar, or type it in the order the field shows. Leave it empty if it is available now.")),
    Field("available_until", _l("Available until"), Kind.DATE, not_before="available_from", outputs=MATCHED,
          help=_l("Pick the date in the calendar, or type it in the order the field shows. Not before the start; empty: no end.")),
    Field("capacity", _l("Capacity"), Kind.NUMBER, minimum=1, maximum=100_000, outputs=MATCHED,
          help=_l("How many requests it can take on at once; empty: no limit."),
          description="Requests at once; null: no limit."),
    Field("budget_usd", _l("Budget (US dollars)"), Kind.MONEY, help=_l("A whole number; empty if not fixed."),
          outputs=EDITED),
    Field("contact_name", _l("Contact person"), Kind.TEXT, max_length=200, outputs=EDITED),
    Field("contact_email", _l("Contact e-mail"), Kind.EMAIL, max_length=254, outputs=EDITED),
    Field("iati_identifier", _l("IATI activity identifier"), input=False, nullable=True,
          outputs=SHOWN | {Output.SNAPSHOT},
          description="The identifier of the IATI activity this offer was imported from, if any."),
    Field("created_at", _l("Posted"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
    Field("updated_at", _l("Last updated"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
])
