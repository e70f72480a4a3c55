"""Small presentation helpers for the Crisis Center pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from satuatap.core.masking import mask_nik

register = template.Library()


@register.filter
def timeleft(value: dt.timedelta | None) -> str:
    """'2 d 3 h', '45 min', or 'overdue 1 h 10 min'."""
    if value is None:
        return "—"
    overdue = value < dt.timedelta(0)
    seconds = int(abs(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)d min") % {"m": minutes}
    return _("overdue %(time)s") % {"time": text} if overdue else text


@register.filter
def masknik(value: str) -> str:
    """A registry NIK as crisis agents see it: region code and last digits (UU 27/2022)."""
    return mask_nik(value or "")


@register.filter
def status_label(value: str) -> str:
    """A complaint status code as the agent reads it (Indonesian or English)."""
    from satuatap.crisis.models import Status

    return str(Status(value).label) if value in Status.values else (value or "·")


@register.filter
def due_kind_label(value: str) -> str:
    """What the next deadline is about: first response, the company's clarification, or a closure rule."""
    if value == "first_response":
        return _("first response")
    if value == "clarification":
        return _("company clarification")
    # any other kind is the code of a closure rule of the complaint's rule set version (data/crisis_rules.json)
    return _("closure: %(rule)s") % {"rule": value} if value else value
