"""Crisis Center pages: the public complaint form and status page, the company's clarification form (signed
link), the company portal, and the agents' queue, intake form and complaint page. Views parse, call a service or
a selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satuatap.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from satuatap.crisis import forms, selectors, services
from satuatap.crisis.access import user_company_id, user_is_crisis_agent
from satuatap.crisis.constants import (
    CLARIFICATION_RATE_LIMIT,
    REPORT_RATE_LIMIT,
    STATUS_RATE_LIMIT,
    IntakeChannel,
    Outcome,
    Status,
)
from satuatap.crisis.models import ClarificationState, Complaint, ComplaintEvent
from satuatap.crisis.ratelimit import client_address, rate_limit_hit

_SESSION_DONE = "crisis_report_done"


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _error_text(exc: ApplicationError) -> str:
    return exc.message_en if _english() else exc.message


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_crisis_agent(request.user):
            return render(request, "crisis/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def company_user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in users of a placement company (active membership) only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user_company_id(request.user) is None:
            return render(request, "crisis/company_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _complaint_input(cleaned: dict[str, Any]) -> services.ComplaintInput:
    return services.ComplaintInput(
        complainant_type=cleaned["complainant_type"],
        complainant_name=cleaned["complainant_name"],
        worker_name=cleaned.get("worker_name") or "",
        category=cleaned["category"],
        description=cleaned["description"],
        complainant_relation=cleaned.get("complainant_relation") or "",
        complainant_poa_reference=cleaned.get("complainant_poa_reference") or "",
        complainant_organisation=cleaned.get("complainant_organisation") or "",
        complainant_phone=cleaned.get("complainant_phone") or "",
        complainant_email=cleaned.get("complainant_email") or "",
        worker_nik=cleaned.get("worker_nik") or "",
        worker_passport=cleaned.get("worker_passport") or "",
        worker_birth_date=cleaned.get("worker_birth_date"),
        country=cleaned.get("country") or "",
        employer=cleaned.get("employer") or "",
        company=cleaned.get("company") or "",
        job_order_number=cleaned.get("job_order_number") or "",
    )


def _uploads(files) -> list[services.Upload]:
    result = []
    for upload in files or []:
        upload.seek(0)
        result.append(services.Upload(filename=upload.name or "", content=upload.read()))
    return result


def _add_service_error(form, exc: ValidationFailed) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    form.add_error(field if field in form.fields else None, _error_text(exc))


# --- public: complaint form -------------------------------------------------------------------------------

def report(request: HttpRequest) -> HttpResponse:
    """The public complaint form: no login, for the worker or a family member; nothing typed is lost on an error."""
    if request.method != "POST":
        return render(request, "crisis/report.html", {"form": forms.PublicComplaintForm()})
    limit, window = REPORT_RATE_LIMIT
    if not rate_limit_hit("report", client_address(request), limit=limit, window_seconds=window):
        form = forms.PublicComplaintForm(request.POST)
        form.is_valid()
        form.add_error(None, _("Too many complaints were sent from this connection. Please wait an hour, or call "
                               "the free Crisis Center line 0800-1000. What you typed is kept below."))
        return render(request, "crisis/report.html", {"form": form}, status=429)
    form = forms.PublicComplaintForm(request.POST, request.FILES)
    if form.is_valid():
        if form.cleaned_data.get("website"):
            form.add_error(None, _("The form could not be sent. Please try again."))
            return render(request, "crisis/report.html", {"form": form}, status=400)
        try:
            result = services.complaint_register(
                channel=IntakeChannel.WEB_FORM, data=_complaint_input(form.cleaned_data),
                attachments=_uploads(form.cleaned_data.get("attachments")), language=get_language() or "id",
            )
        except ValidationFailed as exc:
            _add_service_error(form, exc)
        else:
            request.session[_SESSION_DONE] = {"reference": result.complaint.reference, "secret": result.secret}
            return redirect("crisis:report_done")
    return render(request, "crisis/report.html", {"form": form}, status=200)


@never_cache
def report_done(request: HttpRequest) -> HttpResponse:
    """The reference and the secret, shown once."""
    done = request.session.pop(_SESSION_DONE, None)
    if not done:
        return redirect("crisis:status")
    return render(request, "crisis/report_done.html", done)


# --- public: status page ----------------------------------------------------------------------------------

def _stage_label(complaint: Complaint, event: ComplaintEvent) -> tuple[str, str]:
    """(label, detail) of a public event, for the complainant."""
    payload = event.payload or {}
    if event.kind == "registered":
        return _("Complaint registered"), ""
    if event.kind == "closure_warned":
        rule = selectors.closure_rule_of(complaint, payload.get("rule", ""))
        reason = (rule.reason_en if _english() else rule.reason_id) if rule else ""
        return _("Warning: the complaint will be closed on %(date)s unless you contact us") % {
            "date": payload.get("closes_on", "")}, reason
    if event.kind == "clarification_answered" and not event.to_status:
        return _("The company answered the clarification request"), ""
    if event.kind == "attachment_added":
        return _("Document received"), payload.get("name", "")
    label = str(Status(event.to_status).label) if event.to_status in Status.values else event.kind
    detail = event.reason
    if event.kind == "auto_close":
        rule = selectors.closure_rule_of(complaint, payload.get("rule", ""))
        if rule is not None:
            detail = f"{rule.reason_en if _english() else rule.reason_id} ({rule.legal_basis})"
    elif event.kind == "resolve" and payload.get("outcome") in Outcome.values:
        detail = str(Outcome(payload["outcome"]).label)
        if payload.get("amount"):
            detail += f" — Rp{int(float(payload['amount'])):,}".replace(",", ".")
    elif event.kind == "refer":
        detail = payload.get("agency", "")
    elif event.kind == "ask_clarification":
        detail = _("Answer due by %(date)s") % {"date": payload.get("due_on", "")}
    return label, detail


def _closure_text(complaint: Complaint) -> str:
    """Why a complaint was closed: the rule of Perban 6/2024 art. 30 with its basis, or the agent's reason."""
    rule = selectors.closure_rule_of(complaint, complaint.closure_rule)
    if rule is None:
        return complaint.closure_reason
    return f"{rule.reason_en if _english() else rule.reason_id} ({rule.legal_basis})"


