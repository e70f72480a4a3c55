"""Every write to a case goes through here (house rule 1).

A transition is looked up in the tables below, checked (actor's role, office and agency; preconditions;
optimistic version), written, recorded as an immutable Event row, and its side effects are queued to run
after commit. The case row is locked for the whole transition, so two desks finishing two steps of the
same case at the same moment serialise and both see each other's result when unlocking dependents.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import User
from satuatap.core import fastsql
from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.core.timeutil import local_date
from satuatap.core.uploads import check_upload
from satuatap.journey.models import Case, CaseCounter, CaseStatus, Event, Step, StepDocument, StepState
from satuatap.journey.outcomes import validate_outcome
from satuatap.placement import selectors as placement_selectors
from satuatap.placement import services as placement_services
from satuatap.placement.models import JobOrder
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Country, Office, Scheme
from satuatap.registry import selectors as registry_selectors
from satuatap.registry.models import Worker

log = logging.getLogger(__name__)


def _plain(choices) -> SimpleNamespace:
    """A choices enum's members as their plain string values, under the same names. Looking up an enum member
    (`StepState.DONE`) costs some four times comparing two strings, and the loops over a case's steps below make
    hundreds of such comparisons per transition; the values compare and store exactly as the members do."""
    return SimpleNamespace(**{member.name: member.value for member in choices})


S = _plain(StepState)

# action -> (states it may start from, state it leads to). Actions by people; the engine's own moves follow.
STEP_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({S.READY, S.REJECTED, S.EXPIRED}), S.IN_PROGRESS),
    # a done step whose outcome blocks the case (unfit) may be examined again
    "recheck": (frozenset({S.DONE}), S.IN_PROGRESS),
    "complete": (frozenset({S.READY, S.IN_PROGRESS}), S.DONE),
    "reject": (frozenset({S.READY, S.IN_PROGRESS}), S.REJECTED),
    "waive": (frozenset({S.LOCKED, S.READY, S.IN_PROGRESS, S.REJECTED, S.EXPIRED}), S.WAIVED),
    # engine moves
    "unlock": (frozenset({S.LOCKED}), S.READY),
    "expire": (frozenset({S.DONE}), S.EXPIRED),
    "relock": (frozenset({S.READY, S.IN_PROGRESS, S.DONE, S.REJECTED, S.EXPIRED}), S.LOCKED),
}
PEOPLE_ACTIONS = ("start", "complete", "reject", "waive")

C = _plain(CaseStatus)
CASE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "ready": (frozenset({C.OPEN}), C.READY_TO_DEPART),
    "depart": (frozenset({C.READY_TO_DEPART}), C.DEPARTED),
    "reopen": (frozenset({C.READY_TO_DEPART}), C.OPEN),
    "cancel": (frozenset({C.OPEN, C.READY_TO_DEPART}), C.CANCELLED),
}
ACTIVE_CASE_STATES = (C.OPEN, C.READY_TO_DEPART)


# --- side effects after commit -------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseChange:
    """What happened, handed to listeners after the transaction commits (notifications, queue routing)."""

    case_id: int
    case_number: str
    event_ids: tuple[int, ...]
    kinds: tuple[str, ...]
    # The event rows themselves, with their case and step (and the step's definition) attached, and every step of
    # the case as the change left it, so listeners inside the transaction need not read them again; the case is
    # the one locked for the change. After commit (both empty), read from the database instead.
    events: tuple[Event, ...] = field(default=(), compare=False, repr=False)
    steps: tuple[Step, ...] = field(default=(), compare=False, repr=False)
    # The answers of the case-lock probes (see `case_lock_probe`), read under the lock this change held; empty when
    # the change was made without them.
    probes: Mapping[str, bool] = field(default_factory=dict, compare=False)


_listeners: list[Callable[[CaseChange], None]] = []
_tx_listeners: list[Callable[[CaseChange], None]] = []


def on_case_change(listener: Callable[[CaseChange], None]) -> Callable[[CaseChange], None]:
    """Register a function called after commit for every case change (side effects outside the database)."""
    _listeners.append(listener)
    return listener


def on_case_change_in_transaction(listener: Callable[[CaseChange], None]) -> Callable[[CaseChange], None]:
    """Register a function called inside the change's own transaction (an outbox writes its messages there,
    so a message exists exactly when the change does); an error in it undoes the change."""
    if listener not in _tx_listeners:
        _tx_listeners.append(listener)
    return listener


# Questions other apps ask about a case under its lock and read after commit (queueing: is anybody queueing for
# this case?). Each rides on the statement that locks the case, as a boolean over the locked row, so it costs no
# round trip of its own; the answers reach listeners in CaseChange.probes.
_probes: dict[str, Callable[[Callable[[str], str], str], tuple[str, Sequence[Any]]]] = {}


def case_lock_probe(name: str, build: Callable[[Callable[[str], str], str], tuple[str, Sequence[Any]]]) -> None:
    """Register a probe: `build(quote, case_id_column)` gives a boolean SQL expression over the locked case (its
    key column named by `case_id_column`) and that expression's parameters. Register at start-up
    (AppConfig.ready): the locking statement is written once, at the first lock."""
    if _CASE_LOCK.built and name not in _probes:
        raise RuntimeError(f"case lock probe {name} registered after the first case lock")
    _probes[name] = build


def _dispatch(change: CaseChange) -> None:
    for listener in list(_listeners):
        try:
            listener(change)
        except Exception:  # a failing side effect must never undo or hide the committed change
            log.exception("case change listener %s failed for %s", listener, change.case_number)


@dataclass(frozen=True)
class Transition:
    """The result of a step action: the case, the step acted on, and every step of the case after it."""

    case: Case
    step: Step
    steps: tuple[Step, ...]
    changed: tuple[Step, ...]


# --- the transition machinery --------------------------------------------------------------------------

@dataclass
class _Ctx:
    case: Case
    actor: User | None
    now: dt.datetime
    today: dt.date
    office: reference_selectors.OfficeInfo
    steps: dict[str, Step]
    events: list[Event] = field(default_factory=list)
    changed: dict[int, Step] = field(default_factory=dict)
    original_versions: dict[int, int] = field(default_factory=dict)
    dirty: dict[int, set[str]] = field(default_factory=dict)
    case_dirty: set[str] = field(default_factory=set)
    along: list[Any] = field(default_factory=list)  # other new rows written with the change (the rules' decision)

    def touch(self, step: Step, *fields: str) -> None:
        """Mark fields of a step as changed (only those are written)."""
        self.changed[step.pk] = step
        self.dirty.setdefault(step.pk, set()).update(fields)


def _err_transition(step: Step, action: str) -> Conflict:
    return Conflict(
        f"Langkah {step.code} berstatus '{step.state}' sehingga tidak dapat di-{action}.",
        f"Step {step.code} is '{step.state}', so it cannot be {action}ed.",
        code="invalid_transition",
        details={"step": step.code, "state": step.state, "action": action, "version": step.version},
    )


def _event(ctx: _Ctx, kind: str, *, step: Step | None = None, from_state: str = "", to_state: str = "",
           reason: str = "", payload: dict[str, Any] | None = None) -> None:
    actor = ctx.actor
    # The agency acting: the officer's own, or (office head, system) the step's owner.
    agency_id = actor.agency_id if actor is not None and actor.agency_id else (step.agency_id if step else None)
    ctx.events.append(
        fastsql.new(
            Event,
            case=ctx.case,
            step=step,
            kind=kind,
            actor=actor,
            office_id=ctx.case.office_id,
            agency_id=agency_id,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            payload=payload or {},
            created_at=ctx.now,
        )
    )


def _move(ctx: _Ctx, step: Step, action: str, *, reason: str = "", payload: dict[str, Any] | None = None) -> None:
    allowed_from, to_state = STEP_TRANSITIONS[action]
    if step.state not in allowed_from:
        raise _err_transition(step, action)
    from_state = step.state
    ctx.original_versions.setdefault(step.pk, step.version)
    step.state = to_state
    step.version += 1
    ctx.touch(step, "state", "version")
    _event(ctx, f"step_{action}ed" if not action.endswith("e") else f"step_{action}d", step=step,
           from_state=from_state, to_state=to_state, reason=reason, payload=payload)


def _satisfied(step: Step) -> bool:
    return step.state == S.WAIVED or (step.state == S.DONE and not step.blocks_case)


def _case_clear(ctx: _Ctx) -> bool:
    """CARD and DEP need a clear case: nothing rejected, nothing unfit, every mandatory earlier step met."""
    for other in ctx.steps.values():
        if other.state == S.REJECTED or (other.state == S.DONE and other.blocks_case):
            return False
        d = other.definition
        if not d.optional and not d.requires_clear_case and not _satisfied(other):
            return False
    return True


def _eligible(ctx: _Ctx, step: Step) -> bool:
    d = step.definition
    if not all(_satisfied(ctx.steps[code]) for code in d.prerequisites if code in ctx.steps):
        return False
    return not d.requires_clear_case or _case_clear(ctx)


def _unlock_ready_steps(ctx: _Ctx) -> None:
    # Fixed point: waiving a locked step can make several layers eligible at once.
    changed = True
    while changed:
        changed = False
        for step in ctx.steps.values():
            if step.state == S.LOCKED and _eligible(ctx, step):
                _move(ctx, step, "unlock")
                step.ready_at = ctx.now
                step.due_on = reference_selectors.working_days_add(ctx.today, step.definition.sla_working_days)
                ctx.touch(step, "ready_at", "due_on")
                changed = True


def _dependents(ctx: _Ctx, code: str) -> list[Step]:
    """Steps that depend on `code`, directly or through other steps (the gated CARD/DEP included)."""
    found: dict[str, Step] = {}
    frontier = [code]
    while frontier:
        current = frontier.pop()
        for step in ctx.steps.values():
            d = step.definition
            depends = current in d.prerequisites or (d.requires_clear_case and step.code != code)
            if step.code not in found and depends:
                found[step.code] = step
                frontier.append(step.code)
    return list(found.values())


def _sync_case_status(ctx: _Ctx) -> None:
    case = ctx.case
    dep = ctx.steps.get("DEP")
    gated = [s for s in ctx.steps.values() if s.definition.requires_clear_case and s.code != "DEP"]
    if dep is not None and dep.state == S.DONE:
        target = C.DEPARTED
    elif gated and all(_satisfied(s) for s in gated) and _case_clear(ctx):
        target = C.READY_TO_DEPART
    else:
        target = C.OPEN
    if target == case.status:
        return
    action = {C.DEPARTED: "depart", C.READY_TO_DEPART: "ready", C.OPEN: "reopen"}[target]
    if case.status == C.OPEN and target == C.DEPARTED:
        _case_move(ctx, "ready")
    _case_move(ctx, action)


def _case_move(ctx: _Ctx, action: str, *, reason: str = "") -> None:
    allowed_from, to_state = CASE_TRANSITIONS[action]
    case = ctx.case
    if case.status not in allowed_from:
        raise Conflict(
            f"Kasus {case.number} berstatus '{case.status}' sehingga tidak dapat di-{action}.",
            f"Case {case.number} is '{case.status}', so it cannot be {action}ed.",
            code="invalid_case_transition",
            details={"status": case.status, "action": action},
        )
    from_state = case.status
    case.status = to_state
    ctx.case_dirty.add("status")
    if to_state in (C.DEPARTED, C.CANCELLED):
        case.closed_at = ctx.now
        ctx.case_dirty.add("closed_at")
    _event(ctx, "case_status_changed", from_state=from_state, to_state=to_state, reason=reason,
           payload={"action": action})


# The statements every transition runs, written once (core.fastsql): compiling them through the ORM costs more
# than running them.
_CASE = fastsql.Columns(Case, "c")
_STEP = fastsql.Columns(Step, "s")


def _case_lock_sql(q) -> tuple[str, list[Any]]:
    """The case's row, locked, and the answers of the registered probes (their parameters come first)."""
    probes, params = [], []
    for build in _probes.values():
        sql, probe_params = build(q, f"c.{q('id')}")
        probes.append(f", ({sql})")
        params.extend(probe_params)
    return (f"SELECT {_CASE.sql}{''.join(probes)} FROM {_CASE.table} c "  # noqa: S608
            f"WHERE c.{q('number')} = %s{fastsql.for_update()}"), params


