"""Field specs: each record's fields described once (name, label, kind, limits, help, where they appear), and
what is derived from them — the input schema's fields, the list required to submit, the page form and
what a browser form sends, the labels of an edit conflict, the snapshot for audit diffs, export columns,
bulk-import columns and the values the matching engine reads. Each area writes its record's spec in its own
`fields.py` (requests/fields.py, offers/fields.py); the API shell turns the same spec into output fields
(api/serialize.py). This module knows marshmallow and WTForms, nothing of the areas."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from exchange.core.schemas import MAX_BUDGET, Said, dates_in_order


class Kind(StrEnum):
    """What a field holds."""

    TEXT = "text"              # one line
    LONG_TEXT = "long_text"    # paragraphs
    DATE = "date"
    DATETIME = "datetime"      # set by the Exchange, never typed
    NUMBER = "number"          # a whole number
    MONEY = "money"            # a whole number of US dollars, 0 to MAX_BUDGET
    DECIMAL = "decimal"        # a number with decimals (an amount in any currency, an exchange rate, a measure)
    CHOICE = "choice"          # one of `choices`
    CODES = "codes"            # reference codes, many (`reference` names the table, if one checks them)
    CODE = "code"              # one reference code
    EMAIL = "email"
    BOOLEAN = "boolean"        # a yes/no choice (a checkbox), never empty


class Output(StrEnum):
    """Where a field appears."""

    FORM = "form"              # the record's page form
    API = "api"                # the API's output object
    EXPORT = "export"          # CSV/XLSX export columns
    SNAPSHOT = "snapshot"      # the audit trail's before/after
    IMPORT = "import"          # bulk-import columns
    MATCHING = "matching"      # the values the matching engine reads


# A field appears everywhere but in the matching engine's data (whose fields the engine fixes) unless told.
EVERYWHERE = frozenset(Output) - {Output.MATCHING}

_STRINGS = (Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE, Kind.CODE, Kind.EMAIL)
_WHOLE_NUMBER = re.compile(r"-?\d{1,15}")
_DECIMAL_NUMBER = re.compile(r"-?\d{1,15}(?:[.,]\d{1,8})?")


@dataclass(frozen=True)
class Field:
    """One field of a record. `required` means required before the record is submitted (a draft may lack
    it); `input` False marks what the Exchange sets itself (ids, statuses, timestamps); `create_only` what is
    chosen when filing and never changes afterwards (the request's country, the offer's provider)."""

    name: str
    label: str = ""
    kind: Kind = Kind.TEXT
    required: bool = False
    help: str = ""
    min_length: int | None = None
    max_length: int | None = None
    length: int | None = None             # an exact length (country codes)
    minimum: int | None = None
    maximum: int | None = None
    minimum_inclusive: bool = True        # DECIMAL: False when the minimum itself is refused (a rate above 0)
    choices: Mapping[str, str] | None = None
    choice_help: Mapping[str, str] = field(default_factory=dict)   # an explanation beside each choice
    default: Any = None                   # what the form shows first (and the engine assumes when empty)
    reference: str = ""                   # reference table of CODE/CODES: themes, modalities, countries…
    unknown_message: str = ""             # CODE: the message for a code not in the reference table
    upper: bool = False                   # CODE: written in capitals whatever the client sent
    choices_from: str = ""                # CODE/CODES: the page choices of its options (default: reference)
    placeholder: str = ""                 # CODE: the first, empty option of its select
    option: str = "{name}"                # CODE/CODES: how an option reads ({name}, {code})
    outputs: frozenset[str] = EVERYWHERE
    input: bool = True
    create_only: bool = False
    nullable: bool | None = None          # default: dates, numbers, money and e-mail may be empty (None)
    attribute: str = ""                   # the record's attribute (dotted for a related record's); default: name
    read: Callable[[Any], Any] | None = None   # or a function of the record, when no attribute holds it
    description: str = ""                 # the API document's description
    short_label: str = ""                 # the label in a list of changed fields (default: label)
    too_short: str = ""                   # the message when a stored value is under min_length at submission
    missing: str = ""                     # what to do when it is empty at submission ("Enter a title")
    length_message: str = ""              # what to do when its length is wrong ("Enter a title of 5 to 200 characters")
    short_in_draft: bool = False          # a draft may hold less than min_length (checked at submission)
    not_before: str = ""                  # DATE: the field it must not precede
    attrs: Mapping[str, Any] = field(default_factory=dict)   # extra HTML attributes of its form input
    matching: str = ""                    # the engine's name for it, when the engine reads it

    @property
    def may_be_empty(self) -> bool:
        if self.nullable is not None:
            return self.nullable
        return self.kind in (Kind.DATE, Kind.NUMBER, Kind.MONEY, Kind.DECIMAL, Kind.EMAIL)

    @property
    def empty(self):
        """What the record stores when the field is cleared: "" for text, None otherwise."""
        return "" if self.kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.EMAIL) else None

    def value_of(self, record):
        """The field's value on `record`, as plain data (codes as lists of strings)."""
        if self.read is not None:
            return self.read(record)
        value = record
        for part in (self.attribute or self.name).split("."):
            value = getattr(value, part, None) if value is not None else None
        return value


