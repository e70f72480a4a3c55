"""Forms of the officers' pages, and the step-outcome forms generated from the journey's pydantic models.

The outcome forms only parse what the browser sends (dates, numbers, ticks, choices); the rules live in
`journey.outcomes`, and the service's field errors are put back next to the fields by `outcome_errors_apply`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from satuatap.accounts import audit
from satuatap.journey.outcomes import OUTCOME_TYPES, outcome_schema
from satuatap.reference import selectors as reference_selectors
from satuatap.web import labels

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]

# --- step outcomes ---------------------------------------------------------------------------------------

OUTCOME_FIELD_LABELS = {
    "identity_checked": _("Identity checked against Dukcapil data"),
    "anti_trafficking_interview": _("Anti-trafficking interview held"),
    "job_order_number": _("Job order number"),
    "passed": _("Selection passed"),
    "selected_by": _("Selected by (placement company)"),
    "result": _("Result"),
    "certificate_number": _("Certificate number"),
    "valid_until": _("Valid until"),
    "clinic": _("Clinic"),
    "issuer": _("Issuer"),
    "agreement_number": _("Agreement number"),
    "skck_number": _("SKCK number"),
    "passport_number": _("Passport number"),
    "expiry": _("Expiry date"),
    "membership_number": _("Membership number (KPJ)"),
    "programs": _("Programmes"),
    "visa_number": _("Visa number"),
    "visa_type": _("Visa type"),
    "contract_number": _("Contract number"),
    "employer_name": _("Employer name"),
    "contract_months": _("Contract length (months)"),
    "card_number": _("Card number"),
    "checkpoint": _("Departure checkpoint"),
    "departed_on": _("Departure date"),
    "flight_or_vessel": _("Flight or vessel"),
    "bank_name": _("Bank name"),
    "account_number": _("Account number"),
    "note": _("Note"),
}
OUTCOME_FIELD_HELP = {
    "passed": _("Use Reject when the candidate did not pass."),
    "membership_number": _("11 digits."),
    "programs": _("JKK and JKM are mandatory; JHT is optional."),
    "visa_type": _("Only a work visa is accepted; tourist, umrah and visit visas are refused."),
    "passport_number": _("A letter followed by 6 to 8 letters or digits."),
    "account_number": _("6 to 20 digits."),
}
OUTCOME_TYPE_FIELD_HELP = {
    ("medical", "valid_until"): _("Required for a fit result."),
}
OUTCOME_CHOICE_LABELS = {
    "fit": _("Fit"),
    "unfit": _("Unfit"),
    "work": _("Work visa"),
    "JKK": _("JKK (work accident)"),
    "JKM": _("JKM (death)"),
    "JHT": _("JHT (old-age savings)"),
}
# Model-level rules of journey.outcomes whose message names the field they are about.
_VALUE_ERRORS = (
    ("valid_until is required", "valid_until", _("Required when the result is fit.")),
    ("JKK and JKM are mandatory", "programs", _("JKK and JKM are mandatory.")),
    ("passport number", "passport_number", _("A letter followed by 6 to 8 letters or digits.")),
)


def _plain(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The property without its `| None` alternative, and whether None was allowed."""
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        merged = {k: v for k, v in prop.items() if k != "anyOf"}
        merged.update(options[0] if options else {})
        return merged, len(options) != len(prop["anyOf"])
    return prop, False


def _choice_label(value: Any):
    return OUTCOME_CHOICE_LABELS.get(str(value), str(value))


