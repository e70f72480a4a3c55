"""The worker's record page: data subject rights through an officer (UU 27/2022): a copy of their data (PDF or
JSON), correction requests and their decision. Every opening and export is in the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from satuatap.accounts import audit
from satuatap.core.errors import ApplicationError, PermissionDenied
from satuatap.registry import export, selectors, services
from satuatap.registry.access import nik_for, user_handles_identity, user_reads_workers
from satuatap.web import access, labels
from satuatap.web.forms import AccessReasonForm, CorrectionDecisionForm, CorrectionRequestForm, WorkerExportForm
from satuatap.web.views.common import error_page, reason_given, reason_page

office_staff_required = access.staff_required(roles=access.OFFICE_ROLES)


def _worker(request, worker_id: int):
    if not user_reads_workers(request.user):
        raise PermissionDenied("Peran Anda tidak memberi akses ke data pekerja.",
                               "Your role gives no access to worker records.", code="forbidden_role")
    return selectors.worker_get(worker_id=worker_id)


def _page(request, worker, *, export_form=None, correction_form=None, status: int = 200):
    user = request.user
    corrections = list(selectors.worker_corrections(worker=worker))
    for c in corrections:
        c.display = {k: (nik_for(user, v) if k == "nik" and v else v) for k, v in c.changes.items()}
    nik = nik_for(user, worker.nik)
    return render(request, "web/worker/worker.html", {
        "worker": worker, "nik": nik, "nik_masked": nik != worker.nik,
        "sex_label": labels.SEX_LABELS.get(worker.sex, worker.sex),
        "consents": list(selectors.worker_consents(worker=worker)), "corrections": corrections,
        "can_export": user_handles_identity(user), "can_decide": user_handles_identity(user),
        "export_form": export_form or WorkerExportForm(prefix="export"),
        "correction_form": correction_form or CorrectionRequestForm(prefix="correction"),
        "decision_form": CorrectionDecisionForm(),
    }, status=status)


def _grant_key(worker) -> str:
    # the session's reason grants are keyed by record; case pages use the case number
    return f"worker:{worker.pk}"


def _reason_page(request, worker, form: AccessReasonForm | None = None, status: int = 200):
    number = {"id": worker.pk}
    return reason_page(request, title=_("Worker record %(id)s: reason needed") % number,
                       heading=_("Worker record %(id)s") % number,
                       outside=_("This worker's record is outside your normal work. Personal data is shown only for "
                                 "a stated purpose (UU 27/2022)."),
                       action=reverse("web:worker_reason", args=[worker.pk]), submit=_("Open the record"),
                       form=form, status=status)


@office_staff_required
@require_GET
def worker_detail(request, worker_id: int):
    """A worker's record for office staff; the read is audited (worker records are national: any office). A read
    outside the reader's normal work (an admin's) asks for the reason first, as the case page does."""
    try:
        worker = _worker(request, worker_id)
        # record_full_read applies the reason rule (accounts.audit) and refuses a read that needs a reason it lacks
        audit.record_full_read(request=request, actor=request.user, object_type="worker", object_id=worker.pk,
                               subject_worker_id=worker.pk, office_id=None,
                               reason=audit.reason_granted(request, _grant_key(worker)))
    except audit.AccessReasonRequired:
        return _reason_page(request, worker)
    except ApplicationError as exc:
        return error_page(request, exc)
    return _page(request, worker)


@office_staff_required
@require_POST
def worker_reason(request, worker_id: int):
    """Record why a worker's record outside one's normal work is opened, then open it."""
    try:
        worker = _worker(request, worker_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    return reason_given(request, _grant_key(worker), reverse("web:worker", args=[worker.pk]),
                        lambda form: _reason_page(request, worker, form, status=422))


@office_staff_required
@require_POST
def worker_export(request, worker_id: int):
    """Download a copy of the worker's full data for them (identity desks and the office head); audited."""
    try:
        worker = _worker(request, worker_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    form = WorkerExportForm(request.POST, prefix="export")
    if not form.is_valid():
        return _page(request, worker, export_form=form, status=422)
    fmt = form.cleaned_data["format"]
    try:
        services.worker_export_record(actor=request.user, worker=worker, fmt=fmt, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        return error_page(request, exc)
    data = export.worker_export_data(worker=worker)
    if fmt == "pdf":
        response = HttpResponse(export.worker_export_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(export.worker_export_json(data), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="data-pekerja-{worker.pk}.{fmt}"'
    return response


@office_staff_required
@require_POST
def correction_request(request, worker_id: int):
    """Record the worker's correction request (any desk); an identity desk or the head decides it."""
    try:
        worker = _worker(request, worker_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    form = CorrectionRequestForm(request.POST, prefix="correction")
    if not form.is_valid():
        return _page(request, worker, correction_form=form, status=422)
    try:
        services.correction_request_create(actor=request.user, worker=worker,
                                           changes={form.cleaned_data["field"]: form.cleaned_data["value"]},
                                           reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        form.add_error(None, labels.error_text(exc))
        return _page(request, worker, correction_form=form, status=exc.status)
    messages.success(request, _("The correction request is recorded."))
    return redirect(reverse("web:worker", args=[worker.pk]) + "#corrections")


@office_staff_required
@require_POST
def correction_decide(request, correction_id: int, action: str):
    """Approve (the change is applied with the NIK checks) or reject a correction request."""
    try:
        correction = selectors.correction_get(correction_id=correction_id)
        _worker(request, correction.worker_id)
        form = CorrectionDecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.correction_decide(actor=request.user, correction_id=correction.pk, action=action, note=note)
    except ApplicationError as exc:
        return error_page(request, exc)
    messages.success(request, _("The correction request is decided."))
    return redirect(reverse("web:worker", args=[correction.worker_id]) + "#corrections")