def _status_context(complaint: Complaint) -> dict[str, Any]:
    stages = [
        {"at": e.created_at, "kind": e.kind, **dict(zip(("label", "detail"), _stage_label(complaint, e), strict=True))}
        for e in selectors.complaint_events(complaint=complaint, public_only=True)
    ]
    return {"complaint": complaint, "stages": stages,
            "can_upload": complaint.status == Status.AWAITING_DOCUMENTS,
            "upload_form": forms.AttachmentForm()}


@never_cache
def status(request: HttpRequest) -> HttpResponse:
    """The complainant's status page: reference + secret show every stage of the complaint."""
    if request.method != "POST":
        return render(request, "crisis/status.html", {"form": forms.StatusLookupForm()})
    form = forms.StatusLookupForm(request.POST)
    limit, window = STATUS_RATE_LIMIT
    if not rate_limit_hit("status", client_address(request), limit=limit, window_seconds=window):
        form.is_valid()
        form.add_error(None, _("Too many attempts from this connection. Please wait a few minutes."))
        return render(request, "crisis/status.html", {"form": form}, status=429)
    if form.is_valid():
        try:
            complaint = selectors.complaint_for_complainant(reference=form.cleaned_data["reference"],
                                                            secret=form.cleaned_data["secret"])
        except NotFound as exc:
            form.add_error(None, _error_text(exc))
        else:
            return render(request, "crisis/status.html", {"form": form, **_status_context(complaint)})
    return render(request, "crisis/status.html", {"form": form}, status=200)


