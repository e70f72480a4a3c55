"""The case page: candidate summary (masked by role), the journey as a DAG, step actions, documents, events,
and the legality checks (every placement rule decision with its reasons and legal basis; the office head's
override of a flag, never of a block)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from satuatap.accounts import audit
from satuatap.accounts import selectors as account_selectors
from satuatap.core.errors import ApplicationError, NotFound
from satuatap.core.masking import mask_nik
from satuatap.core.uploads import check_upload_size
from satuatap.journey import selectors as journey_selectors
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Step
from satuatap.placement import selectors as placement_selectors
from satuatap.placement import services as placement_services
from satuatap.placement.models import Decision, DecisionOverride
from satuatap.reference import selectors as reference_selectors
from satuatap.web import access, dag, labels
from satuatap.web import selectors as web_selectors
from satuatap.web.forms import (
    OUTCOME_CHOICE_LABELS,
    OUTCOME_FIELD_LABELS,
    AccessReasonForm,
    OverrideForm,
    ReasonForm,
    UploadForm,
    desk_name,
    expected_version,
    outcome_errors_apply,
    outcome_form_class,
)
from satuatap.web.views.common import error_page, office_today, office_tz, reason_given, reason_page

STEP_ACTIONS = ("start", "complete", "reject", "waive")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Slip and status page are served by the portal app (public candidate pages).
SLIP_URL = "/status/slip/{number}.pdf"
STATUS_URL = "/status/"


@dataclass
class StepCard:
    """Everything the page shows about one step."""

    step: Step
    name: str
    desk: str
    state_label: str
    overdue: bool
    prerequisites: list[str]
    actions: set[str]
    outcome_rows: list[tuple[str, Any]]
    outcome_hidden: bool
    documents: list
    can_download: bool
    forms: dict[str, Any] = field(default_factory=dict)
    reason_hidden: bool = False
    error: str | None = None
    error_action: str | None = None
    external: bool = False
    # a completion refused by the placement rules: every rule that stopped it, and the decision recorded
    error_rules: list[dict[str, Any]] = field(default_factory=list)
    error_verdict: str = ""
    error_decision: int | None = None

    @property
    def code(self) -> str:
        return self.step.code

    @property
    def rules_list_id(self) -> str:
        return f"step-{self.step.code}-rules"

    @property
    def date_line(self):
        s = self.step
        return s.completed_at or s.started_at or s.ready_at

    @property
    def open_action(self) -> str | None:
        """Which action's form to show unfolded: the one that failed, else 'complete' for a step in progress."""
        if self.error_action:
            return self.error_action
        return "complete" if self.step.state == "in_progress" and "complete" in self.actions else None


@dataclass
class DecisionCard:
    """One placement rule decision of the case, as the legality section shows it."""

    decision: Decision
    stage_label: str
    verdict_label: str
    fired: list[dict[str, Any]]
    override: DecisionOverride | None
    override_own: bool  # the override was made on this decision (not an earlier one it relied on)
    covered: bool  # flagged, not overridden itself, but every flag is covered by an override of the case
    can_override: bool
    form: OverrideForm | None = None
    error: str | None = None

    @property
    def pk(self) -> int:
        return self.decision.pk

    @property
    def verdict(self) -> str:
        return self.decision.verdict

    @property
    def rules_list_id(self) -> str:
        return f"decision-{self.decision.pk}-rules"


