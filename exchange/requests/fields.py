"""The fields of an assistance request, each written once: the input schema (schemas.RequestIn), the
page form, the required-to-submit list, the audit snapshot, the API object, the export and bulk-import
columns and the matching engine's values are all derived from REQUEST (see core/fields.py). Adding a field: the model,
its migration, a Field here and its place in the form template."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from exchange.core.fields import Field, Kind, Output, Spec, coded_fields
from exchange.core.statuses import RequestStatus, Urgency, Visibility

SHOWN = frozenset({Output.API, Output.EXPORT})  # set by the Exchange: shown, never typed
EDITED = frozenset({Output.FORM, Output.API, Output.EXPORT, Output.SNAPSHOT, Output.IMPORT})
MATCHED = EDITED | {Output.MATCHING}
# The labels of the shared code fields (core.fields.coded_fields), in the reader's language.
CODED_LABELS = {"themes": _l("Themes"), "modalities": _l("Kinds of assistance"), "languages": _l("Languages")}


def content_language_field(outputs: frozenset) -> Field:
    """The language the title and description are written in (ISO 639-1, one of the reference languages):
    the form proposes the detected one, the API detects it when it is not sent (reference/text_language.py)."""
    return Field("content_language", _l("Language of this text"), Kind.CODE, reference="languages",
                 length=2, nullable=True, outputs=outputs, matching="content_language",
                 help=_l("The language the title and description are written in. It is proposed from the text "
                         "itself: change it if it is wrong."),
                 unknown_message=_l("Unknown language: use the ISO 639-1 code of a language of the list."),
                 description="ISO 639-1 code of the language of the title and description. Optional: when "
                             "omitted it is detected from them (empty when it cannot be told).")

REQUEST = Spec("request", [
    Field("id", _l("Number"), kind=Kind.NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("reference", _l("Reference"), input=False, outputs=SHOWN, description='Human reference, e.g. "R-00042".'),
    Field("status", _l("Status"), kind=Kind.CHOICE, choices=RequestStatus.labels(), input=False, outputs=SHOWN | {Output.SNAPSHOT}),
    Field("country", _l("Member State"), Kind.CODE, required=True, create_only=True, attribute="country_iso3",
          help=_l("Coordinators file on a State's behalf: choose the State. The request belongs to that State's "
                  "focal points."),
          reference="countries", length=3, upper=True, placeholder=_l("Choose a Member State"),
          missing=_l("Choose the Member State this request is for."),
          unknown_message=_l("Unknown country: use an ISO 3166-1 alpha-3 code of a UN Member State."),
          outputs=MATCHED, description="ISO 3166-1 alpha-3."),
    Field("organisation", _l("Requesting organisation"), kind=Kind.CODE, input=False, attribute="organisation.code", outputs=SHOWN,
          description="The requesting State's organisation code."),
    Field("title", _l("Title"), Kind.TEXT, required=True, min_length=5, max_length=200, outputs=MATCHED,
          help=_l("A short name for the need, e.g. “Training for the Financial Intelligence Unit on analysing "
                  "suspicious transaction reports” (5 to 200 characters)."),
          missing=_l("Enter a title of 5 to 200 characters."),
          length_message=_l("Enter a title of 5 to 200 characters.")),
    Field("description", _l("What is needed"), Kind.LONG_TEXT, required=True, min_length=20, max_length=10_000,
          help=_l("At least 20 characters. Say what the problem is, what exists already, what result you expect, "
                  "and give numbers and dates (how many officers, which sites, by when)."),
          attrs={"rows": 8}, outputs=MATCHED, short_in_draft=True,
          missing=_l("Describe what is needed in at least 20 characters."),
          length_message=_l("Describe what is needed in 20 to 10,000 characters.")),
    content_language_field(MATCHED),
    *[replace(f, label=CODED_LABELS[f.name]) for f in coded_fields(MATCHED)],
    Field("urgency", _l("Urgency"), Kind.CHOICE, required=True, choices=Urgency.labels(), default=Urgency.MEDIUM, outputs=MATCHED,
          missing=_l("Choose how urgent the need is.")),
    Field("visibility", _l("Who may see it"), Kind.CHOICE, choices=Visibility.labels(), default=Visibility.TASK_FORCE, outputs=EDITED,
          choice_help={
              "task_force": _l("The default. The Task Force office and the Task Force entities (UNODC, IMF, "
                               "INTERPOL…) see it once you submit it; outside providers do not."),
              "providers": _l("Also every approved outside provider (donor agencies, regional organisations), but "
                              "only after a coordinator has accepted the request. Choose this to reach the most "
                              "providers."),
              "restricted": _l("Only the Task Force office, and the providers a coordinator shares it with. Choose "
                               "this for sensitive needs."),
          }),
    Field("publish_summary", _l("Show on the public summary"), Kind.BOOLEAN, default=False, outputs=EDITED,
          help=_l("Off by default. When ticked, this request is counted on the public summary (by country, theme "
                  "and year) and its title is shown there, once the Task Force office has accepted it. Restricted "
                  "requests are never shown."),
          description="The State consents to publication on the public summary (counts and title). Default "
                      "false; restricted requests and drafts are never published."),
    Field("beneficiary", _l("Institution that benefits"), Kind.TEXT, max_length=200, outputs=MATCHED,
          help=_l("Which institution will receive the assistance, e.g. “Financial Intelligence Unit, Ministry of "
                  "Finance”.")),
    Field("desired_start", _l("Desired start"), Kind.DATE, outputs=MATCHED,
          help=_l("Pick the date in the calendar, or type it in the order the field shows. Leave it empty if the dates are flexible.")),
    Field("desired_end", _l("Desired end"), Kind.DATE, not_before="desired_start", outputs=MATCHED,
          help=_l("Pick the date in the calendar, or type it in the order the field shows. Not before the start.")),
    Field("estimated_budget_usd", _l("Estimated budget (US dollars)"), Kind.MONEY, short_label=_l("Estimated budget"),
          help=_l("A whole number, e.g. 50000; leave empty if unknown."), outputs=EDITED),
    Field("shared_with", _l("Shared with"), kind=Kind.CODES, max_length=64, read=lambda r: [o.code for o in r.shared_with],
          outputs=frozenset({Output.API, Output.SNAPSHOT}),
          description="Organisation codes of providers a coordinator shares a restricted request with."),
    Field("created_at", _l("Created"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
    Field("submitted_at", _l("Submitted"), kind=Kind.DATETIME, input=False, nullable=True, outputs=SHOWN),
    Field("accepted_at", _l("Accepted"), kind=Kind.DATETIME, input=False, nullable=True, outputs=SHOWN),
    Field("updated_at", _l("Last updated"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
])
