"""Small helpers shared by the page views."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from satuatap.accounts import audit
from satuatap.core.errors import ApplicationError
from satuatap.core.timeutil import ZONES, local_date
from satuatap.web import labels
from satuatap.web.forms import AccessReasonForm


def office_today(office) -> dt.date:
    """Today in the office's zone (WIB, WITA or WIT): SLA deadlines are dates there."""
    return local_date(zone=office.zone) if office is not None else local_date()


def office_tz(office) -> ZoneInfo:
    return ZoneInfo(ZONES.get(getattr(office, "zone", "WIB"), "Asia/Jakarta"))


def wants_fragment(request) -> bool:
    """An htmx request for a part of the page (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_partial(request, full: str, fragment: str, context: dict, status: int = 200):
    response = render(request, fragment if wants_fragment(request) else full, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def error_page(request, exc: ApplicationError):
    return render(request, "web/error.html", {"status": exc.status, "message": labels.error_text(exc)},
                  status=exc.status)


def reason_page(request, *, title: str, heading: str, outside: str, action: str, submit: str,
                form: AccessReasonForm | None = None, status: int = 200):
    """The form asking why a record outside the reader's normal work is opened (case page, worker page): only the
    record's number is shown before the reason is given."""
    return render(request, "web/reason.html", {"title": title, "heading": heading, "outside": outside,
                                               "action": action, "submit": submit, "form": form or AccessReasonForm()},
                  status=status)


def reason_given(request, key: str, target: str, page):
    """A posted reason form: the reason for opening the record `key` is kept for this session (accounts.audit) and
    the record opens (`target`); an invalid form comes back through `page(form)`, which answers 422."""
    form = AccessReasonForm(request.POST)
    if not form.is_valid():
        return page(form)
    audit.reason_grant(request, key, form.cleaned_data["reason"])
    return redirect(target)