def _decision_cards(user, case: Case, *, is_head: bool, bound: dict[str, Any] | None) -> list[DecisionCard]:
    """The case's rule decisions, newest first; an override form on open flags for the head of the case's office."""
    try:
        decisions = placement_selectors.decisions_list(user=user, case_ref=case.number)
    except ApplicationError:
        return []
    covered_codes = {code for d in decisions if d.override is not None for code in d.override.rule_codes}
    active = case.status in access.ACTIVE_CASE_STATES
    cards = []
    for d in decisions:
        open_flags = d.verdict == "flagged" and d.override_id is None
        covered = open_flags and set(d.fired_codes) <= covered_codes
        card = DecisionCard(
            decision=d,
            stage_label=labels.DECISION_STAGE_LABELS.get(d.stage, d.stage),
            verdict_label=labels.VERDICT_LABELS.get(d.verdict, d.verdict),
            fired=labels.fired_rows(d.fired),
            override=d.override,
            override_own=d.override is not None and d.override.decision_id == d.pk,
            covered=covered,
            can_override=open_flags and not covered and active and is_head and d.office_code in ("", case.office_id),
        )
        if bound and bound.get("action") == "override" and bound.get("decision") == d.pk:
            card.form = bound.get("override_form")
            card.error = bound.get("override_error")
        if card.can_override and card.form is None:
            card.form = OverrideForm(prefix=f"override-{d.pk}")
        cards.append(card)
    return cards


def _display_value(value: Any) -> Any:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(OUTCOME_CHOICE_LABELS.get(v, v)) for v in value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str) and value in OUTCOME_CHOICE_LABELS:
        return OUTCOME_CHOICE_LABELS[value]
    return value


def _outcome_rows(step: Step) -> list[tuple[str, Any]]:
    return [
        (OUTCOME_FIELD_LABELS.get(key, key), _display_value(value))
        for key, value in (step.outcome or {}).items()
        if value not in ("", None, [])
    ]


def _forms_for(step: Step, actions: set[str]) -> dict[str, Any]:
    prefix = step.code.lower()
    forms: dict[str, Any] = {}
    if "complete" in actions:
        forms["complete"] = outcome_form_class(step.definition.outcome_type)(prefix=f"{prefix}-complete")
    if "reject" in actions:
        forms["reject"] = ReasonForm(prefix=f"{prefix}-reject")
    if "waive" in actions:
        forms["waive"] = ReasonForm(prefix=f"{prefix}-waive")
    if "upload" in actions:
        forms["upload"] = UploadForm(prefix=f"{prefix}-doc")
    return forms