def coded_fields(outputs: frozenset[str]) -> list[Field]:
    """The themes, modalities and languages a request or an offer names (each at least one; see models.CodedRecord)."""
    return [
        Field("themes", "Themes", Kind.CODES, required=True, reference="themes", attribute="theme_codes",
              outputs=outputs, description="Theme codes."),
        Field("modalities", "Kinds of assistance", Kind.CODES, required=True, reference="modalities",
              attribute="modality_codes", outputs=outputs, description="Modality codes."),
        Field("languages", "Languages", Kind.CODES, required=True, reference="languages",
              attribute="language_codes", outputs=outputs, description="ISO 639-1 codes."),
    ]


def whole_number_or_text(value):
    """A number typed in a form: empty → None, digits (with thousands separators) → int, anything else as
    typed, so that the shared validation answers with its message."""
    value = (value or "").strip()
    if not value:
        return None
    compact = re.sub(r"[\s,_']", "", value)
    if _WHOLE_NUMBER.fullmatch(compact):
        return int(compact)
    return value


def decimal_or_text(value):
    """A number with decimals typed in a form: empty → None, digits with a decimal point or comma (and spaces as
    thousands separators) → the number as text with a point, anything else as typed (the schema answers)."""
    value = (value or "").strip()
    if not value:
        return None
    compact = re.sub(r"[\s_']", "", value)
    if _DECIMAL_NUMBER.fullmatch(compact):
        return compact.replace(",", ".")
    return value


