"""The fields of a match's money and results, each written once (see core/fields.py): FUNDING (one amount at one
stage, in its currency, from one funder, with the rate to US dollars recorded with it) and RESULT (one output or
outcome indicator: baseline, target, actual, unit). The input schemas (pages and API alike: matches/schemas.py),
the page forms, the API objects and the audit snapshots are derived from them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from exchange.core.fields import Field, Kind, Output, Spec
from exchange.core.statuses import FundingStage, ResultKind

SHOWN = frozenset({Output.API, Output.EXPORT})  # set by the Exchange: shown, never typed
ENTERED = frozenset({Output.FORM, Output.API, Output.EXPORT, Output.SNAPSHOT})
MAX_AMOUNT = 10**15          # a sanity bound on one entry, in its own currency
MAX_RATE = 10**7             # US dollars for one unit of the currency (or its inverse): wide, never 0
MAX_MEASURE = 10**12         # indicator values


FUNDING = Spec("funding", [
    Field("id", _l("Number"), kind=Kind.NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("stage", _l("Stage"), Kind.CHOICE, required=True, choices=FundingStage.labels(), default=FundingStage.PLEDGED,
          outputs=ENTERED, description="pledged, committed or disbursed (IATI transaction types 11, 2 and 3).",
          help=_l("Pledged: promised. Committed: agreed in writing. Disbursed: paid out.")),
    Field("amount", _l("Amount"), Kind.DECIMAL, required=True, minimum=0, minimum_inclusive=False,
          maximum=MAX_AMOUNT, nullable=False, outputs=ENTERED,
          description="The amount in `currency`, above 0 (up to two decimals are kept).",
          help=_l("In the chosen currency, e.g. 25000 or 25000.50.")),
    Field("currency", _l("Currency"), Kind.CODE, required=True, reference="currencies", length=3, upper=True,
          placeholder=_l("Choose a currency"), outputs=ENTERED, description="ISO 4217 code, e.g. USD, EUR.",
          unknown_message=_l("Unknown currency: use an ISO 4217 code such as USD or EUR.")),
    Field("date", _l("Date"), Kind.DATE, required=True, nullable=False, attribute="on", outputs=ENTERED,
          description="ISO date of the pledge, commitment or disbursement.",
          help=_l("Pick the date in the calendar, or type it in the order the field shows.")),
    Field("funder", _l("Funding organisation"), Kind.CODE, required=True, reference="organisations",
          max_length=64, attribute="funder.code", placeholder=_l("Choose the organisation that pays"),
          outputs=ENTERED, description="The funding organisation's code (an ISO3 code for a State).",
          unknown_message=_l("Unknown organisation: use the code of an organisation of the Exchange.")),
    Field("usd_rate", _l("US dollars for one unit"), Kind.DECIMAL, required=True, minimum=0,
          minimum_inclusive=False, maximum=MAX_RATE, nullable=False, outputs=ENTERED,
          description="US dollars for one unit of `currency` on `date` (1 for USD): recorded with the entry, "
                      "no live rate is looked up.",
          help=_l("The rate you used on that date: how many US dollars one unit of the currency was worth (1 for "
                  "US dollars). The Exchange looks up no rates.")),
    Field("usd_amount", _l("In US dollars"), Kind.DECIMAL, input=False, nullable=False, outputs=SHOWN,
          description="`amount` × `usd_rate`, rounded to cents."),
    Field("entered_by", _l("Entered by"), input=False, read=lambda e: e.entered_by.email if e.entered_by else None,
          outputs=frozenset({Output.API}), description="The e-mail of the person who entered it."),
    Field("created_at", _l("Entered"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
])


RESULT = Spec("result", [
    Field("id", _l("Number"), kind=Kind.NUMBER, input=False, nullable=False, outputs=SHOWN),
    Field("kind", _l("Kind of result"), Kind.CHOICE, choices=ResultKind.labels(), default=ResultKind.OUTPUT,
          outputs=ENTERED, description="output (what was delivered) or outcome (what changed); default output.",
          choice_help={"output": _l("What was delivered: people trained, laws drafted, equipment installed."),
                       "outcome": _l("What changed because of it: cases prosecuted, reports filed, time saved.")}),
    Field("indicator", _l("Indicator"), Kind.TEXT, required=True, min_length=3, max_length=300, outputs=ENTERED,
          description="What is measured, 3 to 300 characters.",
          help=_l("What is measured, e.g. “Analysts trained in financial analysis”.")),
    Field("unit", _l("Unit"), Kind.TEXT, max_length=60, outputs=ENTERED, help=_l("e.g. people, reports, per cent.")),
    Field("baseline", _l("Baseline"), Kind.DECIMAL, minimum=-MAX_MEASURE, maximum=MAX_MEASURE, outputs=ENTERED,
          help=_l("The value before the assistance."), description="Value before the assistance (a number)."),
    Field("target", _l("Target"), Kind.DECIMAL, minimum=-MAX_MEASURE, maximum=MAX_MEASURE, outputs=ENTERED,
          help=_l("The value aimed for."), description="Value aimed for (a number)."),
    Field("actual", _l("Actual"), Kind.DECIMAL, minimum=-MAX_MEASURE, maximum=MAX_MEASURE, outputs=ENTERED,
          help=_l("The value reached at completion."), description="Value reached (a number)."),
    Field("note", _l("Note"), Kind.LONG_TEXT, max_length=5000, outputs=ENTERED, attrs={"rows": 2},
          description="How it was measured, or anything a reader needs."),
    Field("state_comment", _l("The State's comment"), Kind.LONG_TEXT, input=False, outputs=SHOWN,
          description="The requesting State's comment on this result (POST …/results/{id}/comment)."),
    Field("state_commented_at", _l("Commented"), kind=Kind.DATETIME, input=False, nullable=True, outputs=SHOWN),
    Field("created_at", _l("Entered"), kind=Kind.DATETIME, input=False, outputs=SHOWN),
])

MEASURES = ("baseline", "target", "actual")
