"""Who may see and do what on the officers' pages: role landing, the second factor, and the step actions.

The journey services check every write again; these rules only decide which forms a page offers, so an
officer is not shown a button that would be refused.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django_htmx.http import HttpResponseClientRedirect
from django_otp import devices_for_user

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role
from satuatap.journey.models import CaseStatus, StepState
from satuatap.journey.services import STEP_TRANSITIONS

# Office heads and admins may waive steps, cancel cases and see everything: a password alone is not enough.
# Auditors see who looked at whom: their account is as sensitive as a head's.
OTP_REQUIRED_ROLES = frozenset({Role.OFFICE_HEAD, Role.ADMIN, Role.AUDITOR})
OFFICE_ROLES = frozenset({Role.DESK_OFFICER, Role.OFFICE_HEAD})
ACTIVE_CASE_STATES = frozenset({CaseStatus.OPEN, CaseStatus.READY_TO_DEPART})


def has_otp_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def otp_required(user) -> bool:
    """Heads and admins always; anyone else once they have enrolled a device (then it is their login too)."""
    return user.role in OTP_REQUIRED_ROLES or user.is_superuser or has_otp_device(user)


def otp_verified(user) -> bool:
    """Second factor done in this session (OTPMiddleware's flag; a user object just logged in has none yet)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else getattr(user, "otp_device", None) is not None


def otp_pending(user) -> bool:
    return user.is_authenticated and not otp_verified(user) and otp_required(user)


def landing_url(user) -> str:
    """Where a user starts: desk officers their worklist, heads their office, monitors and admins the case list."""
    if user.role == Role.DESK_OFFICER:
        return reverse("web:desk")
    if user.role == Role.OFFICE_HEAD:
        return reverse("web:office")
    if user.role == Role.AUDITOR:
        return reverse("web:audit")
    return reverse("web:cases")


def otp_url(user, next_url: str) -> str:
    name = "web:otp_verify" if has_otp_device(user) else "web:otp_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def can_register(user) -> bool:
    """The manpower (Disnaker) desk and the office head register candidates and open cases."""
    return bool(user.office_id) and (
        account_selectors.user_can_act_for(user, office_id=user.office_id, agency_id="DISNAKER")
        or account_selectors.user_heads_office(user, office_id=user.office_id)
    )


def staff_required(view=None, *, roles: frozenset[str] | None = None):
    """Logged in, second factor done where required, and (optionally) one of `roles` (admins always pass)."""

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(f"{reverse('web:login')}?{urlencode({'next': request.path})}")
                return redirect_to_login(request.get_full_path())
            if otp_pending(user):
                target = otp_url(user, request.get_full_path())
                return HttpResponseClientRedirect(target) if getattr(request, "htmx", False) else redirect(target)
            if roles is not None and user.role not in roles and not account_selectors.user_is_admin(user):
                return render(request, "web/error.html", {"status": 403, "message": None}, status=403)
            # Company users have their own pages (crisis/company, placement); auditors only the audit pages.
            if account_selectors.user_is_company_user(user) or (
                user.role == Role.AUDITOR and Role.AUDITOR not in (roles or ())
            ):
                return render(request, "web/error.html", {"status": 403, "message": None}, status=403)
            response = func(request, *args, **kwargs)
            # Officer pages carry personal data: never kept in a browser or proxy cache on a shared PC.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def can_act_on_step(user, case, step, desks: frozenset[str]) -> bool:
    """The step's own desk at the case's office; the head for a desk the office lacks (the step is done elsewhere)."""
    if account_selectors.user_can_act_for(user, office_id=case.office_id, agency_id=step.agency_id):
        return True
    return account_selectors.user_heads_office(user, office_id=case.office_id) and step.agency_id not in desks


def case_is_clear(steps) -> bool:
    """CARD and DEP need a clear case: nothing rejected, nothing unfit, every mandatory earlier step met.

    Mirrors the journey engine's rule, only to decide whether to offer those steps' forms.
    """
    for other in steps:
        if other.state == StepState.REJECTED or (other.state == StepState.DONE and other.blocks_case):
            return False
        d = other.definition
        satisfied = other.state == StepState.WAIVED or (other.state == StepState.DONE and not other.blocks_case)
        if not d.optional and not d.requires_clear_case and not satisfied:
            return False
    return True


def step_actions(user, case, step, desks: frozenset[str], *, clear: bool = True) -> set[str]:
    """The actions this user may take on this step now: start, complete, reject, waive, upload."""
    if case.status not in ACTIVE_CASE_STATES:
        return set()
    actions: set[str] = set()
    if can_act_on_step(user, case, step, desks):
        gated_blocked = step.definition.requires_clear_case and not clear
        if not gated_blocked and (
            step.state in STEP_TRANSITIONS["start"][0] or (step.state == StepState.DONE and step.blocks_case)
        ):
            actions.add("start")
        if not gated_blocked and step.state in STEP_TRANSITIONS["complete"][0]:
            actions.add("complete")
        if step.state in STEP_TRANSITIONS["reject"][0]:
            actions.add("reject")
        actions.add("upload")
    if (
        account_selectors.user_heads_office(user, office_id=case.office_id)
        and step.state in STEP_TRANSITIONS["waive"][0]
        and not step.definition.requires_clear_case
    ):
        actions.add("waive")
    return actions


def can_download(user, case, step) -> bool:
    """Same rule as journey.selectors.document_get: the step's desk, the office head, or an admin."""
    return (
        account_selectors.user_is_admin(user)
        or account_selectors.user_heads_office(user, office_id=case.office_id)
        or account_selectors.user_can_act_for(user, office_id=case.office_id, agency_id=step.agency_id)
    )
