"""Reads of cases, steps and events, scoped to what the caller may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.core.errors import NotFound, PermissionDenied
from satuatap.journey.models import Case, Event, Step, StepDocument, StepState

OPEN_STEP_STATES = (StepState.READY, StepState.IN_PROGRESS)


# Step outcome types whose data and papers are health data (UU 27/2022 art. 4): the health desk and the head only.
MEDICAL_OUTCOMES = frozenset({"medical"})


def _scope(qs: QuerySet[Case], user: User) -> QuerySet[Case]:
    if account_selectors.user_is_company_user(user):  # whatever role a company user holds
        return qs.none()
    if account_selectors.user_is_admin(user):
        return qs
    if user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD):
        return qs.filter(office_id=user.office_id)
    if user.role == Role.MONITOR:
        return qs if user.region_id is None else qs.filter(office__regency__code__startswith=user.region_id)
    return qs.none()


def case_get(*, user: User, case_number: str) -> Case:
    """A case the user may read, with worker, office and process; NotFound / PermissionDenied otherwise."""
    case = (
        Case.objects.select_related("worker", "office", "office__regency", "process", "opened_by")
        .filter(number=case_number)
        .first()
    )
    if case is None:
        raise NotFound(f"Kasus {case_number} tidak ditemukan.", f"Case {case_number} not found.",
                       code="case_not_found")
    if not account_selectors.user_can_read_office(
        user, office_id=case.office_id, office_region_code=case.office.regency_id
    ):
        raise PermissionDenied("Anda tidak berwenang melihat kasus ini.", "You may not read this case.",
                               code="forbidden_case_scope")
    return case


def case_steps(*, case: Case) -> list[Step]:
    return list(case.steps.select_related("definition", "agency", "actor").order_by("sort_order"))


def case_events(*, case: Case) -> list[Event]:
    return list(case.events.select_related("actor", "step").order_by("id"))


def cases_list(
    *,
    user: User,
    office: str | None = None,
    agency: str | None = None,
    step_state: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """Cases the user may see, filtered; `agency`/`step_state`/`overdue` select cases having such a step."""
    qs = _scope(Case.objects.select_related("worker", "office", "process"), user)
    if office:
        qs = qs.filter(office_id=office)
    if status:
        qs = qs.filter(status=status)
    step_filter = Q(case=OuterRef("pk"))
    has_step_filter = False
    if agency:
        step_filter &= Q(agency_id=agency)
        has_step_filter = True
    if step_state:
        step_filter &= Q(state=step_state)
        has_step_filter = True
    if overdue:
        step_filter &= Q(state__in=OPEN_STEP_STATES, due_on__lt=today or timezone.localdate())
        has_step_filter = True
    if has_step_filter:
        qs = qs.filter(Exists(Step.objects.filter(step_filter)))
    if q:
        q = q.strip()
        if q.isdigit() and len(q) == 16:
            qs = qs.filter(worker__nik=q)
        else:
            qs = qs.filter(Q(number__iexact=q) | Q(worker__name__icontains=q))
    return qs.order_by("opened_at", "id")


def step_is_overdue(step: Step, *, today: dt.date | None = None) -> bool:
    return step.state in OPEN_STEP_STATES and step.due_on is not None and step.due_on < (today or timezone.localdate())


def step_documents(*, case: Case) -> list[StepDocument]:
    return list(StepDocument.objects.filter(step__case=case).select_related("step", "uploaded_by"))


def document_get(*, user: User, document_id: int) -> StepDocument:
    """A document the user may open: the step's own desk at the case's office, the office head or an admin."""
    doc = (
        StepDocument.objects.select_related("step", "step__case", "step__case__office", "step__definition")
        .filter(pk=document_id).first()
    )
    if doc is None:
        raise NotFound("Dokumen tidak ditemukan.", "Document not found.", code="document_not_found")
    case = doc.step.case
    medical = doc.step.definition.outcome_type in MEDICAL_OUTCOMES
    allowed = (
        # the health rule holds for documents too: an admin runs the system, and reads no medical papers
        (account_selectors.user_is_admin(user) and not medical)
        or account_selectors.user_heads_office(user, office_id=case.office_id)
        or account_selectors.user_can_act_for(user, office_id=case.office_id, agency_id=doc.step.agency_id)
    )
    if not allowed:
        raise PermissionDenied("Anda tidak berwenang membuka dokumen ini.", "You may not open this document.",
                               code="forbidden_document")
    return doc