_CASE_LOCK = fastsql.Statement(_case_lock_sql)
_STEPS = fastsql.Statement(
    lambda q: f"SELECT {_STEP.sql} FROM {_STEP.table} s WHERE s.{q('case_id')} = %s "  # noqa: S608
              f"ORDER BY s.{q('sort_order')}, s.{q('id')}"
)


def _lock_case(case_number: str) -> Case:
    """The case, its row locked for this transaction; the probes' answers ride on it to the change's CaseChange."""
    statement = _CASE_LOCK
    rows = fastsql.fetch(statement.sql, [*statement.params, case_number])
    if not rows:
        raise _case_not_found(case_number)
    row = rows[0]
    case = _CASE.load(row)
    case._lock_probes = dict(zip(_probes, map(bool, row[_CASE.width:]), strict=True))
    return case


def _case_not_found(case_number: str) -> NotFound:
    return NotFound(f"Kasus {case_number} tidak ditemukan.", f"Case {case_number} not found.", code="case_not_found")


def _ctx_of(case: Case, steps: list[Step], actor: User | None) -> _Ctx:
    now = timezone.now()
    office = reference_selectors.office_info(case.office_id)
    # Step definitions of a stored process version never change: take them from the in-process cache, read again
    # only when it lacks one of these steps' (reloaded test data).
    defs = reference_selectors.step_definitions(case.process_id)
    attach = fastsql.attach
    for step in steps:
        definition = defs.get(step.definition_id)
        if definition is None:
            defs = reference_selectors.step_definitions(case.process_id,
                                                        must_have=frozenset(s.definition_id for s in steps))
            definition = defs[step.definition_id]
        attach(step, "definition", definition)
        attach(step, "case", case)
    return _Ctx(case=case, actor=actor, now=now, today=local_date(now, office.zone), office=office,
                steps={s.code: s for s in steps})