def _blank(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


_MISSING = object()


class Spec:
    """The fields of one record, in the order of its export columns (long text last) and its API document."""

    def __init__(self, record: str, fields: Iterable[Field]):
        self.record = record
        self.fields: tuple[Field, ...] = tuple(fields)
        self.by_name = {f.name: f for f in self.fields}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def where(self, output: str) -> list[Field]:
        return [f for f in self.fields if output in f.outputs]

    def labels_of(self, names: Iterable[str]) -> list[str]:
        """The labels of these fields, as a list of changes names them (a name it does not know, as is)."""
        return [str(self.by_name[n].short_label or self.by_name[n].label) if n in self.by_name else n
                for n in names]

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields if f.input]

    @property
    def required(self) -> tuple[str, ...]:
        """The fields a record must have before it is submitted."""
        return tuple(f.name for f in self.fields if f.required)

    # -- the input schema ------------------------------------------------------------------------

    def input_schema(self, name: str, base: type[ma.Schema], known_codes: Callable[[str], frozenset[str]],
                     doc: str) -> type[ma.Schema]:
        """The marshmallow schema of what clients send (forms and the API alike): one field a spec field,
        plus `base`'s own (a draft flag, the version read…). `known_codes(table)` gives the valid codes of a
        reference table (read once per request)."""
        attrs: dict[str, Any] = {f.name: _input_field(f, known_codes) for f in self.inputs}
        for f in self.inputs:
            if f.not_before:
                attrs[f"check_{f.name}"] = dates_in_order(f.not_before, f.name)
        if any(f.upper for f in self.inputs):
            attrs["upper_codes"] = ma.post_load(_upper([f.name for f in self.inputs if f.upper]))
        attrs["dedupe_codes"] = ma.post_load(_dedupe([f.name for f in self.inputs if f.kind == Kind.CODES]))
        attrs["__doc__"] = doc
        return type(name, (base,), attrs)

    def submission_problems(self, record) -> dict[str, list[str]]:
        """What `record` still lacks before it can be submitted."""
        problems = {f.name: [missing_message(f)] for f in self.fields
                    if f.required and f.value_of(record) in (None, "", [])}
        for f in self.fields:
            value = f.value_of(record) if (f.too_short or f.short_in_draft) else None
            if value and f.min_length and len(value) < f.min_length:
                problems[f.name] = [str(f.too_short or length_message(f, f.min_length, f.max_length))]
        return problems

    def input_problems(self, raw: Mapping, *, present_only: bool = False, leave_out: Iterable[str] = ()) -> dict:
        """What submitting `raw` (input not yet validated) would lack: required fields empty (or absent, unless
        `present_only`) and text shorter than its minimum, so that a refusal names them together with the
        input's other problems."""
        problems: dict[str, list[str]] = {}
        for f in self.inputs:
            if f.name in leave_out or (present_only and f.name not in raw):
                continue
            value = raw.get(f.name)
            if f.required and _blank(value):
                problems[f.name] = [missing_message(f)]
            elif isinstance(value, str) and f.min_length and len(value.strip()) < f.min_length:
                problems[f.name] = [str(f.too_short or length_message(f, f.min_length, f.max_length))]
        return problems

    def missing_messages(self, names: Iterable[str]) -> dict[str, str]:
        """What each of the fields `names` says when it is required and empty (for schemas.load)."""
        return {name: missing_message(self[name]) for name in names}

    # -- applying validated input to the record --------------------------------------------------

    def apply(self, record, data: Mapping, objects: Callable[[str, list[str]], list]) -> None:
        """Set the plain fields and the reference-code fields present in `data` (validated input) on `record`;
        `objects(table, codes)` gives the reference rows. What needs the operation's own rules (create-only
        fields, codes no reference table checks) is left to the operation."""
        for f in self.inputs:
            if f.name not in data or f.create_only:
                continue
            value = data[f.name]
            if f.kind == Kind.CODES:
                if f.reference:
                    setattr(record, f.name, objects(f.reference, value))
            else:
                setattr(record, f.name, f.empty if value is None else value)

    # -- outputs ---------------------------------------------------------------------------------

    def snapshot(self, record) -> dict:
        """The fields as plain values, for audit diffs."""
        return {f.name: f.value_of(record) for f in self.where(Output.SNAPSHOT)}

    @property
    def export_fields(self) -> list[Field]:
        """The export columns: long text last, so that a spreadsheet's rows stay readable."""
        fields = self.where(Output.EXPORT)
        return [f for f in fields if f.kind != Kind.LONG_TEXT] + [f for f in fields if f.kind == Kind.LONG_TEXT]

    @property
    def export_header(self) -> list[str]:
        return [f.name for f in self.export_fields]

    def export_row(self, record) -> list:
        return [f.value_of(record) for f in self.export_fields]

    @property
    def import_fields(self) -> list[Field]:
        return [f for f in self.where(Output.IMPORT) if f.input]

    def matching_values(self, record) -> dict:
        """The values the matching engine reads, by the engine's names (codes as frozensets, empty text as
        "", an empty choice as its default): the adapter adds what is not a field (id, areas, load)."""
        values = {}
        for f in self.where(Output.MATCHING):
            value = f.value_of(record)
            if f.kind == Kind.CODES:
                value = frozenset(value or ())
            elif f.kind in _STRINGS:
                value = value or f.default or ""
            values[f.matching or f.name] = value
        return values

    # -- the page form ---------------------------------------------------------------------------

    @property
    def form_fields(self) -> list[Field]:
        return [f for f in self.inputs if Output.FORM in f.outputs]

    def form_class(self, name: str, doc: str) -> type[FlaskForm]:
        """A page form with one form field a spec field (labels, help, choices, limits as HTML attributes) and
        the version the editor read, hidden. The form only collects: every rule is the input schema's."""
        attrs: dict[str, Any] = {f.name: _form_field(f) for f in self.form_fields}
        return type(name, (FlaskForm,), {**attrs, "version": HiddenField(), "__doc__": doc})

    def form(self, form_class: type, choices: Mapping[str, list], formdata=None, data=None,
             leave_out: Iterable[str] = ()):
        """A form of `form_class` with the reference choices (themes, countries… as `choices` holds them:
        reference rows by table) and the required fields marked, without the fields in `leave_out` (those
        the person may not choose: what the form does not hold, it does not send)."""
        form = form_class(formdata=formdata, data=data)
        for name in leave_out:
            del form[name]
        for f in self.fields_of(form):
            source = f.choices_from or f.reference
            if f.kind in (Kind.CODE, Kind.CODES) and source in choices:
                options = [(_code(row), f.option.format(name=row.name, code=_code(row))) for row in choices[source]]
                form[f.name].choices = ([("", f.placeholder)] if f.placeholder else []) + options
            if f.required:
                form[f.name].flags.required = True  # shows the star; the rules themselves are the schema's
        return form

    def fields_of(self, form) -> list[Field]:
        """The spec's fields the form holds."""
        return [f for f in self.form_fields if f.name in form]

    def form_values(self, record) -> dict:
        """The record as its form shows it (text in every box: dates as YYYY-MM-DD, numbers as digits), with the
        version read."""
        values = {"version": str(record.version)} if hasattr(record, "version") else {}
        for f in self.form_fields:
            value = f.value_of(record)
            if f.kind == Kind.CODES:
                values[f.name] = list(value or [])
            elif f.kind == Kind.BOOLEAN:
                values[f.name] = bool(value)
            elif value is None:
                values[f.name] = ""
            elif isinstance(value, date):
                values[f.name] = value.isoformat()
            else:
                values[f.name] = value if isinstance(value, str) else str(value)
        return values

    def form_input(self, form, *, creating: bool, as_draft: bool = False) -> dict:
        """What a browser form sent, as the input schema takes it. Only what a browser truly needs changes:
        an empty choice is left out, an empty date, number or e-mail is None (it clears the field), numbers
        typed with separators become numbers; create-only fields count when filing only; a draft leaves out
        the required fields still empty (it is completed later)."""
        raw: dict = {}
        for f in self.fields_of(form):
            if f.create_only and not creating:
                continue
            value = _browser_value(f, form[f.name].data)
            if value is _MISSING or (as_draft and f.required and _blank(value)):
                continue
            raw[f.name] = value
        return raw

    def changed_labels(self, record, form) -> list[str]:
        """The labels of the editable fields where the stored record differs from what the form holds."""
        stored = self.form_values(record)
        differs = []
        for f in self.fields_of(form):
            if f.create_only:
                continue
            mine, theirs = form[f.name].data, stored[f.name]
            if isinstance(theirs, list):
                same = sorted(mine or []) == sorted(theirs)
            elif isinstance(theirs, bool):
                same = bool(mine) == theirs
            else:
                same = (mine or "").strip() == (theirs or "").strip()
            if not same:
                differs.append(f.short_label or f.label)
        return differs


