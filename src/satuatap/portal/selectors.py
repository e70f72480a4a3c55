"""Reads for the public status page and the registration slip.

The public page shows a case only to someone who proved they know it (case number + birth date, or a signed
link): nothing here is scoped by a user. It returns plain data holding no personal data beyond the first name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.core.errors import PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.journey import selectors as journey_selectors
from satuatap.journey.models import Case, CaseStatus, Step, StepState
from satuatap.placement.models import FeeLedgerEntry
from satuatap.portal.fees import ZERO_COST_LEGAL_BASIS, CostLine, Fee, fee_for_worker, zero_cost_job_for_case

# Steps whose outcome is health data (UU 27/2022): the public page shows only done / not done, never a
# rejection reason or a waiver.
HEALTH_OUTCOME_TYPES = frozenset({"medical"})

DONE, NEXT, WAITING, ATTENTION, WAIVED = "done", "next", "waiting", "attention", "waived"

# Placement schemes of law 18/2017 art. 49, worded for candidates.
SCHEME_LABELS = {
    "P2P": _("Through a licensed placement company (P to P)"),
    "G2G": _("Government to government (G to G)"),
    "UKPS": _("Company placing its own employees (UKPS)"),
    "MANDIRI": _("Individual placement"),
}


def scheme_label(code: str) -> str:
    return str(SCHEME_LABELS.get(code, code))


def _pick(text_id: str, text_en: str) -> str:
    """The Indonesian or English variant of a reference text, by the active language."""
    lang = translation.get_language() or "id"
    return text_en if lang.startswith("en") and text_en else text_id


@dataclass(frozen=True)
class StepLine:
    """One line of the public checklist."""

    code: str
    name_id: str
    name_en: str
    status: str  # done | next | waiting | attention | waived
    in_progress: bool
    desk_id: str
    desk_en: str
    what_to_bring: str
    fee: Fee
    reason: str
    expired: bool
    optional: bool
    health: bool
    sla_working_days: int
    due_on: dt.date | None
    waiting_for: tuple[tuple[str, str], ...] = ()  # (name_id, name_en) of prerequisites not yet done

    @property
    def name(self) -> str:
        return _pick(self.name_id, self.name_en)

    @property
    def desk(self) -> str:
        return _pick(self.desk_id, self.desk_en)

    @property
    def optional_note(self) -> bool:
        """Say "optional" after the name, unless the reference name already does."""
        return self.optional and str(_("optional")).lower() not in self.name.lower()

    @property
    def waiting_for_names(self) -> list[str]:
        return [_pick(i, e) for i, e in self.waiting_for]


@dataclass(frozen=True)
class CaseStatusView:
    """What the public status page and the slip show of a case."""

    case_number: str
    first_name: str
    office_name: str
    office_zone: str
    scheme: str
    status: str
    opened_at: dt.datetime
    opened_on: dt.date
    zero_cost_job: bool
    lines: list[StepLine] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)

    @property
    def zero_cost_legal_basis(self) -> str:
        return ZERO_COST_LEGAL_BASIS

    @property
    def scheme_label(self) -> str:
        return scheme_label(self.scheme)

    @property
    def costs_paid_by_worker(self) -> list[CostLine]:
        return [c for c in self.costs if c.paid_by_worker]

    @property
    def cost_warning(self) -> bool:
        """A zero-cost job with a cost recorded as paid by the worker: they may not be charged it."""
        return self.zero_cost_job and bool(self.costs_paid_by_worker)

    @property
    def next_lines(self) -> list[StepLine]:
        """Steps to act on now: those needing attention first, then the ready ones, in process order."""
        if self.status in (CaseStatus.CANCELLED, CaseStatus.DEPARTED):
            return []
        return [line for line in self.lines if line.status == ATTENTION] + [
            line for line in self.lines if line.status == NEXT]

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.lines if line.status in (DONE, WAIVED) and not line.optional)

    @property
    def required_count(self) -> int:
        return sum(1 for line in self.lines if not line.optional)

    @property
    def is_cancelled(self) -> bool:
        return self.status == CaseStatus.CANCELLED

    @property
    def is_departed(self) -> bool:
        return self.status == CaseStatus.DEPARTED

    @property
    def is_ready_to_depart(self) -> bool:
        return self.status == CaseStatus.READY_TO_DEPART


def _status_of(step: Step, *, health: bool) -> str:
    state = step.state
    if health:
        if state in (StepState.DONE, StepState.WAIVED):
            return DONE
        return WAITING if state == StepState.LOCKED else NEXT
    return {
        StepState.DONE: DONE,
        StepState.WAIVED: WAIVED,
        StepState.READY: NEXT,
        StepState.IN_PROGRESS: NEXT,
        StepState.LOCKED: WAITING,
        StepState.REJECTED: ATTENTION,
        StepState.EXPIRED: ATTENTION,
    }.get(state, WAITING)


def first_name(full_name: str) -> str:
    parts = (full_name or "").split()
    return parts[0].title() if parts else ""


def case_by_number(*, case_number: str) -> Case | None:
    return Case.objects.select_related("worker", "office").filter(number=normalize_case_number(case_number)).first()


def case_by_number_and_birth_date(*, case_number: str, birth_date: dt.date) -> Case | None:
    """The case with this number whose worker was born on this date; None for any mismatch (one query)."""
    return (
        Case.objects.select_related("worker", "office")
        .filter(number=normalize_case_number(case_number), worker__birth_date=birth_date)
        .first()
    )


def normalize_case_number(case_number: str) -> str:
    return "".join((case_number or "").split()).upper()


def case_costs(*, case_number: str) -> list[CostLine]:
    """The costs recorded in the case's fee ledger (placement knows a case by its number), oldest first; one query."""
    rows = (FeeLedgerEntry.objects.filter(case_ref=case_number).order_by("recorded_at", "pk")
            .values_list("component", "amount", "payer"))
    return [CostLine(component=component, amount=amount, payer=payer) for component, amount, payer in rows]