def _load_ctx(case: Case, actor: User | None) -> _Ctx:
    return _ctx_of(case, _STEP.load_all(fastsql.fetch(_STEPS.sql, [case.pk])), actor)


def _lock_ctx(case_number: str, actor: User | None) -> _Ctx:
    """Lock the case row for this transaction, then read its steps. Two statements on purpose: under READ
    COMMITTED a statement that waited for the lock still reads the rows it joins as they were when it started, so
    steps read in the locking statement could miss what the transaction we waited for has just committed."""
    case = _lock_case(case_number)
    return _load_ctx(case, actor)


def _office_desks(case: Case) -> frozenset[str]:
    return reference_selectors.office_info(case.office_id).desk_ids


def _save(ctx: _Ctx) -> CaseChange:
    # One plain UPDATE per changed step with only its changed fields, guarded by the version read under the
    # case lock (bulk_update's CASE expressions cost more to build than the few rows they save), the case's own
    # UPDATE and the event rows: on PostgreSQL all in one statement (core.fastsql.insert_along).
    step_updates = [
        fastsql.update_statement(Step, step.pk, {f: getattr(step, f) for f in sorted(ctx.dirty[step.pk])},
                                 where={"version": ctx.original_versions[step.pk]})
        for step in ctx.changed.values()
    ]
    case = ctx.case
    case.version += 1  # the row is locked for this transaction, so a plain increment is exact
    case.updated_at = ctx.now
    case_update = fastsql.update_statement(Case, case.pk, {"version": case.version, "updated_at": ctx.now,
                                                           **{f: getattr(case, f) for f in sorted(ctx.case_dirty)}})
    created, counts = fastsql.insert_along(Event, ctx.events, [*step_updates, case_update], also=ctx.along)
    for step, updated in zip(ctx.changed.values(), counts, strict=False):
        if updated != 1:
            raise Conflict(
                f"Langkah {step.code} diubah bersamaan oleh orang lain. Muat ulang lalu coba lagi.",
                f"Step {step.code} was changed concurrently. Reload and try again.",
                code="stale_version",
            )
    change = CaseChange(
        case_id=case.pk,
        case_number=case.number,
        event_ids=tuple(e.pk for e in created if e.pk is not None),
        kinds=tuple(e.kind for e in ctx.events),
        events=tuple(created),
        steps=tuple(ctx.steps.values()),
        probes=getattr(case, "_lock_probes", {}),
    )
    for listener in list(_tx_listeners):
        listener(change)
    after_commit = CaseChange(case_id=change.case_id, case_number=change.case_number, event_ids=change.event_ids,
                              kinds=change.kinds, probes=change.probes)  # without the rows: read again after commit
    transaction.on_commit(lambda: _dispatch(after_commit))
    return change


