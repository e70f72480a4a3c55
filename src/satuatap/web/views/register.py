"""Registration wizard of the manpower (Disnaker) desk: NIK checked live, address by cascading region lists,
family permission, scheme, then the case is opened and its registration slip can be printed.

One form on one page, in numbered sections, so it works without JavaScript: the "Check NIK" and "Update
region lists" buttons post the form back and it returns filled in; htmx does the same live.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from satuatap.accounts import selectors as account_selectors
from satuatap.core.errors import ApplicationError
from satuatap.journey import selectors as journey_selectors
from satuatap.journey import services as journey_services
from satuatap.registry import selectors as registry_selectors
from satuatap.registry.nik import nik_check, nik_normalize
from satuatap.web import access, labels, services
from satuatap.web import selectors as web_selectors
from satuatap.web.forms import OpenCaseForm, OverrideReasonForm, RegistrationForm, registration_error_field
from satuatap.web.views.case import SLIP_URL, STATUS_URL
from satuatap.web.views.common import error_page, wants_fragment

register_required = access.staff_required(roles=access.OFFICE_ROLES)


def _forbidden(request):
    return render(request, "web/error.html", {
        "status": 403,
        "message": _("Only the manpower (Disnaker) desk and the office head register candidates."),
    }, status=403)


def nik_result(raw: str, user) -> dict[str, Any]:
    """What the wizard says about a typed NIK, and the fields it can fill in when the NIK is valid."""
    digits = nik_normalize(raw)
    if not digits:
        return {"state": "empty"}
    if digits.isdigit() and len(digits) < 16:
        return {"state": "incomplete", "count": len(digits)}
    existing = registry_selectors.worker_get_by_nik(nik=digits)
    if existing is not None:
        cases = web_selectors.worker_cases(worker_id=existing.pk)
        active = next((c for c in cases if c.status in access.ACTIVE_CASE_STATES), None)
        for case in cases:
            case.readable = case.office_id == user.office_id
            case.status_label = labels.CASE_STATUS_LABELS.get(case.status, case.status)
        return {"state": "duplicate", "worker": existing, "cases": cases, "active": active}
    check = nik_check(digits)
    if not check.valid:
        return {"state": "invalid", "errors": [labels.pick(e["message"], e["message_en"]) for e in check.errors]}
    regency = check.current_regency_code or check.regency_code
    fill = {
        "nik": digits,
        "birth_date": check.birth_date,
        "sex": check.sex,
        "province": check.province_code,
        "regency": regency,
        "district": check.district_code if check.district_name else "",
    }
    return {
        "state": "valid", "check": check, "fill": fill,
        "sex_label": labels.SEX_LABELS.get(check.sex, check.sex),
        "warnings": [labels.pick(w["message"], w["message_en"]) for w in check.warnings],
    }


def _initial(data) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "action")}


def _page(request, form: RegistrationForm, result: dict[str, Any] | None = None, status: int = 200,
          rules: dict[str, Any] | None = None):
    return render(request, "web/register/register.html",
                  {"form": form, "nik": result or {"state": "empty"}, "rules": rules}, status=status)


# --- a case refused by the placement rules ---------------------------------------------------------------


def rules_lead(verdict: str) -> str:
    """The short error put next to the job order field; the reasons follow in the rules panel."""
    if verdict == "blocked":
        return _("Refused by the placement rules: see the reasons below.")
    return _("Flagged by the placement rules: the office head must review the flags below before the case opens.")


def rules_panel(user, *, verdict: str, fired: list[dict[str, Any]], decision_id: int | None = None,
                override_form: OverrideReasonForm | None = None, override_error: str | None = None) -> dict[str, Any]:
    """What the registration and open-case pages show when opening was refused by the placement rules: every
    rule with its reason and legal basis; for flags, the override form for the office head, or the advice to ask
    the head for everyone else."""
    blocked = verdict == "blocked"
    return {
        "verdict": "blocked" if blocked else "flagged",
        "blocked": blocked,
        "fired": labels.fired_rows(fired),
        "codes": ",".join(str(f.get("code", "")) for f in fired if isinstance(f, dict)),
        "decision_id": decision_id,
        "can_override": not blocked and bool(user.office_id)
        and account_selectors.user_heads_office(user, office_id=user.office_id),
        "override_form": override_form if override_form is not None else OverrideReasonForm(),
        "override_error": override_error,
    }


def _rules_from_error(user, exc: ApplicationError, override: OverrideReasonForm | None, *,
                      decision_kept: bool) -> dict[str, Any] | None:
    """The rules panel for a refusal by the placement rules (None for any other error). `decision_kept`: the
    refused decision is still in the database (opening for a known worker); the wizard's refused attempt is
    rolled back with the registration, so its decision id means nothing to a later request."""
    if exc.code not in labels.RULES_ERROR_CODES or not isinstance(exc.details, dict):
        return None
    # an override form sent empty keeps its "required" error; otherwise a fresh one
    keep = override if override is not None and override.is_bound and override.errors else None
    decision = exc.details.get("decision")
    return rules_panel(user, verdict=exc.details.get("verdict", "flagged"), fired=exc.details.get("fired", []),
                       decision_id=decision if decision_kept and isinstance(decision, int) else None,
                       override_form=keep)


def _override_sent(request) -> OverrideReasonForm | None:
    """The office head's override reason, when the form was sent with the override button."""
    if request.POST.get("action") != "override":
        return None
    return OverrideReasonForm(request.POST)


