"""Forms of the Crisis Center pages. They parse and check input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from satuatap.core.errors import ValidationFailed
from satuatap.core.uploads import check_upload, check_upload_size
from satuatap.crisis.constants import (
    MAX_ATTACHMENTS,
    OFFICER_CHANNELS,
    Category,
    ComplainantType,
    IntakeChannel,
    Outcome,
    Relation,
    ServiceType,
)
from satuatap.reference.models import Country


def error_text(exc: ValidationFailed) -> str:
    """An application error's message in the active language (Indonesian unless English is active)."""
    return exc.message_en if (get_language() or "id").startswith("en") else exc.message


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each checked by content (PDF/JPEG/PNG, ≤ 5 MB)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,"
                                                                       "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]
        files = [f for f in files if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("At most %(count)d files.") % {"count": MAX_ATTACHMENTS})
        for upload in files:
            try:
                check_upload_size(upload.size or 0)  # before reading it into memory
                content = upload.read()
                check_upload(content)
                upload.seek(0)
            except ValidationFailed as exc:
                raise forms.ValidationError(
                    _("“%(name)s”: %(problem)s Choose the file again; everything else you typed is kept.")
                    % {"name": upload.name, "problem": error_text(exc)}
                ) from None
        return files


def _country_choices():
    return [("", _("— choose —")), *Country.objects.order_by("name_id").values_list("code", "name_id")]


class ComplaintForm(forms.Form):
    """The complaint itself: the same fields for the public form and the officer's intake."""

    complainant_type = forms.ChoiceField(label=_("Who is filing this complaint?"), choices=ComplainantType.choices,
                                         widget=forms.RadioSelect, initial=ComplainantType.WORKER)
    complainant_relation = forms.ChoiceField(label=_("Relation to the worker (family member)"), required=False,
                                             choices=[("", _("— choose —")), *Relation.choices])
    complainant_organisation = forms.CharField(label=_("Organisation (lawyer or NGO)"), max_length=150,
                                               required=False)
    complainant_poa_reference = forms.CharField(label=_("Power of attorney number or date (lawyer or NGO)"),
                                                max_length=100, required=False)
    complainant_name = forms.CharField(label=_("Your name"), max_length=150,
                                       widget=forms.TextInput(attrs={"autocomplete": "name"}))
    complainant_phone = forms.CharField(
        label=_("Phone or WhatsApp number"), max_length=30, required=False,
        help_text=_("Like 0812-3456-7890, or with + and the country code for a number abroad."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    complainant_email = forms.EmailField(label=_("E-mail"), required=False,
                                         widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    worker_name = forms.CharField(label=_("Name of the migrant worker"), max_length=150, required=False,
                                  help_text=_("Leave empty if you are the worker."))
    worker_nik = forms.CharField(label=_("Worker's NIK (16 digits), if known"), max_length=20, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    worker_passport = forms.CharField(label=_("Passport number, if known"), max_length=12, required=False)
    worker_birth_date = forms.DateField(label=_("Worker's date of birth, if known"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.ChoiceField(label=_("Country where the worker is"), required=False, choices=())
    employer = forms.CharField(label=_("Employer (name, address)"), max_length=200, required=False)
    company = forms.CharField(label=_("Placement company (P3MI) that sent the worker"), max_length=200,
                              required=False)
    job_order_number = forms.CharField(label=_("Job order number, if known"), max_length=60, required=False)
    category = forms.ChoiceField(label=_("What is the problem?"), choices=[("", _("— choose —")), *Category.choices])
    description = forms.CharField(label=_("Tell us what happened"), max_length=10000,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(
        label=_("Documents or photos (PDF, JPEG or PNG, at most 5 MB each)"), required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()


class PublicComplaintForm(ComplaintForm):
    # A field people never see; robots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1",
                                                                            "autocomplete": "off"}))


class OfficerIntakeForm(ComplaintForm):
    channel = forms.ChoiceField(label=_("Received by"), choices=[
        (c.value, c.label) for c in IntakeChannel if c in OFFICER_CHANNELS
    ])
    language = forms.ChoiceField(label=_("Language for messages to the complainant"),
                                 choices=[("id", "Bahasa Indonesia"), ("en", "English")])

    field_order = ["channel", "language"]


class StatusLookupForm(forms.Form):
    reference = forms.CharField(label=_("Complaint number"), max_length=20,
                                widget=forms.TextInput(attrs={"placeholder": "PGD-2026-000123",
                                                              "autocapitalize": "characters"}))
    secret = forms.CharField(label=_("Secret code"), max_length=20,
                             widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}))


class StatusUploadForm(StatusLookupForm):
    attachments = MultipleFileField(label=_("Documents or photos (PDF, JPEG or PNG, at most 5 MB each)"))


class ClarificationAnswerForm(forms.Form):
    answered_by_name = forms.CharField(label=_("Your name and position"), max_length=150)
    answer = forms.CharField(label=_("Clarification"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))


# --- agent actions on the complaint page -------------------------------------------------------------------

class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason / message"), max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Agent"), required=False, choices=())
    team = forms.CharField(label=_("Team"), max_length=100, required=False)

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("— nobody —")),
                                           *((str(u.pk), u.get_full_name() or u.username) for u in agents)]


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class MatchForm(forms.Form):
    worker_id = forms.IntegerField(label=_("Registry worker id"), min_value=1)


class ClarificationAskForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    company_email = forms.EmailField(label=_("Company e-mail"))
    question = forms.CharField(label=_("Question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class PlacementLinkForm(forms.Form):
    """The registered company and job order the complaint is about (a job order brings its own company)."""

    company = forms.TypedChoiceField(label=_("Registered placement company"), required=False, coerce=int,
                                     empty_value=None, choices=())
    job_order_number = forms.CharField(label=_("Registered job order number"), max_length=60, required=False)

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", _("— none —")),
                                          *((c.pk, f"{c.name} ({c.licence_number})") for c in companies)]


class ReferForm(forms.Form):
    agency = forms.CharField(label=_("Agency"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    amount = forms.DecimalField(label=_("Amount (IDR)"), required=False, min_value=0, decimal_places=0,
                                max_digits=15)
    note = forms.CharField(label=_("Resolution"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Documents or photos (PDF, JPEG or PNG, at most 5 MB each)"))