def _check_version(step: Step, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != step.version:
        raise Conflict(
            f"Data langkah {step.code} sudah diubah orang lain (versi {step.version}, bukan {expected_version}). "
            "Muat ulang lalu coba lagi.",
            f"Step {step.code} was changed by someone else (version {step.version}, not {expected_version}). "
            "Reload and try again.",
            code="stale_version",
            details={"step": step.code, "version": step.version, "expected_version": expected_version},
        )


def _get_step(ctx: _Ctx, code: str) -> Step:
    step = ctx.steps.get(code.upper())
    if step is None:
        raise NotFound(
            f"Langkah {code} tidak ada pada kasus {ctx.case.number}.",
            f"Case {ctx.case.number} has no step {code}.",
            code="step_not_found",
        )
    return step


def _office_has_desk(case: Case, agency_id: str) -> bool:
    return agency_id in _office_desks(case)


def _authorize_step(actor: User, case: Case, step: Step, action: str) -> None:
    if action == "waive":
        if not account_selectors.user_heads_office(actor, office_id=case.office_id):
            raise PermissionDenied(
                "Hanya kepala kantor ini yang dapat mengecualikan (waive) langkah.",
                "Only the head of this office may waive a step.",
                code="forbidden_not_office_head",
            )
        return
    if account_selectors.user_can_act_for(actor, office_id=case.office_id, agency_id=step.agency_id):
        return
    # Departures are verified at the airport, seaport or land border, not at the office.
    if step.definition.outcome_type == "departure" and account_selectors.user_is_checkpoint_officer(actor):
        return
    # A desk the office lacks (e.g. no immigration desk in Nunukan): the step is done elsewhere and the
    # office head records it.
    if account_selectors.user_heads_office(actor, office_id=case.office_id) and not _office_has_desk(
        case, step.agency_id
    ):
        return
    office_name = reference_selectors.office_info(case.office_id).name
    raise PermissionDenied(
        f"Langkah {step.code} hanya dapat dikerjakan petugas loket {step.agency_id} di {office_name}.",
        f"Step {step.code} can only be handled by a {step.agency_id} desk officer at {office_name}.",
        code="forbidden_wrong_desk",
        details={"step": step.code, "agency": step.agency_id, "office": case.office_id},
    )


# --- public services -----------------------------------------------------------------------------------

def _next_case_number(office: Office, year: int) -> str:
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(office=office, year=year)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{office.code}-{year}-{counter.last:06d}"


def case_open(*, actor: User, worker: Worker, office_code: str, scheme: str, destination_country: str = "",
              job_order_number: str = "") -> Case:
    """Open a placement case at an office on the process version in force today, only when the placement rules
    allow it (legal job order, age, destination, consent …); one active case per NIK; the job order's place
    is taken in the same transaction."""
    office = Office.objects.filter(code=office_code, is_active=True).select_related("regency").first()
    job_order = None
    if job_order_number:
        job_order = JobOrder.objects.select_related("employer").filter(number=job_order_number.strip()).first()
        if job_order is None:
            raise NotFound(f"Job order {job_order_number} tidak ditemukan.", f"Job order {job_order_number} not found.",
                           code="job_order_not_found")
        destination_country = destination_country or job_order.employer.country_id
    active = Case.objects.filter(worker=worker, status__in=ACTIVE_CASE_STATES).first()
    if active is not None:
        raise Conflict(
            f"Pekerja ini masih memiliki kasus aktif {active.number}.",
            f"This worker already has an active case {active.number}.",
            code="case_active_exists",
            details={"case": active.number},
        )
    if office is not None and scheme in Scheme.values and (
        account_selectors.user_can_act_for(actor, office_id=office.code, agency_id="DISNAKER")
        or account_selectors.user_heads_office(actor, office_id=office.code)
    ):
        # The decision is written (and kept, even when it refuses) before the case's own transaction.
        decision = placement_services.case_rules_evaluate(
            stage="case_open", case_ref="", worker=worker, scheme=scheme,
            destination_country=(destination_country or "").upper(), office_regency_code=office.regency_id,
            job_order=job_order, on=local_date(None, office.zone),
            has_family_consent=registry_selectors.worker_has_consent(worker=worker),
            active_case_elsewhere=False, actor=actor, office_code=office.code,
        )
        placement_services.decision_require_proceed(decision=decision)
    else:
        decision = None
    with transaction.atomic():
        case = _case_open(actor=actor, worker=worker, office_code=office_code, scheme=scheme,
                          destination_country=destination_country)
        if decision is not None:
            placement_services.decision_case_attach(decision=decision, case_ref=case.number)
        if job_order is not None:
            placement_services.job_order_link(job_order=job_order, case_ref=case.number, actor=actor, worker=worker)
    return case


def _case_open(*, actor: User, worker: Worker, office_code: str, scheme: str, destination_country: str) -> Case:
    office = Office.objects.filter(code=office_code, is_active=True).select_related("regency").first()
    if office is None:
        raise NotFound(f"Kantor {office_code} tidak ditemukan.", f"Office {office_code} not found.",
                       code="office_not_found")
    if not (
        account_selectors.user_can_act_for(actor, office_id=office.code, agency_id="DISNAKER")
        or account_selectors.user_heads_office(actor, office_id=office.code)
    ):
        raise PermissionDenied(
            "Kasus hanya dapat dibuka oleh petugas loket Disnaker atau kepala kantor ini.",
            "A case can only be opened by this office's manpower (Disnaker) desk officer or its head.",
            code="forbidden_open_case",
        )
    if scheme not in Scheme.values:
        raise ValidationFailed("Skema penempatan tidak dikenal.", "Unknown placement scheme.",
                               code="scheme_unknown", details={"scheme": scheme, "allowed": list(Scheme.values)})
    destination_country = (destination_country or "").upper()
    if destination_country and not Country.objects.filter(code=destination_country).exists():
        raise ValidationFailed("Kode negara tujuan tidak dikenal.", "Unknown destination country code.",
                               code="country_unknown", details={"destination_country": destination_country})
    Worker.objects.select_for_update().filter(pk=worker.pk).first()  # serialise cases of one worker
    active = Case.objects.filter(worker=worker, status__in=ACTIVE_CASE_STATES).first()
    if active is not None:
        raise Conflict(
            f"Pekerja ini masih memiliki kasus aktif {active.number}.",
            f"This worker already has an active case {active.number}.",
            code="case_active_exists",
            details={"case": active.number},
        )
    now = timezone.now()
    today = local_date(now, office.zone)
    process = reference_selectors.process_current(scheme=scheme, on=today)
    definitions = list(process.steps.all().order_by("sort_order"))
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=_next_case_number(office, today.year),
                worker=worker,
                office=office,
                scheme=scheme,
                process=process,
                destination_country=destination_country,
                opened_at=now,
                opened_by=actor,
                updated_at=now,
            )
    except IntegrityError:
        raise Conflict(
            "Pekerja ini masih memiliki kasus aktif.", "This worker already has an active case.",
            code="case_active_exists",
        ) from None
    Step.objects.bulk_create(
        [
            Step(case=case, definition=d, code=d.code, agency_id=d.agency_id, sort_order=d.sort_order)
            for d in definitions
        ]
    )
    ctx = _load_ctx(case, actor)
    _event(ctx, "case_opened", to_state=C.OPEN,
           payload={"process": process.code, "version": process.version, "scheme": scheme,
                    "destination_country": destination_country})
    _unlock_ready_steps(ctx)
    _save(ctx)
    return case


