"""Reads for the officers' pages that the journey selectors do not offer: worklist rows, office figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.journey import selectors as journey_selectors
from satuatap.journey.models import Case, CaseStatus, Step, StepState
from satuatap.reference.models import Agency, Office

OPEN_STEP_STATES = (StepState.READY, StepState.IN_PROGRESS)
ACTIVE_CASE_STATES = (CaseStatus.OPEN, CaseStatus.READY_TO_DEPART)


def _search(qs: QuerySet, q: str | None, prefix: str = "") -> QuerySet:
    """16 digits: exact NIK; anything else: part of the case number or of the name."""
    q = (q or "").strip()
    if not q:
        return qs
    digits = "".join(ch for ch in q if ch not in " .-")
    if digits.isdigit() and len(digits) == 16:
        return qs.filter(**{f"{prefix}worker__nik": digits})
    return qs.filter(Q(**{f"{prefix}number__icontains": q}) | Q(**{f"{prefix}worker__name__icontains": q}))


def worklist_steps(
    *,
    user: User,
    agency: str | None,
    state: str | None = None,
    q: str | None = None,
    overdue_only: bool = False,
    today: dt.date,
    limit: int = 200,
) -> tuple[list[Step], int]:
    """Ready / in-progress steps of active cases at the user's office (of one agency if given), oldest first."""
    cases = journey_selectors.cases_list(user=user, office=user.office_id)
    states = [state] if state in OPEN_STEP_STATES else list(OPEN_STEP_STATES)
    qs = Step.objects.filter(
        case__in=cases.order_by().values("pk"), case__status__in=ACTIVE_CASE_STATES, state__in=states
    )
    if agency:
        qs = qs.filter(agency_id=agency)
    if overdue_only:
        qs = qs.filter(due_on__lt=today)
    qs = _search(qs, q, prefix="case__")
    qs = qs.select_related("case", "case__worker", "definition", "agency", "actor").order_by(
        F("ready_at").asc(nulls_last=True), "pk"
    )
    return list(qs[:limit]), qs.count()


def _readable_cases(user: User) -> QuerySet[Case]:
    """journey.selectors.cases_list's scope. A regional monitor is scoped here by the regency code, because
    the journey selector's `office__regency_id__startswith` lookup is refused by Django 5.2 (FieldError)."""
    if user.role == Role.MONITOR and user.region_id and not account_selectors.user_is_admin(user):
        return Case.objects.filter(office__regency__code__startswith=user.region_id)
    return journey_selectors.cases_list(user=user)


def cases_page(
    *,
    user: User,
    q: str | None = None,
    status: str | None = None,
    office: str | None = None,
    overdue: bool = False,
    today: dt.date,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Case], int]:
    """Cases the user may read (office staff: their office; monitors: their region), newest first, with the
    steps currently open on each."""
    qs = _readable_cases(user)
    if office:
        qs = qs.filter(office_id=office)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(Exists(Step.objects.filter(case=OuterRef("pk"), state__in=OPEN_STEP_STATES, due_on__lt=today)))
    qs = _search(qs, q).select_related("worker", "office").prefetch_related(
        Prefetch("steps", queryset=Step.objects.filter(state__in=OPEN_STEP_STATES).order_by("sort_order"),
                 to_attr="open_steps")
    )
    qs = qs.order_by("-opened_at", "-id")
    return list(qs[offset : offset + limit]), qs.count()


def offices_visible(*, user: User) -> QuerySet[Office]:
    """Offices whose cases the user may read: their own, their region's (monitors), or all (admins)."""
    qs = Office.objects.select_related("regency").order_by("code")
    if account_selectors.user_is_admin(user):
        return qs
    if user.office_id:
        return qs.filter(pk=user.office_id)
    if user.region_id:
        return qs.filter(regency__code__startswith=user.region_id)
    return qs


def office_desks(*, office_id: str) -> list[Agency]:
    return list(Agency.objects.filter(offices__pk=office_id).order_by("sort_order", "code"))


@dataclass
class DeskLoad:
    agency: Agency
    has_desk: bool
    ready: int = 0
    in_progress: int = 0
    overdue: int = 0

    @property
    def backlog(self) -> int:
        return self.ready + self.in_progress


def office_desk_load(*, office: Office, today: dt.date) -> list[DeskLoad]:
    """Per agency: ready, in-progress and overdue steps of the office's active cases; agencies without a desk
    here are listed when they have open steps (the head records those)."""
    rows = (
        Step.objects.filter(case__office=office, case__status__in=ACTIVE_CASE_STATES, state__in=OPEN_STEP_STATES)
        .values("agency_id")
        .annotate(
            ready=Count("pk", filter=Q(state=StepState.READY)),
            in_progress=Count("pk", filter=Q(state=StepState.IN_PROGRESS)),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    )
    counts = {r["agency_id"]: r for r in rows}
    desks = office_desks(office_id=office.code)
    desk_codes = {a.code for a in desks}
    result = [DeskLoad(agency=a, has_desk=True) for a in desks]
    extra = Agency.objects.filter(code__in=set(counts) - desk_codes).order_by("sort_order", "code")
    result += [DeskLoad(agency=a, has_desk=False) for a in extra]
    for load in result:
        c = counts.get(load.agency.code)
        if c:
            load.ready, load.in_progress, load.overdue = c["ready"], c["in_progress"], c["overdue"]
    return result


def office_staff(*, office: Office) -> list[User]:
    """The office's users, heads first, then by desk; `has_otp` tells whether a second factor is enrolled."""
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return list(
        account_selectors.users_list(office_id=office.code)
        .annotate(has_otp=Exists(devices))
        .order_by("-role", "agency__sort_order", "username")
    )


def office_processes(*, office: Office) -> list[dict]:
    """Process versions the office's active cases are pinned to, with how many cases each."""
    return list(
        Case.objects.filter(office=office, status__in=ACTIVE_CASE_STATES)
        .values("process__code", "process__version", "process__name", "process__effective_from", "scheme")
        .annotate(cases=Count("pk"))
        .order_by("scheme", "process__code", "-process__version")
    )


def office_case_counts(*, office: Office) -> dict[str, int]:
    rows = Case.objects.filter(office=office).values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


def worker_cases(*, worker_id: int) -> list[Case]:
    return list(Case.objects.filter(worker_id=worker_id).select_related("office").order_by("-opened_at"))


def worker_active_case(*, worker_id: int) -> Case | None:
    return Case.objects.filter(worker_id=worker_id, status__in=ACTIVE_CASE_STATES).first()
