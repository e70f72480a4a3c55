"""The desk worklist, the read-only case list, and the office head's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role
from satuatap.core.errors import ApplicationError
from satuatap.core.masking import mask_nik
from satuatap.journey import selectors as journey_selectors
from satuatap.journey.models import Case, Step
from satuatap.reference import selectors as reference_selectors
from satuatap.web import access, labels
from satuatap.web import selectors as web_selectors
from satuatap.web.forms import CaseFilterForm, WorklistFilterForm, desk_name
from satuatap.web.views.common import error_page, office_today, render_partial

WORKLIST_LIMIT = 200
CASES_PER_PAGE = 50


def home(request):
    return render(request, "web/home.html")


@dataclass
class WorkRow:
    step: Step
    case: Case
    nik: str
    overdue: bool
    step_name: str
    state_label: str
    desk: str


@access.staff_required
def desk(request):
    """My desk: steps of my agency at my office that are ready or in progress, oldest first, overdue marked."""
    user = request.user
    if user.role not in access.OFFICE_ROLES or not user.office_id:
        return redirect("web:cases")  # monitors and admins have no desk: their start page is the case list
    is_officer = user.role == Role.DESK_OFFICER
    desks = [] if is_officer else web_selectors.office_desks(office_id=user.office_id)
    form = WorklistFilterForm(request.GET or None, desks=desks)
    filters = form.cleaned_data if form.is_valid() else {}
    today = office_today(user.office)
    agency = user.agency_id if is_officer else (filters.get("agency") or None)
    steps, total = web_selectors.worklist_steps(
        user=user, agency=agency, state=filters.get("state") or None, q=filters.get("q"),
        overdue_only=bool(filters.get("overdue")), today=today, limit=WORKLIST_LIMIT,
    )
    full_nik = account_selectors.user_sees_full_nik(user)
    rows = [
        WorkRow(
            step=s, case=s.case, nik=s.case.worker.nik if full_nik else mask_nik(s.case.worker.nik),
            overdue=journey_selectors.step_is_overdue(s, today=today),
            step_name=labels.pick(s.definition.name_id, s.definition.name_en),
            state_label=labels.STEP_STATE_LABELS.get(s.state, s.state), desk=desk_name(s.agency),
        )
        for s in steps
    ]
    context = {
        "form": form, "rows": rows, "total": total, "shown": len(rows), "today": today,
        "overdue_count": sum(r.overdue for r in rows), "desk_label": desk_name(user.agency) if is_officer else None,
        "is_officer": is_officer, "refreshed_at": timezone.now(),
    }
    return render_partial(request, "web/desk/desk.html", "web/desk/_worklist.html", context)


@access.staff_required
def cases(request):
    """Cases the user may read (read-only list; monitors land here for their region)."""
    user = request.user
    offices = list(web_selectors.offices_visible(user=user))
    form = CaseFilterForm(request.GET or None, offices=offices if len(offices) > 1 else ())
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    today = office_today(user.office) if user.office_id else timezone.localdate()
    items, total = web_selectors.cases_page(
        user=user, q=filters.get("q"), status=filters.get("status"), office=filters.get("office"),
        overdue=bool(filters.get("overdue")), today=today, offset=(page - 1) * CASES_PER_PAGE, limit=CASES_PER_PAGE,
    )
    full_nik = account_selectors.user_sees_full_nik(user)
    for case in items:
        case.nik_display = case.worker.nik if full_nik else mask_nik(case.worker.nik)
        case.status_label = labels.CASE_STATUS_LABELS.get(case.status, case.status)
        case.overdue = any(journey_selectors.step_is_overdue(s, today=today) for s in case.open_steps)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "items": items, "total": total, "page": page,
        "has_next": page * CASES_PER_PAGE < total, "has_prev": page > 1, "query": query.urlencode(),
        "region": user.region, "read_only": user.role == Role.MONITOR,
    }
    return render_partial(request, "web/cases/list.html", "web/cases/_table.html", context)


@access.staff_required(roles=frozenset({Role.OFFICE_HEAD}))
def office(request):
    """The office head's view: desks with backlog and overdue counts, staff, process versions in use."""
    user = request.user
    code = request.GET.get("office") if account_selectors.user_is_admin(user) else user.office_id
    if not code:
        return redirect("web:cases")
    try:
        the_office = reference_selectors.office_get(code=code)
    except ApplicationError as exc:
        return error_page(request, exc)
    today = office_today(the_office)
    loads = web_selectors.office_desk_load(office=the_office, today=today)
    for load in loads:
        load.label = desk_name(load.agency)
    staff = web_selectors.office_staff(office=the_office)
    for member in staff:
        member.role_label = labels.ROLE_LABELS.get(member.role, member.role)
        member.desk_label = desk_name(member.agency) if member.agency_id else ""
    counts = web_selectors.office_case_counts(office=the_office)
    context = {
        "office": the_office, "loads": loads, "staff": staff, "today": today,
        "processes": web_selectors.office_processes(office=the_office),
        "case_counts": [(labels.CASE_STATUS_LABELS[k], counts.get(k, 0)) for k in labels.CASE_STATUS_LABELS],
        "totals": {
            "backlog": sum(x.backlog for x in loads), "overdue": sum(x.overdue for x in loads),
        },
    }
    return render(request, "web/office/office.html", context)