def _context(request, case: Case, *, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    user = request.user
    steps = journey_selectors.case_steps(case=case)
    today = office_today(case.office)
    desks = frozenset(a.code for a in web_selectors.office_desks(office_id=case.office_id))
    clear = access.case_is_clear(steps)
    sees_health = account_selectors.user_sees_health_details(user)
    documents = journey_selectors.step_documents(case=case)
    cards: list[StepCard] = []
    for step in steps:
        actions = access.step_actions(user, case, step, desks, clear=clear)
        hidden = step.definition.outcome_type == "medical" and bool(step.outcome) and not sees_health
        card = StepCard(
            step=step,
            name=labels.pick(step.definition.name_id, step.definition.name_en),
            desk=desk_name(step.agency),
            state_label=labels.STEP_STATE_LABELS.get(step.state, step.state),
            overdue=journey_selectors.step_is_overdue(step, today=today),
            prerequisites=list(step.definition.prerequisites),
            actions=actions,
            outcome_rows=[] if hidden else _outcome_rows(step),
            outcome_hidden=hidden,
            reason_hidden=step.definition.outcome_type == "medical" and bool(step.reason) and not sees_health,
            documents=[d for d in documents if d.step_id == step.pk],
            can_download=access.can_download(user, case, step),
            forms=_forms_for(step, actions),
            external=step.agency_id not in desks,
        )
        if bound and bound["code"] == step.code:
            if bound.get("form") is not None:
                card.forms[bound["action"]] = bound["form"]
            card.error = bound.get("error")
            card.error_action = bound["action"]
            card.error_rules = bound.get("rules", [])
            card.error_verdict = bound.get("rules_verdict", "")
            card.error_decision = bound.get("rules_decision")
        cards.append(card)
    graph = dag.layout((c.code, c.prerequisites, c) for c in cards)
    worker = case.worker
    full_nik = account_selectors.user_sees_full_nik(user)
    events = journey_selectors.case_events(case=case)
    medical_steps = {c.step.pk for c in cards if c.step.definition.outcome_type == "medical"}
    for event in events:
        if not sees_health and event.step_id in medical_steps and event.reason:
            event.reason = _("(hidden: health data)")
        event.kind_label = labels.EVENT_LABELS.get(event.kind, event.kind)
        event.from_label = labels.STEP_STATE_LABELS.get(event.from_state) or labels.CASE_STATUS_LABELS.get(
            event.from_state, event.from_state)
        event.to_label = labels.STEP_STATE_LABELS.get(event.to_state) or labels.CASE_STATUS_LABELS.get(
            event.to_state, event.to_state)
    is_head = account_selectors.user_heads_office(user, office_id=case.office_id)
    return {
        "case": case,
        "worker": worker,
        "nik": worker.nik if full_nik else mask_nik(worker.nik),
        "nik_masked": not full_nik,
        "sex_label": labels.SEX_LABELS.get(worker.sex, worker.sex),
        "phone": worker.phone if full_nik else (worker.phone[:4] + "•••••" + worker.phone[-3:] if worker.phone else ""),
        "status_label": labels.CASE_STATUS_LABELS.get(case.status, case.status),
        "scheme_label": labels.SCHEME_LABELS.get(case.scheme, case.scheme),
        "destination": _country_name(case.destination_country),
        "cards": cards,
        "graph": graph,
        "events": events,
        "today": today,
        "tz": office_tz(case.office),
        "sees_health": sees_health,
        "slip_url": SLIP_URL.format(number=case.number),
        "status_url": STATUS_URL,
        "can_print_slip": access.can_register(user) and user.office_id == case.office_id,
        "can_cancel": is_head and case.status in access.ACTIVE_CASE_STATES,
        "cancel_form": (bound or {}).get("cancel_form") or ReasonForm(prefix="cancel"),
        "cancel_error": (bound or {}).get("cancel_error"),
        "is_head": is_head,
        "can_open_worker": user.role in access.OFFICE_ROLES,
        "decisions": _decision_cards(user, case, is_head=is_head, bound=bound),
        "read_only": not any(c.actions for c in cards) and not is_head,
    }


def _country_name(code: str) -> str:
    if not code:
        return ""
    try:
        country = reference_selectors.country_get(code=code)
    except ApplicationError:
        return code
    return labels.pick(country.name_id, country.name_en)


def _render(request, case: Case, *, bound: dict[str, Any] | None = None, status: int = 200):
    """The case page, for every view that shows it (also after a refused form): a read outside the user's
    normal work needs the reason first, and every rendering of the full record is audited."""
    reason = ""
    if _needs_reason(request.user, case):
        reason = _granted_reason(request, case)
        if not reason:
            return _reason_page(request, case, status=200 if request.method == "GET" else 403)
    audit.record_full_read(request=request, actor=request.user, object_type="case", object_id=case.number,
                           subject_worker_id=case.worker_id, office_id=case.office_id,
                           active=audit.case_in_daily_work(status=case.status, closed_at=case.closed_at),
                           reason=reason)
    return render(request, "web/case/case.html", _context(request, case, bound=bound), status=status)


def _load(request, number: str) -> Case:
    return journey_selectors.case_get(user=request.user, case_number=number)


def _needs_reason(user, case: Case) -> bool:
    return account_selectors.full_record_read_needs_reason(
        user, office_id=case.office_id, active=audit.case_in_daily_work(status=case.status, closed_at=case.closed_at))


def _granted_reason(request, case: Case) -> str:
    # a reason holds for this session for a working day (accounts.audit keeps the grants)
    return audit.reason_granted(request, case.number)


def _reason_page(request, case: Case, form: AccessReasonForm | None = None, status: int = 200):
    number = {"number": case.number}
    return reason_page(request, title=_("Case %(number)s: reason needed") % number,
                       heading=_("Case %(number)s") % number,
                       outside=_("This case is outside your normal work. Personal data is shown only for a stated "
                                 "purpose (UU 27/2022)."),
                       action=reverse("web:case_reason", args=[case.number]), submit=_("Open the case"),
                       form=form, status=status)


@access.staff_required
@require_GET
def case_detail(request, number: str):
    """The case page; a read outside the user's normal work asks for a reason first; every read is audited."""
    try:
        case = _load(request, number)
    except ApplicationError as exc:
        return error_page(request, exc)
    return _render(request, case)


@access.staff_required
@require_POST
def case_reason(request, number: str):
    """Record why a record outside one's normal work is opened, then open it."""
    try:
        case = _load(request, number)
    except ApplicationError as exc:
        return error_page(request, exc)
    return reason_given(request, case.number, _case_url(case),
                        lambda form: _reason_page(request, case, form, status=422))


def _step_of(case: Case, code: str) -> Step:
    step = case.steps.select_related("definition").filter(code=code.upper()).first()
    if step is None:
        raise NotFound(f"Langkah {code} tidak ada pada kasus {case.number}.",
                       f"Case {case.number} has no step {code}.", code="step_not_found")
    return step


def _case_url(case: Case, code: str | None = None) -> str:
    url = reverse("web:case", args=[case.number])
    return f"{url}#step-{code}" if code else url


@access.staff_required
@require_POST
def step_action(request, number: str, code: str, action: str):
    """Start, complete (with the step's outcome fields), reject or waive a step; errors shown next to the form."""
    if action not in STEP_ACTIONS:
        return error_page(request, NotFound("Aksi tidak dikenal.", "Unknown action.", code="not_found"))
    try:
        case = _load(request, number)
        step = _step_of(case, code)
    except ApplicationError as exc:
        return error_page(request, exc)
    user, code = request.user, step.code
    version = expected_version(request.POST)
    prefix = f"{code.lower()}-{action}"
    form = None
    try:
        if action == "start":
            journey_services.step_start(actor=user, case_number=case.number, step_code=code,
                                        expected_version=version)
        elif action == "complete":
            form = outcome_form_class(step.definition.outcome_type)(request.POST, prefix=prefix)
            if not form.is_valid():
                return _render(request, case, bound={"code": code, "action": action, "form": form,
                                                     "error": _("Check the fields marked below.")}, status=422)
            journey_services.step_complete(actor=user, case_number=case.number, step_code=code,
                                           outcome=form.outcome(), expected_version=version)
        else:
            form = ReasonForm(request.POST, prefix=prefix)
            if not form.is_valid():
                return _render(request, case, bound={"code": code, "action": action, "form": form}, status=422)
            service = journey_services.step_reject if action == "reject" else journey_services.step_waive
            service(actor=user, case_number=case.number, step_code=code, reason=form.cleaned_data["reason"],
                    expected_version=version)
    except ApplicationError as exc:
        if form is not None and action == "complete" and exc.code in ("outcome_invalid", "outcome_expired"):
            outcome_errors_apply(form, exc)
        bound = {"code": code, "action": action, "form": form, "error": labels.error_text(exc)}
        if exc.code in labels.RULES_ERROR_CODES and isinstance(exc.details, dict):
            bound.update(_rules_refusal(exc))
        return _render(request, case, bound=bound, status=exc.status)
    done = {
        "start": _("Step %(code)s started."),
        "complete": _("Step %(code)s completed."),
        "reject": _("Step %(code)s rejected."),
        "waive": _("Step %(code)s waived."),
    }[action]
    messages.success(request, done % {"code": code})
    return redirect(_case_url(case, code))


def _rules_refusal(exc: ApplicationError) -> dict[str, Any]:
    """A step completion refused by the placement rules: a short lead, then each rule as a list item."""
    verdict = exc.details.get("verdict", "blocked" if exc.code == "rules_blocked" else "flagged")
    if verdict == "blocked":
        lead = _("Completing this step is blocked by the placement rules:")
    else:
        lead = _("Completing this step is flagged by the placement rules; the office head must review the flags:")
    decision = exc.details.get("decision")
    return {"error": lead, "rules": labels.fired_rows(exc.details.get("fired", [])), "rules_verdict": verdict,
            "rules_decision": decision if isinstance(decision, int) else None}


@access.staff_required
@require_POST
def decision_override(request, number: str, decision_id: int):
    """The office head overrides the flags of one of the case's rule decisions with a written reason."""
    try:
        case = _load(request, number)
        decision = placement_selectors.decision_get(user=request.user, decision_id=decision_id)
        if decision.case_ref != case.number:
            raise NotFound("Keputusan tidak ditemukan pada kasus ini.", "Decision not found on this case.",
                           code="decision_not_found")
    except ApplicationError as exc:
        return error_page(request, exc)
    form = OverrideForm(request.POST, prefix=f"override-{decision.pk}")
    bound: dict[str, Any] = {"code": "", "action": "override", "decision": decision.pk, "override_form": form}
    if not form.is_valid():
        return _render(request, case, bound=bound, status=422)
    try:
        placement_services.decision_override(actor=request.user, decision=decision,
                                             reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        bound["override_error"] = labels.error_text(exc)
        return _render(request, case, bound=bound, status=exc.status)
    messages.success(request, _("The flags are overridden and your reason is recorded. The case may go on."))
    return redirect(f"{_case_url(case)}#decision-{decision.pk}")


@access.staff_required
@require_POST
def step_upload(request, number: str, code: str):
    """Attach a PDF/JPEG/PNG (≤ 5 MB, checked by content) to a step of the officer's desk."""
    try:
        case = _load(request, number)
        step = _step_of(case, code)
    except ApplicationError as exc:
        return error_page(request, exc)
    form = UploadForm(request.POST, request.FILES, prefix=f"{step.code.lower()}-doc")
    if not form.is_valid():
        return _render(request, case, bound={"code": step.code, "action": "upload", "form": form}, status=422)
    upload = form.cleaned_data["file"]
    try:
        check_upload_size(upload.size or 0)  # before reading a large body into memory
        document = journey_services.step_document_attach(
            actor=request.user, case_number=case.number, step_code=step.code, filename=upload.name or "",
            content=upload.read(),
        )
    except ApplicationError as exc:
        form.add_error("file", labels.error_text(exc))
        return _render(request, case, bound={"code": step.code, "action": "upload", "form": form},
                       status=exc.status)
    messages.success(request, _("Document %(name)s attached to step %(code)s.")
                     % {"name": document.original_name, "code": step.code})
    return redirect(_case_url(case, step.code))


@access.staff_required
@require_POST
def case_cancel(request, number: str):
    """The office head cancels an active case with a reason."""
    try:
        case = _load(request, number)
    except ApplicationError as exc:
        return error_page(request, exc)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            journey_services.case_cancel(actor=request.user, case_number=case.number,
                                         reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            return _render(request, case, bound={"code": "", "action": "cancel", "cancel_form": form,
                                                 "cancel_error": labels.error_text(exc)}, status=exc.status)
        messages.success(request, _("Case %(number)s cancelled.") % {"number": case.number})
        return redirect(_case_url(case))
    return _render(request, case, bound={"code": "", "action": "cancel", "cancel_form": form}, status=422)


@access.staff_required
@require_GET
def document_download(request, pk: int):
    """Stream a step document to the people allowed to open it (its desk, the office head, admins)."""
    try:
        document = journey_selectors.document_get(user=request.user, document_id=pk)
    except ApplicationError as exc:
        return error_page(request, exc)
    case = document.step.case
    reason = _granted_reason(request, case) if _needs_reason(request.user, case) else ""
    if _needs_reason(request.user, case) and not reason:
        return redirect(_case_url(case))
    audit.record_full_read(request=request, actor=request.user, object_type="document", object_id=document.pk,
                           subject_worker_id=case.worker_id, office_id=case.office_id,
                           active=audit.case_in_daily_work(status=case.status, closed_at=case.closed_at),
                           reason=reason, details={"case": case.number, "step": document.step.code})
    response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                            filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