def _override_codes(data) -> set[str]:
    return {c.strip() for c in str(data.get("override_codes", "")).split(",") if c.strip()}


def _override_decision(data) -> int | None:
    try:
        return int(data.get("override_decision", ""))
    except (TypeError, ValueError):
        return None


@register_required
@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    if not access.can_register(user):
        return _forbidden(request)
    if request.method == "GET":
        initial = {"scheme": "P2P"}
        result = None
        if request.GET.get("nik"):
            result = nik_result(request.GET["nik"], user)
            initial.update(result.get("fill", {"nik": request.GET["nik"]}))
        return _page(request, RegistrationForm(initial=initial), result)

    action = request.POST.get("action", "register")
    if action in ("check", "regions"):
        # No-JS path: fill in what the NIK tells, or the region list below the chosen province / regency.
        initial = _initial(request.POST)
        result = nik_result(initial.get("nik", ""), user) if action == "check" else None
        if result and result["state"] == "valid":
            initial.update(result["fill"])
        return _page(request, RegistrationForm(initial=initial), result)

    form = RegistrationForm(request.POST)
    override = _override_sent(request)
    result = None
    if form.is_valid():
        # With the head's override reason, the registration is tried again and only the flags shown are overridden.
        reason = override.cleaned_data["override_reason"] if override is not None and override.is_valid() else ""
        try:
            case = services.registration_complete(
                actor=user, worker=form.worker_data(), consent=form.consent_data(),
                scheme=form.cleaned_data["scheme"], destination_country=form.cleaned_data["destination_country"],
                job_order_number=form.cleaned_data["job_order_number"],
                override_reason=reason, override_codes=_override_codes(request.POST),
            )
        except services.OverrideRefused as exc:
            form.add_error("job_order_number", rules_lead("flagged"))
            rules = rules_panel(user, verdict="flagged", fired=exc.fired, override_form=override,
                                override_error=labels.error_text(exc))
            return _page(request, form, status=exc.status, rules=rules)
        except ApplicationError as exc:
            field = registration_error_field(exc)
            rules = _rules_from_error(user, exc, override, decision_kept=False)
            message = rules_lead(rules["verdict"]) if rules else labels.error_text(exc)
            form.add_error(field if field in form.fields else None, message)
            if exc.code == "worker_exists":
                result = nik_result(form.cleaned_data.get("nik", request.POST.get("nik", "")), user)
            return _page(request, form, result, status=exc.status, rules=rules)
        return redirect("web:register_done", number=case.number)
    return _page(request, form, status=422)


@register_required
@require_GET
def nik_check_fragment(request):
    """htmx: the verdict on the NIK typed so far; a valid NIK also fills birth date, sex and region."""
    user = request.user
    if not access.can_register(user):
        return _forbidden(request)
    raw = request.GET.get("nik", "")
    result = nik_result(raw, user)
    if not wants_fragment(request):
        return redirect(f"{reverse('web:register')}?{urlencode({'nik': nik_normalize(raw)})}")
    form = RegistrationForm(initial={**_initial(request.GET), **result.get("fill", {})})
    return render(request, "web/register/_nik_check.html", {"nik": result, "form": form})


@register_required
@require_GET
def region_fields(request):
    """htmx: the address region lists, each narrowed to the province / regency chosen above it."""
    form = RegistrationForm(initial=_initial(request.GET))
    return render(request, "web/register/_regions.html", {"form": form})


@register_required
@require_http_methods(["GET", "POST"])
def open_for_worker(request, worker_id: int):
    """Open a new case for a worker already registered (the duplicate-NIK path, when no case is active)."""
    user = request.user
    if not access.can_register(user):
        return _forbidden(request)
    try:
        worker = registry_selectors.worker_get(worker_id=worker_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    form = OpenCaseForm(request.POST or None, initial={"scheme": "P2P"})
    override = _override_sent(request) if request.method == "POST" else None
    rules = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = {"scheme": form.cleaned_data["scheme"],
                    "destination_country": form.cleaned_data["destination_country"],
                    "job_order_number": form.cleaned_data["job_order_number"]}
            decision_id = _override_decision(request.POST)
            try:
                if override is not None and override.is_valid() and decision_id is not None:
                    case = services.case_open_after_override(
                        actor=user, worker=worker, decision_id=decision_id,
                        reason=override.cleaned_data["override_reason"], **data)
                else:
                    case = journey_services.case_open(actor=user, worker=worker, office_code=user.office_id, **data)
            except services.OverrideRefused as exc:
                form.add_error(None, rules_lead("flagged"))
                rules = rules_panel(user, verdict="flagged", fired=exc.fired, decision_id=exc.decision_id,
                                    override_form=override, override_error=labels.error_text(exc))
                status = exc.status
            except ApplicationError as exc:
                rules = _rules_from_error(user, exc, override, decision_kept=True)
                form.add_error(None, rules_lead(rules["verdict"]) if rules else labels.error_text(exc))
                status = exc.status
            else:
                return redirect("web:register_done", number=case.number)
    context = {"worker": worker, "form": form, "nik": nik_result(worker.nik, user), "rules": rules}
    return render(request, "web/register/open.html", context, status=status)


@register_required
@require_GET
def register_done(request, number: str):
    """The case is open: print the registration slip for the candidate."""
    try:
        case = journey_selectors.case_get(user=request.user, case_number=number)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "web/register/done.html", {
        "case": case, "slip_url": SLIP_URL.format(number=case.number), "status_url": STATUS_URL,
        "scheme_label": labels.SCHEME_LABELS.get(case.scheme, case.scheme),
    })
