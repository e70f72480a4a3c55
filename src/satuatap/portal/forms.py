"""The public lookup form: case number and date of birth."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The browser's date picker sends ISO; people typing on a phone without one write day/month/year.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y"]


class LookupForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("As printed on your registration slip, for example LTSA-IDM-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Day, month and year, for example 17/05/1996."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as day/month/year, for example 17/05/1996.")},
    )