@dataclass(frozen=True)
class _Refused:
    """The placement rules refused the action; the decision is kept when the transaction commits."""

    decision: Any


def _step_action(*, actor: User, case_number: str, step_code: str, action: str, expected_version: int | None,
                 apply: Callable[[_Ctx, Step, str], None],
                 precheck: Callable[[_Ctx, Step], Any] | None = None) -> Transition | _Refused:
    ctx = _lock_ctx(case_number, actor)
    case = ctx.case
    step = _get_step(ctx, step_code)
    _authorize_step(actor, case, step, action)
    if case.status not in ACTIVE_CASE_STATES:
        raise Conflict(
            f"Kasus {case.number} sudah {case.status}; langkah tidak dapat diubah.",
            f"Case {case.number} is {case.status}; its steps can no longer change.",
            code="case_closed",
        )
    _check_version(step, expected_version)
    if action == "start" and step.state == S.DONE and step.blocks_case:
        action = "recheck"
    allowed_from, _ = STEP_TRANSITIONS[action]
    if step.state not in allowed_from:
        raise _err_transition(step, action)
    if step.definition.requires_clear_case and action in ("start", "complete") and not _case_clear(ctx):
        raise Conflict(
            f"Langkah {step.code} tidak dapat diproses: ada langkah yang ditolak, hasil medis tidak layak, "
            "atau langkah wajib yang belum selesai.",
            f"Step {step.code} cannot proceed: a step is rejected, the medical result is unfit, "
            "or a mandatory step is not finished.",
            code="case_not_clear",
        )
    if precheck is not None:
        decision = precheck(ctx, step)  # not yet written
        if not decision.proceed:
            # nothing changes; the decision row commits with this transaction
            return _Refused(placement_services.decision_record(decision=decision))
        ctx.along.append(decision)  # written with the change, in the same statement (_save)
    apply(ctx, step, action)
    _unlock_ready_steps(ctx)
    _sync_case_status(ctx)
    _save(ctx)
    return Transition(case=case, step=step, steps=tuple(ctx.steps.values()), changed=tuple(ctx.changed.values()))