# ------------------------------------------------------------------------------------------------
# Building pieces.

def _code(row) -> str:
    return row.iso3 if hasattr(row, "iso3") else row.code


def _upper(names: list[str]):
    def upper(self, data, **kwargs):
        for name in names:
            if data.get(name):
                data[name] = data[name].upper()
        return data
    return upper


class _KnownCode(ma.validate.Length):
    """One reference code: its length first (a Length, so the API document shows it), then whether the table
    holds it."""

    def __init__(self, f: Field, known_codes):
        super().__init__(equal=f.length) if f.length else super().__init__(max=f.max_length)
        self.table, self.message, self.known_codes = f.reference, f.unknown_message or UNKNOWN_CODE, known_codes
        self.upper = f.upper

    def _format_error(self, value, message):
        return str(self.message)

    def __call__(self, value):
        super().__call__(value)
        if self.table and (value.upper() if self.upper else value) not in self.known_codes(self.table):
            raise ma.ValidationError(str(self.message))
        return value


def _dedupe(names: list[str]):
    def dedupe(self, data, **kwargs):
        for name in names:
            if data.get(name) is not None:
                data[name] = sorted(set(data[name]))
        return data
    return dedupe


# What a field of reference codes says, a sentence a reference table (others: the general one).
UNKNOWN_CODE = _l("Unknown code.")
UNKNOWN_CODES = {
    "themes": _l("Unknown themes: %(codes)s."),
    "modalities": _l("Unknown modalities: %(codes)s."),
    "languages": _l("Unknown languages: %(codes)s."),
    "countries": _l("Unknown countries: %(codes)s."),
    "regions": _l("Unknown regions: %(codes)s."),
}
AT_LEAST_ONE = {
    "themes": _l("Choose at least one theme."),
    "modalities": _l("Choose at least one kind of assistance."),
    "languages": _l("Choose at least one language."),
    "countries": _l("Choose at least one country."),
    "regions": _l("Choose at least one region."),
}