def case_status(*, case: Case) -> CaseStatusView:
    """The checklist of a case as the candidate sees it: state, desk, what to bring and fee of every step."""
    steps = journey_selectors.case_steps(case=case)
    zero_cost = zero_cost_job_for_case(case)
    by_code = {s.code: s for s in steps}
    lines = []
    for step in steps:
        d = step.definition
        health = d.outcome_type in HEALTH_OUTCOME_TYPES
        status = _status_of(step, health=health)
        waiting_for: tuple[tuple[str, str], ...] = ()
        if status == WAITING:
            waiting_for = tuple(
                (by_code[c].definition.name_id, by_code[c].definition.name_en)
                for c in (d.prerequisites or [])
                if c in by_code and by_code[c].state not in (StepState.DONE, StepState.WAIVED)
            )
        lines.append(
            StepLine(
                code=step.code,
                name_id=d.name_id,
                name_en=d.name_en,
                status=status,
                in_progress=step.state == StepState.IN_PROGRESS,
                desk_id=step.agency.desk_id,
                desk_en=step.agency.desk_en,
                what_to_bring=d.what_to_bring,
                fee=fee_for_worker(step, zero_cost_job=zero_cost),
                reason=step.reason if status == ATTENTION and step.state == StepState.REJECTED else "",
                expired=status == ATTENTION and step.state == StepState.EXPIRED,
                optional=d.optional,
                health=health,
                sla_working_days=d.sla_working_days,
                due_on=step.due_on if status == NEXT else None,
                waiting_for=waiting_for,
            )
        )
    return CaseStatusView(
        case_number=case.number,
        first_name=first_name(case.worker.name),
        office_name=case.office.name,
        office_zone=case.office.zone,
        scheme=case.scheme,
        status=case.status,
        opened_at=case.opened_at,
        opened_on=local_date(case.opened_at, case.office.zone),
        zero_cost_job=zero_cost,
        lines=lines,
        costs=case_costs(case_number=case.number),
    )


def slip_case_get(*, user: User, case_number: str) -> Case:
    """A case whose slip the user may print: staff of the case's office or an admin (not regional monitors)."""
    case = journey_selectors.case_get(user=user, case_number=normalize_case_number(case_number))
    office_staff = user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD) and user.office_id == case.office_id
    if not (office_staff or account_selectors.user_is_admin(user)):
        raise PermissionDenied(
            "Slip pendaftaran hanya dapat dicetak oleh petugas kantor kasus ini.",
            "Only the staff of this case's office may print its registration slip.",
            code="forbidden_slip",
        )
    return case