@never_cache
@require_POST
def status_upload(request: HttpRequest) -> HttpResponse:
    """The complainant adds missing documents from the status page (reference + secret again)."""
    form = forms.StatusUploadForm(request.POST, request.FILES)
    limit, window = STATUS_RATE_LIMIT
    if not rate_limit_hit("status", client_address(request), limit=limit, window_seconds=window):
        return render(request, "crisis/status.html", {"form": forms.StatusLookupForm(request.POST)}, status=429)
    lookup = forms.StatusLookupForm(request.POST)
    if not form.is_valid():
        context = {"form": lookup}
        if lookup.is_valid():
            try:
                complaint = selectors.complaint_for_complainant(reference=lookup.cleaned_data["reference"],
                                                                secret=lookup.cleaned_data["secret"])
                context.update(_status_context(complaint))
                context["upload_form"] = form
            except NotFound as exc:
                lookup.add_error(None, _error_text(exc))
        return render(request, "crisis/status.html", context, status=200)
    reference, secret = form.cleaned_data["reference"], form.cleaned_data["secret"]
    try:
        for upload in _uploads(form.cleaned_data["attachments"]):
            services.complaint_attachment_add(actor=None, reference=reference, secret=secret,
                                              filename=upload.filename, content=upload.content)
        complaint = selectors.complaint_for_complainant(reference=reference, secret=secret)
    except ApplicationError as exc:
        lookup.is_valid()
        lookup.add_error(None, _error_text(exc))
        return render(request, "crisis/status.html", {"form": lookup}, status=200)
    messages.success(request, _("Thank you: your documents were received."))
    return render(request, "crisis/status.html", {"form": lookup, **_status_context(complaint)})


# --- public: the company's clarification answer ------------------------------------------------------------

@never_cache
def clarification(request: HttpRequest, token: str) -> HttpResponse:
    """The placement company answers a clarification request through the signed link it was sent."""
    request_ = selectors.clarification_by_token(token=token)
    if request_ is None:
        raise Http404("invalid link")
    context: dict[str, Any] = {"clarification": request_, "complaint": request_.complaint}
    if request_.state != ClarificationState.OPEN or request.method != "POST":
        context["form"] = forms.ClarificationAnswerForm()
        return render(request, "crisis/clarification.html", context)
    form = forms.ClarificationAnswerForm(request.POST)
    context["form"] = form
    limit, window = CLARIFICATION_RATE_LIMIT
    if not rate_limit_hit("clarification", client_address(request), limit=limit, window_seconds=window):
        form.add_error(None, _("Too many attempts from this connection. Please wait a few minutes."))
        return render(request, "crisis/clarification.html", context, status=429)
    if form.is_valid():
        try:
            services.clarification_answer(token=token, answer=form.cleaned_data["answer"],
                                          answered_by_name=form.cleaned_data["answered_by_name"])
        except ApplicationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            request_.refresh_from_db()
            context["answered_now"] = True
    return render(request, "crisis/clarification.html", context)


# --- the company portal: clarification requests addressed to the user's company ----------------------------

@never_cache
@company_user_required
def company_requests(request: HttpRequest) -> HttpResponse:
    """The open clarification requests addressed to the user's company, soonest due first; recent answered below."""
    return render(request, "crisis/company_requests.html", {
        "open_requests": selectors.company_clarifications(user=request.user),
        "past_requests": selectors.company_clarifications(user=request.user, open_only=False, limit=50),
        "today": timezone.localdate(),
    })


@never_cache
@company_user_required
def company_request(request: HttpRequest, clarification_id: int) -> HttpResponse:
    """One clarification request with the complaint's facts needed to answer it, and the answer form."""
    try:
        item = selectors.company_clarification_get(user=request.user, clarification_id=clarification_id)
    except PermissionDenied:
        return render(request, "crisis/company_forbidden.html", {"other_company": True}, status=403)
    except NotFound:
        raise Http404("clarification request not found") from None
    name = request.user.get_full_name() or request.user.username
    context: dict[str, Any] = {"clarification": item, "complaint": item.complaint, "today": timezone.localdate()}
    if item.state != ClarificationState.OPEN or request.method != "POST":
        context["form"] = forms.ClarificationAnswerForm(initial={"answered_by_name": name})
        return render(request, "crisis/company_request.html", context)
    form = forms.ClarificationAnswerForm(request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            services.clarification_answer(actor=request.user, clarification_id=item.pk,
                                          answer=form.cleaned_data["answer"],
                                          answered_by_name=form.cleaned_data["answered_by_name"])
        except PermissionDenied:
            return render(request, "crisis/company_forbidden.html", {"other_company": True}, status=403)
        except ValidationFailed as exc:
            _add_service_error(form, exc)
        except ApplicationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Thank you: the clarification was received by the Crisis Center."))
            return redirect("crisis:company_request", clarification_id=item.pk)
    return render(request, "crisis/company_request.html", context)


# --- agents ---------------------------------------------------------------------------------------------

@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open complaints by urgency and time left, with the breached and breaching-soon first responses."""
    mine = request.GET.get("mine") == "1"
    data = selectors.complaints_queue(user=request.user, mine=mine)
    return render(request, "crisis/queue.html", {"queue": data, "mine": mine, "now": timezone.now()})


@agent_required
def intake(request: HttpRequest) -> HttpResponse:
    """The officer's form for complaints by phone, walk-in, letter or social media."""
    if request.method != "POST":
        return render(request, "crisis/intake.html", {"form": forms.OfficerIntakeForm()})
    form = forms.OfficerIntakeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.complaint_register(
                channel=form.cleaned_data["channel"], data=_complaint_input(form.cleaned_data),
                attachments=_uploads(form.cleaned_data.get("attachments")), actor=request.user,
                language=form.cleaned_data["language"],
            )
        except ValidationFailed as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, _("Complaint %(reference)s registered. Give the complainant the secret code "
                                        "%(secret)s for the status page: it is shown only now.")
                             % {"reference": result.complaint.reference, "secret": result.secret})
            return redirect("crisis:detail", reference=result.complaint.reference)
    return render(request, "crisis/intake.html", {"form": form})