def _known_many(table: str, known_codes):
    def validate(values):
        unknown = sorted(set(values) - known_codes(table))
        if unknown:
            raise ma.ValidationError(_("Unknown codes: %(codes)s.", codes=", ".join(unknown)) if table not in
                                     UNKNOWN_CODES else str(UNKNOWN_CODES[table]) % {"codes": ", ".join(unknown)})
    return validate


class _DecimalInput(ma.fields.Decimal):
    """A number read exactly (a Decimal, from a JSON number or a string); written as a JSON number, as the API
    document gives its bounds."""

    def _serialize(self, value, attr, obj, **kwargs):
        value = super()._serialize(value, attr, obj, **kwargs)
        return None if value is None else float(value)


# What a field says when what was sent is not right: each message says what to do, naming the field by its
# label, so that it reads the same beside the field, in the page's error summary and in the API's `fields`.
def missing_message(f: Field) -> str:
    """What to do when the required field `f` is empty at submission."""
    if f.missing:
        return str(f.missing)
    if f.kind == Kind.CODES and f.reference in AT_LEAST_ONE:
        return str(AT_LEAST_ONE[f.reference])
    if f.kind in (Kind.CHOICE, Kind.CODE, Kind.CODES):
        return _("%(label)s: choose one before you submit.", label=f.label)
    return _("%(label)s: fill this in before you submit.", label=f.label)


def length_message(f: Field, low: int | None, high: int | None) -> str:
    """What to do when the text of `f` is too short or too long."""
    if f.length_message:
        return str(f.length_message)
    if low and high:
        return _("%(label)s: enter %(min)s to %(max)s characters.", label=f.label, min=low, max=high)
    if high:
        return _("%(label)s: enter at most %(max)s characters.", label=f.label, max=high)
    return _("%(label)s: enter at least %(min)s characters.", label=f.label, min=low)


