"""Pages of the candidate's side: the public status page (no login) and the registration slip (officers).

Thin: parse, ask a selector, render. The status page is reached only through the lookup form (case number
+ date of birth) or a signed link (the form's redirect, the slip's QR code); a case number alone shows nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from satuatap.core.errors import ApplicationError
from satuatap.portal import contacts, documents, ratelimit, selectors, tokens
from satuatap.portal.forms import LookupForm


def _private(response: HttpResponse) -> HttpResponse:
    # The URL carries the token: never cached, never leaked as a referrer, never indexed.
    # same-origin: the signed link never leaves the site, and form posts still carry an Origin for CSRF
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _context(**extra) -> dict:
    return {"crisis_center_name": contacts.CRISIS_CENTER_NAME, "crisis_contacts": contacts.CRISIS_CENTER_CONTACTS,
            "crisis_toll_free": contacts.TOLL_FREE, **extra}


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = max(1, ratelimit.window_seconds() // 60)
    response = render(request, "portal/rate_limited.html", _context(minutes=minutes), status=429)
    response["Retry-After"] = str(ratelimit.window_seconds())
    return _private(response)


def _message(request: HttpRequest, *, status: int, title: str, text: str) -> HttpResponse:
    return _private(render(request, "portal/message.html", _context(title=title, text=text), status=status))


def _error_page(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    text = exc.message_en if (translation.get_language() or "id").startswith("en") else exc.message
    title = {403: _("Not allowed"), 404: _("Not found")}.get(exc.status, _("Something went wrong"))
    return _message(request, status=exc.status, title=title, text=text)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """The form: case number + date of birth. The same answer for an unknown case and a wrong date."""
    if request.method == "POST":
        address = ratelimit.client_address(request)
        if ratelimit.is_blocked(address):
            return _too_many(request)
        form = LookupForm(request.POST)
        if form.is_valid():
            case = selectors.case_by_number_and_birth_date(
                case_number=form.cleaned_data["case_number"], birth_date=form.cleaned_data["birth_date"]
            )
            if case is not None:
                return redirect(tokens.status_path(case_number=case.number, case_id=case.pk))
            ratelimit.record_failure(address)
            form.add_error(None, _("We could not find a case with this case number and date of birth. "
                                   "Check both against your registration slip and try again."))
    else:
        form = LookupForm(initial={"case_number": selectors.normalize_case_number(request.GET.get("case", ""))[:40]})
    return _private(render(request, "portal/lookup.html", _context(form=form)))


@never_cache
@require_safe
def status(request: HttpRequest, case_number: str) -> HttpResponse:
    """The checklist of a case, for a visitor holding a valid signed link."""
    token = request.GET.get(tokens.TOKEN_PARAM, "")
    if not token:
        return redirect(reverse("portal:lookup") + "?case=" + selectors.normalize_case_number(case_number)[:40])
    case = selectors.case_by_number(case_number=case_number)
    if case is None or not tokens.check_token(case_number=case.number, case_id=case.pk, token=token):
        address = ratelimit.client_address(request)
        if ratelimit.is_blocked(address):
            return _too_many(request)
        ratelimit.record_failure(address)
        form = LookupForm(initial={"case_number": selectors.normalize_case_number(case_number)[:40]})
        link_error = _("This link is not valid or has expired. Enter your case number and date of birth.")
        return _private(render(request, "portal/lookup.html", _context(form=form, link_error=link_error), status=403))
    view = selectors.case_status(case=case)
    return _private(render(request, "portal/status.html", _context(view=view)))


@login_required
@never_cache
@require_safe
def slip(request: HttpRequest, case_number: str) -> HttpResponse:
    """The registration slip PDF with the QR code of the signed status link (office staff of the case)."""
    try:
        case = selectors.slip_case_get(user=request.user, case_number=case_number)
    except ApplicationError as exc:
        return _error_page(request, exc)
    path = tokens.status_path(case_number=case.number, case_id=case.pk)
    # Officers often reach the server by an office-LAN address a family's phone cannot: the QR code must carry
    # the public address when one is configured.
    public_base = getattr(settings, "PORTAL_PUBLIC_BASE_URL", "")
    status_url = public_base.rstrip("/") + path if public_base else request.build_absolute_uri(path)
    language = request.GET.get("lang", "id")
    pdf = documents.slip_pdf(case, status_url=status_url, language=language if language in ("id", "en") else "id")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{case.number}.pdf"'
    return response