@transaction.atomic
def step_start(*, actor: User, case_number: str, step_code: str, expected_version: int | None = None,
               note: str = "") -> Transition:
    """Start working on a ready (or rejected, expired, or unfit-and-rechecked) step at the actor's desk."""

    def apply(ctx: _Ctx, step: Step, action: str) -> None:
        _move(ctx, step, action, reason=note)
        step.blocks_case = False
        step.started_at = ctx.now
        step.actor = actor
        ctx.touch(step, "blocks_case", "started_at", "actor")

    return _step_action(actor=actor, case_number=case_number, step_code=step_code, action="start",
                        expected_version=expected_version, apply=apply)


# Which rule stage a step's completion is checked at (by its outcome type); every other step: "step_complete".
RULE_STAGE_BY_OUTCOME = {"card": "card", "departure": "departure"}


_WORKER = fastsql.Columns(Worker, "w")


def _rule_inputs_sql(q) -> tuple[str, list]:
    """Everything the placement rules read for a step completion, in one statement: the worker, whether they hold
    another active case, the family-consent rule (its own parameters), the identity of the rule set in force and
    the job order the case holds a position in, with its company, employer and job title."""
    consent_sql, consent_params = registry_selectors.worker_has_consent_sql("w")
    rule_set_columns, rule_set_join = placement_selectors.rule_set_in_force_sql(q, "rs")
    job_columns, job_join = placement_selectors.job_order_for_case_sql(q)
    active = ", ".join(["%s"] * len(ACTIVE_CASE_STATES))
    sql = (
        f"SELECT {_WORKER.sql}, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {_CASE.table} c WHERE c.{q('worker_id')} = w.{q('id')} "
        f"AND c.{q('status')} IN ({active}) AND c.{q('id')} <> %s), {consent_sql}, {rule_set_columns}, {job_columns} "
        f"FROM {_WORKER.table} w {rule_set_join} {job_join} WHERE w.{q('id')} = %s"
    )
    return sql, consent_params


_RULE_INPUTS = fastsql.Statement(_rule_inputs_sql)


@dataclass(frozen=True)
class _RuleInputs:
    worker: Worker
    active_elsewhere: bool
    has_consent: bool
    rule_set: tuple | None  # the identity of the version in force (placement.rules.rule_set_identity)
    job_order: Any


def _rule_inputs(case: Case, on: dt.date) -> _RuleInputs:
    statement = _RULE_INPUTS
    rows = fastsql.fetch(statement.sql, [*ACTIVE_CASE_STATES, case.pk, *statement.params,
                                         placement_selectors.rule_set_in_force_param(on), case.number, case.worker_id])
    row = rows[0]
    offset = _WORKER.width + 2
    return _RuleInputs(
        worker=_WORKER.load(row), active_elsewhere=bool(row[_WORKER.width]), has_consent=bool(row[_WORKER.width + 1]),
        rule_set=placement_selectors.rule_set_identity(row, offset),
        job_order=placement_selectors.job_order_from_row(row, offset + placement_selectors.rule_set_in_force_width),
    )