def number_message(f: Field, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("%(label)s: enter a whole number from %(min)s to %(max)s, e.g. %(example)s.", label=f.label,
                 min=f"{low:,}", max=f"{high:,}", example=f"{max(low, min(high, 50000)):,}".replace(",", ""))
    return _("%(label)s: enter a whole number, e.g. 50000.", label=f.label)


class _Length(ma.validate.Length):
    """A text's length, its message saying what to do (length_message)."""

    def __init__(self, f: Field, low: int | None, high: int | None):
        super().__init__(min=low, max=high)
        self.spec_field = f

    def _format_error(self, value, message):
        return length_message(self.spec_field, self.min, self.max)


class _Range(ma.validate.Range):
    def __init__(self, f: Field, low: int | None, high: int | None):
        super().__init__(min=low, max=high)
        self.spec_field = f

    def _format_error(self, value, message):
        return number_message(self.spec_field, self.min, self.max)


def _said(field_class: type[ma.fields.Field], messages: dict[str, Callable[[], str]], **kwargs) -> ma.fields.Field:
    return field_class(error_messages={key: Said(say) for key, say in messages.items()}, **kwargs)


def _input_field(f: Field, known_codes) -> ma.fields.Field:
    metadata = {"description": f.description} if f.description else {}
    if f.kind in (Kind.TEXT, Kind.LONG_TEXT):
        low = None if f.short_in_draft else f.min_length
        validate = [_Length(f, low, f.max_length)] if low is not None or f.max_length is not None else []
        return ma.fields.String(validate=validate, allow_none=f.may_be_empty, metadata=metadata)
    if f.kind == Kind.EMAIL:
        return _said(ma.fields.Email, {"invalid": lambda: _(
            "%(label)s: enter an e-mail address like name@example.org.", label=f.label)},
            validate=_Length(f, None, f.max_length), allow_none=f.may_be_empty, metadata=metadata)
    if f.kind == Kind.DATE:
        return _said(ma.fields.Date, {"invalid": lambda: _(
            "%(label)s: enter a real date as year-month-day, e.g. 2027-03-31.", label=f.label)},
            allow_none=f.may_be_empty, metadata=metadata)
    if f.kind == Kind.BOOLEAN:
        return ma.fields.Boolean(metadata=metadata)
    if f.kind in (Kind.NUMBER, Kind.MONEY):
        low = f.minimum if f.minimum is not None else (0 if f.kind == Kind.MONEY else None)
        high = f.maximum if f.maximum is not None else (MAX_BUDGET if f.kind == Kind.MONEY else None)
        whole = lambda: number_message(f, low, high)
        return _said(ma.fields.Integer, {"invalid": whole, "too_large": whole},
                     allow_none=f.may_be_empty, strict=True, validate=_Range(f, low, high), metadata=metadata)
    if f.kind == Kind.DECIMAL:
        return _DecimalInput(allow_none=f.may_be_empty, allow_nan=False, metadata=metadata,
                             validate=ma.validate.Range(min=f.minimum, max=f.maximum,
                                                        min_inclusive=f.minimum_inclusive))
    if f.kind == Kind.CHOICE:
        return ma.fields.String(validate=ma.validate.OneOf(
            list(f.choices or ()), error=Said(lambda: _("%(label)s: choose one of %(choices)s.", label=f.label,
                                                        choices=", ".join(f.choices or ())))),
            metadata=metadata)
    if f.kind == Kind.CODE:
        return ma.fields.String(validate=_KnownCode(f, known_codes), metadata=metadata)
    if f.kind == Kind.CODES:
        item = ma.fields.String(validate=ma.validate.Length(max=f.max_length or 40))
        if not f.reference:
            return ma.fields.List(item, metadata=metadata)
        at_least_one = AT_LEAST_ONE.get(f.reference, _l("Choose at least one.")) if f.required else None
        return ma.fields.List(item, validate=[ma.validate.Length(min=1 if f.required else 0, max=50, error=at_least_one),
                                              _known_many(f.reference, known_codes)], metadata=metadata)
    raise ValueError(f"{f.name}: no input of kind {f.kind}")


def _form_field(f: Field):
    attrs = dict(f.attrs)
    if f.kind in (Kind.TEXT, Kind.EMAIL) and f.max_length:
        attrs["maxlength"] = f.max_length
    if f.kind == Kind.EMAIL:
        attrs["type"] = "email"
    if f.kind == Kind.DATE:
        attrs["type"] = "date"
    if f.kind in (Kind.NUMBER, Kind.MONEY):
        attrs["inputmode"] = "numeric"
    if f.kind == Kind.DECIMAL:
        attrs["inputmode"] = "decimal"
    options = {"description": f.help, "render_kw": attrs or None}
    if f.kind == Kind.LONG_TEXT:
        return TextAreaField(f.label, **options)
    if f.kind == Kind.BOOLEAN:
        return BooleanField(f.label, default=bool(f.default), **options)
    if f.kind == Kind.CHOICE:
        return RadioField(f.label, choices=list((f.choices or {}).items()), default=f.default, **options)
    if f.kind == Kind.CODE:
        return SelectField(f.label, choices=[], **options)
    if f.kind == Kind.CODES:
        return SelectMultipleField(f.label, choices=[], **options)
    return StringField(f.label, **options)


def _browser_value(f: Field, value):
    if f.kind == Kind.BOOLEAN:
        return bool(value)
    if f.kind == Kind.CODES:
        return [v for v in (value or []) if isinstance(v, str)]
    if f.kind in (Kind.CHOICE, Kind.CODE):
        return value or _MISSING
    if f.kind in (Kind.NUMBER, Kind.MONEY):
        return whole_number_or_text(value)
    if f.kind == Kind.DECIMAL:
        return decimal_or_text(value)
    if f.kind in (Kind.DATE, Kind.EMAIL):
        return (value or "").strip() or None
    return value or ""