def _outcome_field(outcome_type: str, name: str, prop: dict[str, Any], required: bool, default: Any) -> forms.Field:
    prop, nullable = _plain(prop)
    required = required and not nullable
    label = OUTCOME_FIELD_LABELS.get(name, prop.get("title", name))
    help_text = OUTCOME_TYPE_FIELD_HELP.get((outcome_type, name)) or OUTCOME_FIELD_HELP.get(name, "")
    kind = prop.get("type")
    common = {"label": label, "help_text": help_text}
    if kind == "boolean":
        # Literal[True]: the officer confirms it by ticking; a box left empty is a missing confirmation.
        return forms.BooleanField(required=prop.get("const") is True and required, **common)
    if "const" in prop or "enum" in prop:
        values = [prop["const"]] if "const" in prop else prop["enum"]
        choices = [(v, _choice_label(v)) for v in values]
        if not required:
            choices = [("", "—"), *choices]
        widget = forms.RadioSelect if required and len(values) <= 3 else forms.Select
        return forms.ChoiceField(choices=choices, required=required, widget=widget,
                                 initial=values[0] if len(values) == 1 else default, **common)
    if kind == "array":
        items, _nullable = _plain(prop.get("items", {}))
        values = items.get("enum") or ([items["const"]] if "const" in items else [])
        return forms.MultipleChoiceField(choices=[(v, _choice_label(v)) for v in values], required=False,
                                         widget=forms.CheckboxSelectMultiple, initial=default or [], **common)
    if kind == "string" and prop.get("format") == "date":
        return forms.DateField(required=required, input_formats=DATE_INPUT_FORMATS,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    if kind == "integer":
        return forms.IntegerField(required=required, min_value=prop.get("minimum"), max_value=prop.get("maximum"),
                                  **common)
    max_length = prop.get("maxLength")
    attrs: dict[str, str] = {}
    pattern = prop.get("pattern", "")
    if pattern.startswith("^[0-9]"):
        attrs["inputmode"] = "numeric"
    widget = forms.Textarea(attrs={"rows": 2, **attrs}) if (max_length or 0) > 300 else forms.TextInput(attrs=attrs)
    return forms.CharField(required=required and prop.get("minLength", 1) > 0, max_length=max_length,
                           widget=widget, strip=True, **common)


class OutcomeForm(forms.Form):
    """Base of the generated forms; `outcome_type` and `schema` are set on each generated class."""

    outcome_type = "none"
    schema: dict[str, Any] = {}

    def outcome(self) -> dict[str, Any]:
        """The cleaned values as the outcome dict the journey service validates (dates as ISO strings)."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value is None or (value == "" and name not in self.schema.get("required", [])):
                continue
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
        return data


_FORM_CACHE: dict[str, type[OutcomeForm]] = {}


def outcome_form_class(outcome_type: str) -> type[OutcomeForm]:
    """A Django form with one field per outcome field of the step type (Literal, date, int, list handled)."""
    if outcome_type not in _FORM_CACHE:
        schema = outcome_schema(outcome_type)
        model = OUTCOME_TYPES.get(outcome_type, OUTCOME_TYPES["none"])
        required = set(schema.get("required", []))
        names = [n for n in schema.get("properties", {}) if n != "note"] + ["note"]
        fields: dict[str, Any] = {}
        for name in names:
            prop = schema["properties"].get(name)
            if prop is None:
                continue
            info = model.model_fields.get(name)
            default = info.get_default(call_default_factory=True) if info is not None and not info.is_required() \
                else None
            fields[name] = _outcome_field(outcome_type, name, prop, name in required, default)
        attrs = {"outcome_type": outcome_type, "schema": schema, **fields}
        _FORM_CACHE[outcome_type] = type(f"{model.__name__}OutcomeForm", (OutcomeForm,), attrs)
    return _FORM_CACHE[outcome_type]


def _pydantic_message(form: OutcomeForm, field: str, detail: dict[str, Any]) -> str:
    prop, _nullable = _plain(form.schema.get("properties", {}).get(field, {}))
    kind = detail.get("type", "")
    if kind == "missing":
        return gettext("This field is required.")
    if kind == "literal_error" and prop.get("type") == "boolean":
        return gettext("Tick this box to confirm; it is needed to complete the step.")
    if kind == "literal_error":
        return gettext("Choose one of the allowed values.")
    if kind == "string_too_short":
        return gettext("Enter at least %(n)s characters.") % {"n": prop.get("minLength", 1)}
    if kind == "string_too_long":
        return gettext("Enter at most %(n)s characters.") % {"n": prop.get("maxLength", "")}
    if kind == "string_pattern_mismatch":
        hint = OUTCOME_FIELD_HELP.get(field)
        return gettext("The format is not valid.") + (f" {hint}" if hint else "")
    if kind.startswith("date_"):
        return gettext("Enter a valid date.")
    if kind.startswith("int_"):
        return gettext("Enter a whole number.")
    if kind == "greater_than_equal":
        return gettext("The value must be at least %(n)s.") % {"n": prop.get("minimum", "")}
    if kind == "less_than_equal":
        return gettext("The value must be at most %(n)s.") % {"n": prop.get("maximum", "")}
    return gettext("The value is not valid.")


def outcome_errors_apply(form: OutcomeForm, exc) -> None:
    """Put a journey outcome error (ValidationFailed with details [{field, type, msg}]) next to its fields."""
    details = exc.details if isinstance(exc.details, list) else []
    placed = False
    for detail in details:
        if not isinstance(detail, dict):
            continue
        field = str(detail.get("field", "")).split(".")[0]
        message = None
        if detail.get("type") == "value_error" or not field:
            for marker, target, text in _VALUE_ERRORS:
                if marker in str(detail.get("msg", "")):
                    field, message = target, str(text)
                    break
        if message is None:
            message = labels.error_text(exc) if "type" not in detail else _pydantic_message(form, field, detail)
        form.add_error(field if field in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, labels.error_text(exc))


# --- step actions ----------------------------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=3, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AuditFilterForm(forms.Form):
    """The auditor's search: every field optional, all given ones must match."""

    username = forms.CharField(label=_("User"), required=False, max_length=150)
    worker_id = forms.IntegerField(label=_("Worker ID"), required=False, min_value=1)
    object_id = forms.CharField(label=_("Case number or record ID"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from satuatap.accounts.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All")), *[
            (value, labels.pick(*label.split(" / ", 1))) for value, label in AuditAction.choices]]


CORRECTABLE_FIELDS = (
    ("name", _("Name")), ("birth_place", _("Place of birth")), ("birth_date", _("Date of birth (YYYY-MM-DD)")),
    ("sex", _("Sex (L or P)")), ("nik", "NIK"), ("address", _("Address")), ("phone", _("Phone")),
)


class WorkerExportForm(forms.Form):
    """A copy of the worker's data for the worker (UU 27/2022 art. 7); the reason is kept in the audit log."""

    format = forms.ChoiceField(label=_("Format"), choices=(("pdf", "PDF"), ("json", "JSON")), initial="pdf")
    reason = forms.CharField(label=_("Request"), min_length=3, max_length=2000,
                             help_text=_("Who asked and how, e.g. 'the worker in person, form 12/2026'."))


class CorrectionRequestForm(forms.Form):
    field = forms.ChoiceField(label=_("Field to correct"), choices=CORRECTABLE_FIELDS)
    value = forms.CharField(label=_("Correct value"), max_length=250)
    reason = forms.CharField(label=_("Reason and evidence seen"), min_length=3, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note (required to reject)"), required=False, max_length=2000)


class AccessReasonForm(forms.Form):
    """Why a record outside the user's normal work is opened (accounts.audit); kept in the audit log."""

    reason = forms.CharField(
        label=_("Reason for opening this record"), min_length=audit.REASON_MIN_LENGTH, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This record is outside your normal work. Your reason is recorded in the audit log with your "
                    "name and the time."),
    )


class OverrideForm(forms.Form):
    """The office head's written reason for overriding the flags of a placement rule decision (case page)."""

    reason = forms.CharField(
        label=_("Reason for overriding the flags"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case may go on despite the flags. It is recorded with your name and cannot be undone."),
    )


class OverrideReasonForm(forms.Form):
    """The same reason, posted together with the whole registration or open-case form to retry opening.

    Not `required` in the browser: the page's other button (save without overriding, e.g. after changing the job
    order) must still submit; the server asks for the reason when the override button is used."""

    use_required_attribute = False

    override_reason = forms.CharField(
        label=_("Reason for overriding the flags"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case may go on despite the flags. It is recorded with your name and cannot be undone."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Document (PDF, JPEG or PNG, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


def expected_version(data) -> int | None:
    """The step version the officer's page showed (hidden field), or None when absent or garbled."""
    try:
        return int(data.get("expected_version", ""))
    except (TypeError, ValueError):
        return None


# --- login and second factor -----------------------------------------------------------------------------

class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from the authenticator app"), min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*",
                                      "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("The code has digits only."))
        return token


# --- lists -----------------------------------------------------------------------------------------------

OPEN_STATE_CHOICES = [("", _("Ready and in progress")), ("ready", _("Ready")), ("in_progress", _("In progress"))]


class WorklistFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by NIK, name or case number"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    state = forms.ChoiceField(label=_("Step state"), required=False, choices=OPEN_STATE_CHOICES)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    agency = forms.ChoiceField(label=_("Desk"), required=False)

    def __init__(self, *args, desks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All desks")), *[(a.code, desk_name(a)) for a in desks]]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by NIK, name or case number"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("Case status"), required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)
    overdue = forms.BooleanField(label=_("With an overdue step"), required=False)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *labels.CASE_STATUS_LABELS.items()]
        self.fields["office"].choices = [("", _("All offices")), *[(o.code, o.name) for o in offices]]


def desk_name(agency) -> str:
    return labels.pick(agency.desk_id, agency.desk_en)


# --- registration wizard ---------------------------------------------------------------------------------

def _region_choices(parent: str | None, level: int) -> list[tuple[str, str]]:
    if level > 1 and not parent:
        return [("", _("— choose the level above first —"))]
    rows = reference_selectors.regions_list(parent=parent if level > 1 else None, level=level, limit=2000)
    return [("", _("— choose —")), *[(r.code, r.name) for r in rows]]


class RegistrationForm(forms.Form):
    """Everything the manpower desk records to register a candidate and open the case (one page, no JS needed)."""

    nik = forms.CharField(
        label=_("NIK (16 digits)"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Full name as on the KTP"), max_length=150)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), input_formats=DATE_INPUT_FORMATS,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sex = forms.ChoiceField(label=_("Sex"), widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=30,
                            help_text=_("Like 0812-3456-7890, or with +country code for a foreign number."),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    province = forms.ChoiceField(label=_("Province"))
    regency = forms.ChoiceField(label=_("Regency / city"))
    district = forms.ChoiceField(label=_("District (kecamatan)"), required=False)
    address = forms.CharField(label=_("Address (hamlet, RT/RW, village)"), required=False, max_length=250)
    education = forms.ChoiceField(label=_("Education"), required=False)
    marital_status = forms.ChoiceField(label=_("Marital status"), required=False)
    consenter_name = forms.CharField(label=_("Name of the family member giving permission"), max_length=150)
    relation = forms.ChoiceField(label=_("Relation to the candidate"))
    consent_date = forms.DateField(label=_("Date of the permission letter"), input_formats=DATE_INPUT_FORMATS,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    village_head_acknowledged = forms.BooleanField(label=_("Acknowledged by the village head"), required=False)
    village_head_name = forms.CharField(label=_("Name of the village head"), required=False, max_length=150)
    scheme = forms.ChoiceField(label=_("Placement scheme"))
    destination_country = forms.ChoiceField(label=_("Destination country"), required=False)
    job_order_number = forms.CharField(
        label=_("Job order number"), required=False, max_length=60,
        help_text=_("Required for placement through a company (P to P); it is checked against the placement rules."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        province = str(source.get("province") or "")
        regency = str(source.get("regency") or "")
        if regency and not regency.startswith(province + "."):
            regency = ""
        self.fields["province"].choices = _region_choices(None, 1)
        self.fields["regency"].choices = _region_choices(province, 2)
        self.fields["district"].choices = _region_choices(regency, 3)
        self.fields["sex"].choices = [("P", labels.SEX_LABELS["P"]), ("L", labels.SEX_LABELS["L"])]
        self.fields["education"].choices = [("", "—"), *labels.EDUCATION_LABELS.items()]
        self.fields["marital_status"].choices = [("", "—"), *labels.MARITAL_LABELS.items()]
        self.fields["relation"].choices = [("", _("— choose —")), *labels.RELATION_LABELS.items()]
        self.fields["scheme"].choices = scheme_choices()
        self.fields["destination_country"].choices = country_choices()
        self.fields["consent_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def worker_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "nik": d["nik"], "name": d["name"], "birth_place": d["birth_place"], "birth_date": d["birth_date"],
            "sex": d["sex"], "address": d["address"], "district_code": d["district"] or None,
            "regency_code": d["regency"], "phone": d["phone"], "education": d["education"],
            "marital_status": d["marital_status"],
        }

    def consent_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "consenter_name": d["consenter_name"], "relation": d["relation"], "consent_date": d["consent_date"],
            "village_head_acknowledged": d["village_head_acknowledged"], "village_head_name": d["village_head_name"],
        }


# ApplicationError codes of registration and case opening, and the wizard field they are about.
REGISTRATION_ERROR_FIELDS = {
    "worker_exists": "nik",
    "nik_invalid": "nik",
    "phone_invalid": "phone",
    "region_mismatch": "district",
    "region_not_found": "district",
    "address_region_required": "regency",
    "consent_date_future": "consent_date",
    "village_head_name_required": "village_head_name",
    "scheme_unknown": "scheme",
    "process_not_found": "scheme",
    "country_unknown": "destination_country",
    "job_order_not_found": "job_order_number",
    "rules_blocked": "job_order_number",
    "rules_flagged": "job_order_number",
}


def registration_error_field(exc) -> str | None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    mapped = {"consenter_name": "consenter_name", "name": "name", "birth_place": "birth_place", "sex": "sex",
              "education": "education", "marital_status": "marital_status", "relation": "relation"}
    if field in mapped:
        return mapped[field]
    return REGISTRATION_ERROR_FIELDS.get(exc.code)


def scheme_choices() -> list[tuple[str, Any]]:
    """Schemes with a process definition in force today (a case cannot be opened on any other)."""
    today = timezone.localdate()
    in_force = {p.scheme for p in reference_selectors.processes_list() if p.effective_from <= today}
    return [(code, label) for code, label in labels.SCHEME_LABELS.items() if code in in_force]


def country_choices() -> list[tuple[str, str]]:
    countries = reference_selectors.countries_list()
    rows = sorted(((c.code, labels.pick(c.name_id, c.name_en)) for c in countries), key=lambda r: r[1])
    return [("", _("— not yet known —")), *rows]


class OpenCaseForm(forms.Form):
    """Open a new case for a worker already in the registry (the duplicate-NIK path of the wizard)."""

    scheme = forms.ChoiceField(label=_("Placement scheme"))
    destination_country = forms.ChoiceField(label=_("Destination country"), required=False)
    job_order_number = forms.CharField(
        label=_("Job order number"), required=False, max_length=60,
        help_text=_("Required for placement through a company (P to P); it is checked against the placement rules."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = scheme_choices()
        self.fields["destination_country"].choices = country_choices()