def _rules_decision(ctx: _Ctx, step: Step, outcome: dict[str, Any] | None):
    """Evaluate the placement rules for completing `step`, under the case lock; the decision, not yet written (the
    caller writes it with the change, or alone when it refuses)."""
    case = ctx.case
    outcome_type = step.definition.outcome_type
    visa_type = (outcome or {}).get("visa_type") if outcome_type == "visa" else None
    visa_step = ctx.steps.get("VISA")
    if visa_type is None and visa_step is not None and visa_step.state == S.DONE:
        visa_type = (visa_step.outcome or {}).get("visa_type")
    # What the rules read, in one statement (_rule_inputs); the worker stays on the case for what runs later in
    # this transaction (notifications).
    inputs = _rule_inputs(case, ctx.today)
    fastsql.attach(case, "worker", inputs.worker)
    return placement_services.case_rules_evaluate(
        stage=RULE_STAGE_BY_OUTCOME.get(outcome_type, "step_complete"), case_ref=case.number, worker=inputs.worker,
        scheme=case.scheme, destination_country=case.destination_country,
        office_regency_code=ctx.office.regency_code,
        job_order=inputs.job_order, job_order_fresh=True, on=ctx.today, rule_set_found=inputs.rule_set,
        has_family_consent=inputs.has_consent,
        active_case_elsewhere=inputs.active_elsewhere,
        visa_type=visa_type, actor=ctx.actor, office_code=case.office_id, record=False,
    )


def step_complete(*, actor: User, case_number: str, step_code: str, outcome: dict[str, Any] | None = None,
                  expected_version: int | None = None, note: str = "") -> Transition:
    """Complete a step with its outcome data, validated for the step's type, once the placement rules of its
    stage allow it (before CARD and DEP: the card and departure rules); dependents unlock. A refusal (409
    `rules_blocked` / `rules_flagged`) keeps its decision on record."""
    result = _step_complete(actor=actor, case_number=case_number, step_code=step_code, outcome=outcome,
                            expected_version=expected_version, note=note)
    if isinstance(result, _Refused):
        placement_services.decision_require_proceed(decision=result.decision)  # raises, after the commit
    return result


@transaction.atomic
def _step_complete(*, actor: User, case_number: str, step_code: str, outcome: dict[str, Any] | None,
                   expected_version: int | None, note: str) -> Transition | _Refused:

    def apply(ctx: _Ctx, step: Step, action: str) -> None:
        clean = validate_outcome(step.definition.outcome_type, outcome, today=ctx.today)
        external = not _office_has_desk(ctx.case, step.agency_id)
        _move(ctx, step, action, reason=note,
              payload={"outcome": clean.data, **({"recorded_external": True} if external else {})})
        step.outcome = clean.data
        # the document's own date wins; otherwise the process data's validity period, if it sets one
        step.valid_until = clean.valid_until or (
            ctx.today + dt.timedelta(days=step.definition.validity_days) if step.definition.validity_days else None
        )
        step.blocks_case = clean.blocks_case
        step.completed_at = ctx.now
        step.started_at = step.started_at or ctx.now
        step.actor = actor
        step.reason = ""
        ctx.touch(step, "outcome", "valid_until", "blocks_case", "completed_at", "started_at", "actor", "reason")

    return _step_action(actor=actor, case_number=case_number, step_code=step_code, action="complete",
                        expected_version=expected_version, apply=apply,
                        precheck=lambda ctx, step: _rules_decision(ctx, step, outcome))


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationFailed(
            f"Alasan wajib diisi untuk {action}.", f"A reason is required to {action} a step.",
            code="reason_required",
        )
    return reason[:2000]


@transaction.atomic
def step_reject(*, actor: User, case_number: str, step_code: str, reason: str,
                expected_version: int | None = None) -> Transition:
    """Reject a step with a reason; it can be started again later, and the case cannot reach CARD/DEP meanwhile."""
    reason = _require_reason(reason, "reject")

    def apply(ctx: _Ctx, step: Step, action: str) -> None:
        _move(ctx, step, action, reason=reason)
        step.reason = reason
        step.actor = actor
        ctx.touch(step, "reason", "actor")

    return _step_action(actor=actor, case_number=case_number, step_code=step_code, action="reject",
                        expected_version=expected_version, apply=apply)


@transaction.atomic
def step_waive(*, actor: User, case_number: str, step_code: str, reason: str,
               expected_version: int | None = None) -> Transition:
    """The office head waives a step with a reason; CARD and DEP can never be waived."""
    reason = _require_reason(reason, "waive")

    def apply(ctx: _Ctx, step: Step, action: str) -> None:
        if step.definition.requires_clear_case:
            raise Conflict(
                f"Langkah {step.code} tidak boleh dikecualikan.", f"Step {step.code} can never be waived.",
                code="waive_not_allowed",
            )
        _move(ctx, step, action, reason=reason)
        step.reason = reason
        step.actor = actor
        ctx.touch(step, "reason", "actor")
        step.blocks_case = False
        ctx.touch(step, "reason", "actor", "blocks_case")

    return _step_action(actor=actor, case_number=case_number, step_code=step_code, action="waive",
                        expected_version=expected_version, apply=apply)