@agent_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The complaint with its matching candidates, clarifications, timeline, messages and handling actions."""
    try:
        complaint = selectors.complaint_get(user=request.user, reference=reference)
    except NotFound:
        raise Http404("complaint not found") from None
    events = selectors.complaint_events(complaint=complaint)
    context = {
        "complaint": complaint,
        "events": events,
        "candidates": selectors.complaint_match_candidates(complaint=complaint),
        "procedural_now": selectors.complaint_procedural_now(complaint=complaint),
        "clarifications": selectors.complaint_clarifications(complaint=complaint),
        "placement": selectors.complaint_placement_checks(complaint=complaint),
        "attachments": selectors.complaint_attachments(complaint=complaint),
        "outbox": selectors.complaint_messages(complaint=complaint),
        "closure_text": _closure_text(complaint),
        "actions": _available_actions(complaint),
        "forms": {
            "note": forms.NoteForm(), "reason": forms.ReasonForm(), "service": forms.ServiceForm(),
            "category": forms.CategoryForm(initial={"category": complaint.category}),
            "assign": forms.AssignForm(agents=selectors.crisis_agents_list()), "clarify": forms.ClarificationAskForm(
                initial={"company_name": complaint.company.name if complaint.company else complaint.company_name}),
            "placement": forms.PlacementLinkForm(companies=selectors.placement_companies(), initial={
                "company": complaint.company_id,
                "job_order_number": complaint.job_order.number if complaint.job_order else complaint.job_order_number,
            }),
            "refer": forms.ReferForm(), "resolve": forms.ResolveForm(), "attach": forms.AttachmentForm(),
        },
        "now": timezone.now(),
    }
    return render(request, "crisis/detail.html", context)


# status actions offered on the page: action -> button label
_STATUS_ACTIONS = {
    "respond": gettext_lazy("Take up (first response)"),
    "request_documents": gettext_lazy("Ask for missing documents"),
    "documents_received": gettext_lazy("Documents complete"),
    "withdraw_clarification": gettext_lazy("Stop waiting for the clarification"),
    "mark_unreachable": gettext_lazy("Complainant unreachable"),
    "contact_restored": gettext_lazy("Contact restored"),
    "referral_returned": gettext_lazy("Referral came back"),
    "declare_unresolvable": gettext_lazy("Tell the complainant it cannot be resolved"),
    "complainant_responded": gettext_lazy("Complainant responded"),
    "close": gettext_lazy("Close by hand"),
    "reopen": gettext_lazy("Reopen"),
}


def _available_actions(complaint: Complaint) -> list[tuple[str, str]]:
    return [(action, str(label)) for action, label in _STATUS_ACTIONS.items()
            if complaint.status in services.TRANSITIONS[action][0]]


def _do_action(request: HttpRequest, reference: str, action: str) -> str:
    user = request.user
    post, files = request.POST, request.FILES
    simple = {
        "respond": lambda r: services.complaint_respond(actor=user, reference=reference, note=r),
        "request_documents": lambda r: services.complaint_documents_request(actor=user, reference=reference, note=r),
        "documents_received": lambda r: services.complaint_documents_received(actor=user, reference=reference,
                                                                              note=r),
        "withdraw_clarification": lambda r: services.clarification_withdraw(actor=user, reference=reference,
                                                                            reason=r),
        "mark_unreachable": lambda r: services.complaint_mark_unreachable(actor=user, reference=reference, note=r),
        "contact_restored": lambda r: services.complaint_contact_restored(actor=user, reference=reference, note=r),
        "referral_returned": lambda r: services.complaint_referral_returned(actor=user, reference=reference,
                                                                            note=r),
        "declare_unresolvable": lambda r: services.complaint_declare_unresolvable(actor=user, reference=reference,
                                                                                  reason=r),
        "complainant_responded": lambda r: services.complaint_complainant_responded(actor=user, reference=reference,
                                                                                    note=r),
        "close": lambda r: services.complaint_close(actor=user, reference=reference, reason=r),
        "reopen": lambda r: services.complaint_reopen(actor=user, reference=reference, reason=r),
    }
    if action in simple:
        form = forms.ReasonForm(post)
        form.is_valid()
        simple[action](form.cleaned_data.get("reason", ""))
        return _("Done.")
    form_classes = {
        "note": forms.NoteForm, "service": forms.ServiceForm, "category": forms.CategoryForm,
        "match_confirm": forms.MatchForm, "clarify": forms.ClarificationAskForm, "refer": forms.ReferForm,
        "resolve": forms.ResolveForm, "attach": forms.AttachmentForm,
    }
    if action == "assign":
        form = forms.AssignForm(post, agents=selectors.crisis_agents_list())
    elif action == "placement":
        form = forms.PlacementLinkForm(post, companies=selectors.placement_companies())
    elif action == "match_reject":
        form = forms.ReasonForm(post)
    elif action in form_classes:
        form = form_classes[action](post, files) if action == "attach" else form_classes[action](post)
    else:
        raise Http404("unknown action")
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                             for k, v in form.errors.items())
        raise ValidationFailed(problems, problems, code="form_invalid")
    data = form.cleaned_data
    if action == "note":
        services.complaint_note_add(actor=user, reference=reference, text=data["text"])
    elif action == "service":
        services.complaint_service_set(actor=user, reference=reference, service_type=data["service_type"])
    elif action == "category":
        services.complaint_recategorize(actor=user, reference=reference, category=data["category"],
                                        reason=data["reason"])
    elif action == "assign":
        assignee_id = int(data["assignee"]) if data.get("assignee") else None
        services.complaint_assign(actor=user, reference=reference, assignee_id=assignee_id,
                                  team=data.get("team", ""))
    elif action == "placement":
        services.complaint_link_placement(actor=user, complaint=selectors.complaint_get(user=user, reference=reference),
                                          company_id=data.get("company"),
                                          job_order_number=data.get("job_order_number", ""))
    elif action == "match_confirm":
        services.complaint_match_confirm(actor=user, reference=reference, worker_id=data["worker_id"])
    elif action == "match_reject":
        services.complaint_match_reject(actor=user, reference=reference, reason=data.get("reason", ""))
    elif action == "clarify":
        services.clarification_ask(actor=user, reference=reference, company_name=data["company_name"],
                                   company_email=data["company_email"], question=data["question"])
    elif action == "refer":
        services.complaint_refer(actor=user, reference=reference, agency=data["agency"], note=data.get("note", ""))
    elif action == "resolve":
        services.complaint_resolve(actor=user, reference=reference, outcome=data["outcome"], amount=data.get("amount"),
                                   note=data.get("note", ""))
    elif action == "attach":
        for upload in _uploads(data["attachments"]):
            services.complaint_attachment_add(actor=user, reference=reference, filename=upload.filename,
                                              content=upload.content)
    return _("Done.")


@require_POST
@agent_required
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One handling action from the complaint page; errors come back as a message, the page reloads."""
    try:
        messages.success(request, _do_action(request, reference, action))
    except NotFound as exc:
        if exc.code == "complaint_not_found":
            raise Http404("complaint not found") from None
        messages.error(request, _error_text(exc))
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(reverse("crisis:detail", kwargs={"reference": reference}) + "#timeline")


@agent_required
def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    try:
        item = selectors.complaint_attachment_get(user=request.user, reference=reference,
                                                  attachment_id=attachment_id)
    except NotFound:
        raise Http404("attachment not found") from None
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type)