@transaction.atomic
def case_cancel(*, actor: User, case_number: str, reason: str) -> Case:
    """The office head cancels an active case with a reason; its steps stay as they were for the record."""
    reason = _require_reason(reason, "cancel")
    case = _lock_case(case_number)
    if not account_selectors.user_heads_office(actor, office_id=case.office_id):
        raise PermissionDenied("Hanya kepala kantor ini yang dapat membatalkan kasus.",
                               "Only the head of this office may cancel a case.", code="forbidden_not_office_head")
    ctx = _load_ctx(case, actor)
    _case_move(ctx, "cancel", reason=reason)
    _save(ctx)
    placement_services.job_order_release(case_ref=case.number, actor=actor, reason=reason)  # frees its place
    return case


def _expire_in_case(case_number: str, *, today: dt.date | None = None) -> list[str]:
    case = _lock_case(case_number)
    if case.status not in ACTIVE_CASE_STATES:
        return []
    ctx = _load_ctx(case, None)
    today = today or ctx.today
    expired = [s for s in ctx.steps.values() if s.state == S.DONE and s.valid_until and s.valid_until < today]
    for step in expired:
        _move(ctx, step, "expire", reason=f"valid until {step.valid_until.isoformat()}",
              payload={"valid_until": step.valid_until.isoformat()})
        for dependent in _dependents(ctx, step.code):
            if dependent.state in STEP_TRANSITIONS["relock"][0] and dependent.state != S.EXPIRED:
                _move(ctx, dependent, "relock", reason=f"prerequisite {step.code} expired")
    if not expired:
        return []
    _unlock_ready_steps(ctx)
    _sync_case_status(ctx)
    _save(ctx)
    return [s.code for s in expired]


def steps_expire_due(
    *, today: dt.date | None = None, case_numbers: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Expire done steps whose output is past its validity; the step and everything depending on it reopen."""
    qs = Step.objects.filter(state=S.DONE, valid_until__isnull=False, case__status__in=ACTIVE_CASE_STATES)
    qs = qs.filter(valid_until__lt=today or timezone.localdate())
    if case_numbers is not None:
        qs = qs.filter(case__number__in=list(case_numbers))
    result: dict[str, list[str]] = {}
    for number in sorted(set(qs.values_list("case__number", flat=True))):
        with transaction.atomic():
            codes = _expire_in_case(number, today=today)
        if codes:
            result[number] = codes
    return result


@transaction.atomic
def step_document_attach(*, actor: User, case_number: str, step_code: str, filename: str,
                         content: bytes) -> StepDocument:
    """Attach a PDF/JPEG/PNG (≤ 5 MB, type checked by content, SHA-256 kept) to a step of the actor's desk."""
    checked = check_upload(content)
    case = _lock_case(case_number)
    ctx = _load_ctx(case, actor)
    step = _get_step(ctx, step_code)
    _authorize_step(actor, case, step, "attach")
    if case.status not in ACTIVE_CASE_STATES:
        raise Conflict(f"Kasus {case.number} sudah ditutup.", f"Case {case.number} is closed.", code="case_closed")
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:150] or f"document.{checked.extension}"
    document = StepDocument(
        step=step,
        original_name=safe_name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
        uploaded_at=ctx.now,
    )
    document.file.save(f"{checked.sha256[:32]}.{checked.extension}", ContentFile(checked.content), save=False)
    document.save()
    _event(ctx, "document_attached", step=step, payload={"document_id": document.pk, "sha256": checked.sha256,
                                                          "name": safe_name, "size": document.size})
    _save(ctx)
    return document


CLOSED_CASE_STATES = (C.DEPARTED, C.CANCELLED)


@transaction.atomic
def worker_cases_anonymise(*, worker_id: int) -> list[str]:
    """Retention (UU 27/2022 art. 43): strip the personal data the journey holds for a worker's closed cases: step
    outcomes and reasons, event payloads and reasons, uploaded documents (files deleted, names blanked). What
    statistics need stays: case, office, scheme, destination, step states and every date. The only change ever
    made to event rows, done in bulk here and recorded as one `case_anonymised` event per case. Returns the case
    numbers touched; an active case is never touched."""
    cases = list(
        Case.objects.select_for_update().filter(worker_id=worker_id, status__in=CLOSED_CASE_STATES).order_by("pk")
    )
    if not cases:
        return []
    ids = [c.pk for c in cases]
    Step.objects.filter(case_id__in=ids).update(outcome={}, reason="")
    Event.objects.filter(case_id__in=ids).update(payload={}, reason="")
    documents = list(StepDocument.objects.filter(step__case_id__in=ids).exclude(file="").select_related("step"))
    for document in documents:
        name = document.file.name
        transaction.on_commit(lambda name=name: StepDocument.file.field.storage.delete(name))
    StepDocument.objects.filter(pk__in=[d.pk for d in documents]).update(file="", original_name="")
    now = timezone.now()
    Event.objects.bulk_create(
        [Event(case=c, kind="case_anonymised", office_id=c.office_id, payload={"documents": sum(
            1 for d in documents if d.step.case_id == c.pk)}, created_at=now) for c in cases]
    )
    return [c.number for c in cases]
