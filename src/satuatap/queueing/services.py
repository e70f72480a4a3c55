"""Every write to the queue goes through here (house rule 1): tickets, counters, routing, appointments.

Locks are taken in one order (counter → visit → ticket) so two writers never wait on each other in a
circle. *Call next* takes the first waiting ticket with `FOR UPDATE SKIP LOCKED` on PostgreSQL and then
claims it with a conditional UPDATE (state still waiting), so a ticket is called by exactly one counter;
on SQLite the IMMEDIATE transaction serialises writers and the conditional UPDATE is the same guard.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditAction, User
from satuatap.core import fastsql
from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.core.timeutil import local_date
from satuatap.journey import selectors as journey_selectors
from satuatap.journey.models import Case, CaseStatus, StepState
from satuatap.queueing import rules
from satuatap.queueing.models import (
    HOLDING_APPOINTMENT_STATES,
    Appointment,
    AppointmentStatus,
    Counter,
    DayCounter,
    Priority,
    ServiceCapacity,
    Ticket,
    TicketEvent,
    TicketState,
    Visit,
    VisitStatus,
)
from satuatap.reference import selectors as reference_selectors
from satuatap.registry import selectors as registry_selectors
from satuatap.registry.nik import nik_normalize

T = TicketState
ROUTABLE_STEP_STATES = (StepState.READY, StepState.IN_PROGRESS)
ACTIVE_CASE_STATES = (CaseStatus.OPEN, CaseStatus.READY_TO_DEPART)


@dataclass(frozen=True)
class VisitResult:
    """A visit and the ticket it holds now (None when the visit is finished)."""

    visit: Visit
    ticket: Ticket | None
    existing: bool = False


@dataclass(frozen=True)
class DoneResult:
    ticket: Ticket
    next_ticket: Ticket | None


# --- helpers -------------------------------------------------------------------------------------------

def _event(ticket: Ticket, kind: str, *, now: dt.datetime, actor: User | None = None, from_state: str = "",
           to_state: str = "", reason: str = "", counter: Counter | None = None,
           payload: dict[str, Any] | None = None) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, visit_id=ticket.visit_id, office_id=ticket.office_id, agency_id=ticket.agency_id,
        counter=counter, kind=kind, actor=actor if actor is not None and actor.is_authenticated else None,
        from_state=from_state, to_state=to_state, reason=reason, payload=payload or {}, created_at=now,
    )


def _office(office_code: str) -> reference_selectors.OfficeInfo:
    return reference_selectors.office_info((office_code or "").strip().upper())


def _next_number(office_id: str, day: dt.date) -> int:
    counter, _ = DayCounter.objects.select_for_update().get_or_create(office_id=office_id, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _ready_desks(case: Case, office: reference_selectors.OfficeInfo) -> set[str]:
    """Desks of the office holding a step of the case that can be worked on now."""
    return {
        s.agency_id for s in journey_selectors.case_steps(case=case)
        if s.state in ROUTABLE_STEP_STATES and s.agency_id in office.desk_ids
    }


def _open_counters(office_id: str, agency_id: str) -> int:
    return Counter.objects.filter(office_id=office_id, agency_id=agency_id, officer__isnull=False).count()


def _pick_desk(office_id: str, desks: set[str], *, now: dt.datetime) -> str:
    """The desk with the shortest expected wait (ties: the process order of the desk letters)."""
    return min(desks, key=lambda a: (
        rules.expected_wait_s(office_id, a, now=now, open_counters=_open_counters(office_id, a)),
        rules.DESK_PREFIX.get(a, "Z"),
    ))


def _ticket_create(visit: Visit, agency_id: str, *, now: dt.datetime, actor: User | None, kind: str = "queued",
                   reason: str = "", payload: dict[str, Any] | None = None) -> Ticket:
    appointment = visit.appointment
    at_booked_desk = appointment is not None and appointment.agency_id == agency_id
    ticket = Ticket.objects.create(
        visit=visit, office_id=visit.office_id, agency_id=agency_id, day=visit.day,
        code=rules.ticket_code(agency_id, visit.number), state=T.WAITING, priority=rules.is_priority(visit.priority),
        appointment_at=appointment.starts_at if at_booked_desk and not visit.tickets.exists() else None,
        arrived_at=visit.arrived_at, queued_at=now,
    )
    _event(ticket, kind, now=now, actor=actor, to_state=T.WAITING, reason=reason, payload=payload)
    return ticket


def _finish_visit(visit: Visit, *, now: dt.datetime, status: str = VisitStatus.FINISHED) -> None:
    visit.status = status
    visit.finished_at = now
    visit.save(update_fields=["status", "finished_at"])


def _close_visit(visit: Visit, *, now: dt.datetime) -> None:
    for ticket in visit.tickets.select_for_update().filter(rules.active_ticket_q()):
        _close_ticket(ticket, T.CANCELLED, now=now, actor=None, kind="day_closed", reason="office day ended")
    _finish_visit(visit, now=now)


def _route(visit: Visit, *, now: dt.datetime, actor: User | None, exclude: frozenset[str] = frozenset(),
           reason: str = "") -> Ticket | None:
    """Put the visit in the queue of the next desk with a ready step, or finish it when none is left."""
    office = reference_selectors.office_info(visit.office_id)
    first_desk = {rules.REGISTRATION_DESK} & office.desk_ids
    desks = (first_desk if visit.case_id is None else _ready_desks(visit.case, office)) - exclude
    if not desks:
        _finish_visit(visit, now=now)
        return None
    return _ticket_create(visit, _pick_desk(visit.office_id, desks, now=now), now=now, actor=actor,
                          reason=reason)


def _active_case(*, office_id: str, case_number: str = "", nik: str = "") -> Case:
    not_found = NotFound(
        "Data tidak ditemukan di kantor ini. Periksa kembali, atau pilih 'Pendaftar baru'.",
        "Nothing found at this office. Check the number, or choose 'New registrant'.",
        code="queue_case_not_found",
    )
    qs = Case.objects.filter(office_id=office_id, status__in=ACTIVE_CASE_STATES)
    if case_number:
        case = qs.filter(number="".join(case_number.split()).upper()).first()
    else:
        try:
            worker = registry_selectors.worker_get_by_nik(nik=nik_normalize(nik))
        except Exception:  # a malformed NIK tells the kiosk no more than an unknown one
            worker = None
        case = qs.filter(worker=worker).first() if worker is not None else None
    if case is None:
        raise not_found
    return case


def _require_desk_officer(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.role == "desk_officer"
            and actor.office_id and actor.agency_id):
        raise PermissionDenied("Hanya petugas loket yang dapat membuka loket antrean.",
                               "Only desk officers can run a queue counter.", code="forbidden_not_desk_officer")


def _my_counter(actor: User) -> Counter:
    _require_desk_officer(actor)
    counter = Counter.objects.select_for_update().filter(officer=actor).first()
    if counter is None:
        raise Conflict("Buka loket Anda terlebih dahulu.", "Open your counter first.", code="counter_not_open")
    if not account_selectors.user_can_act_for(actor, office_id=counter.office_id, agency_id=counter.agency_id):
        raise PermissionDenied("Loket ini bukan loket Anda.", "This is not your desk's counter.",
                               code="forbidden_wrong_desk")
    return counter


def _my_called_ticket(counter: Counter, ticket_id: int) -> Ticket:
    ticket = Ticket.objects.select_related("visit").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Tiket tidak ditemukan.", "Ticket not found.", code="ticket_not_found")
    if ticket.office_id != counter.office_id or ticket.agency_id != counter.agency_id:
        raise PermissionDenied("Tiket ini bukan antrean loket Anda.", "This ticket is not in your desk's queue.",
                               code="forbidden_wrong_desk")
    Visit.objects.select_for_update().filter(pk=ticket.visit_id).first()
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("visit", "counter").get(pk=ticket_id)
    if ticket.state != T.CALLED or ticket.counter_id != counter.pk:
        raise Conflict(f"Tiket {ticket.code} tidak sedang dilayani di loket Anda.",
                       f"Ticket {ticket.code} is not being served at your counter.", code="ticket_not_called_here",
                       details={"state": ticket.state})
    return ticket


def _close_ticket(ticket: Ticket, to_state: str, *, now: dt.datetime, actor: User | None, kind: str,
                  counter: Counter | None = None, reason: str = "", payload: dict[str, Any] | None = None) -> None:
    from_state = ticket.state
    ticket.state = to_state
    ticket.finished_at = now
    ticket.version += 1
    ticket.save(update_fields=["state", "finished_at", "version"])
    _event(ticket, kind, now=now, actor=actor, from_state=from_state, to_state=to_state, reason=reason,
           counter=counter, payload=payload)


# --- visits and the kiosk ------------------------------------------------------------------------------

def visit_start(*, office_code: str, case_number: str = "", nik: str = "", new_registrant: bool = False,
                priority: str = Priority.NONE, actor: User | None = None,
                appointment: Appointment | None = None) -> VisitResult:
    """Issue a ticket: the visit goes to the desk with a ready step of the case and the shortest wait."""
    office = _office(office_code)
    if priority not in Priority.values:
        raise ValidationFailed("Kategori prioritas tidak dikenal.", "Unknown priority category.",
                               code="queue_priority_invalid")
    case = None
    if not new_registrant:
        if not (case_number or nik):
            raise ValidationFailed("Isi nomor kasus atau NIK.", "Enter a case number or NIK.",
                                   code="queue_lookup_required")
        case = _active_case(office_id=office.code, case_number=case_number, nik=nik)
    now = timezone.now()
    with transaction.atomic():
        if case is not None:
            _lock_case_row(case.pk)  # one visit per case at a time (and see OPEN_VISIT_PROBE)
        day = local_date(now, office.zone)
        if case is not None:
            existing = Visit.objects.filter(case=case, status=VisitStatus.OPEN).first()
            if existing is not None and appointment is not None:  # the check-in changes the visit: lock it
                existing = Visit.objects.select_for_update().filter(pk=existing.pk, status=VisitStatus.OPEN).first()
            active = existing.tickets.filter(rules.active_ticket_q()).first() if existing is not None else None
            if existing is not None and existing.day == day and active is not None:
                if appointment is not None:
                    active = _visit_take_appointment(existing, appointment, now=now, actor=actor, office=office)
                return VisitResult(existing, active, True)
            if existing is not None:  # left over from an earlier day: closed, and a new visit starts
                _close_visit(existing, now=now)
        visit = Visit.objects.create(
            office_id=office.code, day=day, number=_next_number(office.code, day), case=case, priority=priority,
            appointment=appointment, arrived_at=now, created_by=actor if actor and actor.is_authenticated else None,
        )
        if appointment is not None and (case is None or appointment.agency_id in _ready_desks(case, office)):
            ticket = _ticket_create(visit, appointment.agency_id, now=now, actor=actor,
                                    payload={"appointment": appointment.code})
        else:
            ticket = _route(visit, now=now, actor=actor)
        if ticket is None:
            raise Conflict(
                "Tidak ada langkah yang dapat dilayani hari ini untuk kasus ini. Silakan tanya petugas informasi.",
                "No step of this case can be served today. Please ask at the information desk.",
                code="queue_nothing_ready",
            )
    return VisitResult(visit, ticket)


def _visit_take_appointment(visit: Visit, appointment: Appointment, *, now: dt.datetime, actor: User | None,
                            office: reference_selectors.OfficeInfo) -> Ticket:
    """The candidate already holds today's ticket (taken by case number or NIK) and now checks in their
    appointment: the visit becomes the appointment's, and a ticket still waiting gets the place a fresh check-in
    would give it: at the booked desk, served in its slot. A ticket being served stays as it is. The caller holds
    the case's and the visit's locks."""
    if visit.appointment_id is None:  # a second appointment of the same visit keeps the first one linked
        visit.appointment = appointment
        visit.save(update_fields=["appointment"])
    ticket = Ticket.objects.select_for_update().select_related("visit").get(rules.active_ticket_q(), visit=visit)
    if ticket.state != T.WAITING:
        return ticket
    payload = {"appointment": appointment.code}
    if ticket.agency_id == appointment.agency_id:
        ticket.appointment_at = appointment.starts_at
        ticket.version += 1
        ticket.save(update_fields=["appointment_at", "version"])
        _event(ticket, "appointment", now=now, actor=actor, from_state=T.WAITING, to_state=T.WAITING,
               payload=payload)
        return ticket
    if visit.case_id is None or appointment.agency_id not in _ready_desks(visit.case, office):
        return ticket  # the booked desk has nothing to do for the case now: the visit's own routing goes on
    _close_ticket(ticket, T.CANCELLED, now=now, actor=actor, kind="moved", reason="appointment checked in",
                  payload={"to": appointment.agency_id, **payload})
    moved = _ticket_create(visit, appointment.agency_id, now=now, actor=actor, reason="appointment checked in",
                           payload={"from": ticket.agency_id, **payload})
    moved.appointment_at = appointment.starts_at  # _ticket_create gives the slot only to a visit's first ticket
    moved.save(update_fields=["appointment_at"])
    return moved


# --- counters ------------------------------------------------------------------------------------------

def counter_open(*, actor: User, label: str) -> Counter:
    """An officer sits at a counter of their own desk (one counter per officer, one officer per counter)."""
    _require_desk_officer(actor)
    label = (label or "").strip()[:10] or "1"
    with transaction.atomic():
        mine = Counter.objects.select_for_update().filter(officer=actor).first()
        if mine is not None and mine.label == label and mine.agency_id == actor.agency_id:
            return mine
        if mine is not None:
            _counter_release(mine)
        counter, _ = Counter.objects.get_or_create(office_id=actor.office_id, agency_id=actor.agency_id, label=label)
        counter = Counter.objects.select_for_update().get(pk=counter.pk)
        if counter.officer_id is not None and counter.officer_id != actor.pk:
            raise Conflict(f"Loket {label} sedang dipakai petugas lain.", f"Counter {label} is in use by another "
                           "officer.", code="counter_taken")
        counter.officer = actor
        counter.opened_at = timezone.now()
        counter.save(update_fields=["officer", "opened_at"])
    return counter


def _counter_release(counter: Counter) -> None:
    if Ticket.objects.filter(counter=counter, state=T.CALLED).exists():
        raise Conflict("Selesaikan tiket yang sedang dilayani sebelum menutup loket.",
                       "Finish the ticket being served before closing the counter.", code="counter_busy")
    counter.officer = None
    counter.opened_at = None
    counter.save(update_fields=["officer", "opened_at"])


def counter_of_officer(officer: User) -> Counter | None:
    return Counter.objects.filter(officer=officer).first()


def counter_close(*, actor: User) -> None:
    """The officer leaves their counter (refused while a ticket is being served there)."""
    with transaction.atomic():
        _counter_release(_my_counter(actor))


def call_next(*, actor: User) -> Ticket | None:
    """Call the next waiting ticket of the officer's desk to their counter; None when nobody is waiting."""
    with transaction.atomic():
        counter = _my_counter(actor)
        if Ticket.objects.filter(counter=counter, state=T.CALLED).exists():
            raise Conflict("Loket Anda masih melayani tiket. Selesaikan, alihkan, atau tandai tidak hadir dulu.",
                           "Your counter is still serving a ticket. Finish, transfer or mark it a no-show first.",
                           code="counter_busy")
        now = timezone.now()
        skip_locked = connection.features.has_select_for_update_skip_locked
        for _ in range(20):
            qs = rules.call_order(rules.waiting(counter.office_id, counter.agency_id), now=now)
            if skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            candidate = qs.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            claimed = Ticket.objects.filter(pk=candidate, state=T.WAITING).update(
                state=T.CALLED, counter=counter, called_at=now, version=F("version") + 1,
            )
            if claimed == 1:
                ticket = Ticket.objects.select_related("visit", "counter").get(pk=candidate)
                _event(ticket, "called", now=now, actor=actor, from_state=T.WAITING, to_state=T.CALLED,
                       counter=counter, payload={"counter": counter.label})
                return ticket
        return None


def ticket_recall(*, actor: User, ticket_id: int) -> Ticket:
    """Call the ticket at the officer's counter again (announced again on the board)."""
    with transaction.atomic():
        counter = _my_counter(actor)
        ticket = _my_called_ticket(counter, ticket_id)
        ticket.recalls += 1
        ticket.version += 1
        ticket.save(update_fields=["recalls", "version"])
        _event(ticket, "recalled", now=timezone.now(), actor=actor, from_state=T.CALLED, to_state=T.CALLED,
               counter=counter, payload={"counter": counter.label, "recalls": ticket.recalls})
    return ticket


def ticket_no_show(*, actor: User, ticket_id: int) -> Ticket:
    """Mark a called ticket a no-show, allowed after the configured number of recalls; the visit ends."""
    with transaction.atomic():
        counter = _my_counter(actor)
        ticket = _my_called_ticket(counter, ticket_id)
        if ticket.recalls < rules.NO_SHOW_AFTER_RECALLS:
            raise Conflict(
                f"Panggil ulang dulu ({ticket.recalls} dari {rules.NO_SHOW_AFTER_RECALLS} kali).",
                f"Recall first ({ticket.recalls} of {rules.NO_SHOW_AFTER_RECALLS} times).",
                code="no_show_too_early", details={"recalls": ticket.recalls,
                                                   "needed": rules.NO_SHOW_AFTER_RECALLS},
            )
        now = timezone.now()
        _close_ticket(ticket, T.NO_SHOW, now=now, actor=actor, kind="no_show", counter=counter)
        _finish_visit(ticket.visit, now=now, status=VisitStatus.NO_SHOW)
    return ticket


def ticket_transfer(*, actor: User, ticket_id: int, to_agency: str, reason: str) -> Ticket:
    """Send the candidate being served to another desk of the office, with a reason; arrival time kept."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationFailed("Alasan pengalihan wajib diisi.", "A reason for the transfer is required.",
                               code="transfer_reason_required")
    to_agency = (to_agency or "").strip().upper()
    with transaction.atomic():
        counter = _my_counter(actor)
        ticket = _my_called_ticket(counter, ticket_id)
        office = reference_selectors.office_info(ticket.office_id)
        if to_agency not in office.desk_ids or to_agency == ticket.agency_id:
            raise ValidationFailed("Loket tujuan tidak ada di kantor ini.", "No such other desk at this office.",
                                   code="transfer_desk_invalid", details={"to": to_agency})
        now = timezone.now()
        _close_ticket(ticket, T.TRANSFERRED, now=now, actor=actor, kind="transferred", counter=counter,
                      reason=reason, payload={"to": to_agency})
        new = _ticket_create(ticket.visit, to_agency, now=now, actor=actor, kind="queued", reason=reason,
                             payload={"from": ticket.agency_id})
    return new


def ticket_done(*, actor: User, ticket_id: int, case_number: str = "") -> DoneResult:
    """The desk is done with the candidate: the visit goes on to the next desk with a ready step (or ends).
    A new registrant's visit is linked here to the case the desk just opened."""
    with transaction.atomic():
        counter = _my_counter(actor)
        ticket = _my_called_ticket(counter, ticket_id)
        visit = ticket.visit
        if case_number and visit.case_id is None:
            visit.case = _active_case(office_id=visit.office_id, case_number=case_number)
            _lock_case_row(visit.case_id)
            visit.save(update_fields=["case"])
        now = timezone.now()
        _close_ticket(ticket, T.DONE, now=now, actor=actor, kind="done", counter=counter)
        nxt = _route(visit, now=now, actor=actor, exclude=frozenset({ticket.agency_id}))
    return DoneResult(ticket, nxt)


_OPEN_VISIT = fastsql.Statement(
    lambda q: f"SELECT 1 FROM {q(Visit._meta.db_table)} WHERE {q('case_id')} = %s "  # noqa: S608
              f"AND {q('status')} = %s LIMIT 1"
)


def route_after_case_change(*, case_id: int, open_visit: bool | None = None) -> Ticket | None:
    """After a step change: when the desk holding the visit has no ready step of the case left, its part is
    done and the visit moves on to the next desk (or finishes). `open_visit`: whether the case had an open
    visit under the change's case lock (OPEN_VISIT_PROBE), if the change knows."""
    # Most step changes concern a case nobody is queueing for: no write transaction then (on SQLite an IMMEDIATE
    # transaction would take the database's write lock after every step change). A change made under the case
    # lock knows from its probe; otherwise one indexed read (written once, core.fastsql) tells.
    if open_visit is False:
        return None
    if open_visit is None and not fastsql.fetch(_OPEN_VISIT.sql, [case_id, VisitStatus.OPEN.value]):
        return None
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("case").filter(
            case_id=case_id, status=VisitStatus.OPEN).first()
        if visit is None:
            return None
        ticket = Ticket.objects.select_for_update().filter(rules.active_ticket_q(), visit=visit).first()
        if ticket is None:
            return None
        office = reference_selectors.office_info(visit.office_id)
        if ticket.agency_id in _ready_desks(visit.case, office):
            return ticket
        now = timezone.now()
        if ticket.state == T.CALLED:
            _close_ticket(ticket, T.DONE, now=now, actor=None, kind="done", reason="step completed",
                          counter=ticket.counter)
        else:
            _close_ticket(ticket, T.CANCELLED, now=now, actor=None, kind="moved", reason="no ready step left")
        return _route(visit, now=now, actor=None, exclude=frozenset({ticket.agency_id}))


# Step events after which a desk may have no ready step of the case left (starting a step keeps it at the desk).
ROUTING_KINDS = frozenset({"step_completed", "step_rejected", "step_waived", "step_relocked", "step_expired"})


def visit_link_opened_case(*, case_id: int) -> Visit | None:
    """A new registrant's visit meets its case: when the officer who opened the case is serving, at their counter,
    a visit that has no case yet, the visit is the case's from now on (routing then follows its steps)."""
    case = Case.objects.filter(pk=case_id).values("office_id", "opened_by_id").first()
    if case is None or case["opened_by_id"] is None:
        return None
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(state=T.CALLED, office_id=case["office_id"], counter__officer_id=case["opened_by_id"],
                    visit__case__isnull=True, visit__status=VisitStatus.OPEN)
            .select_related("visit").first()
        )
        if ticket is None:
            return None
        _lock_case_row(case_id)
        visit = ticket.visit
        visit.case_id = case_id
        visit.save(update_fields=["case"])
    return visit


def _lock_case_row(case_id: int) -> None:
    """Take the case's row lock, as its step changes do, before giving it a visit (see OPEN_VISIT_PROBE)."""
    Case.objects.select_for_update().filter(pk=case_id).first()


def on_case_change(change) -> None:
    """Listener registered with the journey (after commit): link a just-opened case to the visit being served,
    and route the case's open visit."""
    if "case_opened" in change.kinds:
        visit_link_opened_case(case_id=change.case_id)
    if ROUTING_KINDS.intersection(change.kinds):
        route_after_case_change(case_id=change.case_id, open_visit=change.probes.get(OPEN_VISIT_PROBE))


# Asked under the case lock of every case change (journey.services.case_lock_probe): does the case have an open
# visit? Every path that gives a visit its case or opens one for it takes that lock first (visit_start,
# ticket_done, visit_link_opened_case), so the answer still holds when the change commits: a visit linked
# afterwards is routed by its own transaction, which reads the steps as the change left them.
OPEN_VISIT_PROBE = "queueing.open_visit"


def open_visit_probe(q, case_id_column: str) -> tuple[str, list]:
    return (f"EXISTS (SELECT 1 FROM {q(Visit._meta.db_table)} v WHERE v.{q('case_id')} = {case_id_column} "  # noqa: S608
            f"AND v.{q('status')} = %s)", [VisitStatus.OPEN.value])


# --- appointments --------------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
APPOINTMENT_GRACE = dt.timedelta(minutes=30)


def _appointment_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def appointment_book(*, office_code: str, agency_id: str, day: dt.date, slot: dt.time,
                     case_number: str = "") -> Appointment:
    """Book a slot: on an open working day, within opening hours, in the future, within the daily capacity
    of the service and the slot's share of it."""
    office = _office(office_code)
    agency_id = (agency_id or "").strip().upper()
    if agency_id not in office.desk_ids:
        raise ValidationFailed("Layanan ini tidak ada di kantor tersebut.", "This office has no such service.",
                               code="appointment_service_invalid")
    hours = rules.opening_hours(office.code, day)
    if day in reference_selectors.holiday_dates() or hours is None:
        raise ValidationFailed("Kantor tutup pada tanggal itu.", "The office is closed on that day.",
                               code="appointment_office_closed")
    slots = rules.slots_of(hours)
    if slot not in slots:
        raise ValidationFailed("Jam tersebut di luar jadwal layanan.", "That time is outside the opening hours.",
                               code="appointment_slot_invalid")
    tz = rules.zone_info(office.zone)
    starts_at = dt.datetime.combine(day, slot, tzinfo=tz)
    now = timezone.now()
    if starts_at <= now:
        raise ValidationFailed("Pilih waktu yang akan datang.", "Choose a time in the future.",
                               code="appointment_in_past")
    with transaction.atomic():
        cap, _ = ServiceCapacity.objects.get_or_create(
            office_id=office.code, agency_id=agency_id, defaults={"daily_capacity": rules.DEFAULT_DAILY_CAPACITY})
        cap = ServiceCapacity.objects.select_for_update().get(pk=cap.pk)  # serialises bookings of the service
        held = Appointment.objects.filter(office_id=office.code, agency_id=agency_id, day=day,
                                          status__in=HOLDING_APPOINTMENT_STATES)
        if held.count() >= cap.daily_capacity:
            raise Conflict("Kuota janji temu hari itu sudah penuh.", "That day is fully booked.",
                           code="appointment_day_full")
        if held.filter(slot=slot).count() >= rules.slot_capacity(cap.daily_capacity, len(slots)):
            raise Conflict("Jam tersebut sudah penuh, pilih jam lain.", "That slot is full; choose another time.",
                           code="appointment_slot_full")
        return Appointment.objects.create(
            code=_appointment_code(), office_id=office.code, agency_id=agency_id, day=day, slot=slot,
            starts_at=starts_at, case_number="".join((case_number or "").split()).upper(), created_at=now,
        )


def _appointment_by_code(code: str) -> Appointment:
    appt = Appointment.objects.select_for_update().filter(code=(code or "").strip().upper()).first()
    if appt is None:
        raise NotFound("Kode janji temu tidak ditemukan.", "Appointment code not found.",
                       code="appointment_not_found")
    return appt


def _appointment_moved(appt: Appointment, before: str, *, reason: str = "", details: dict | None = None) -> None:
    """The history row of an appointment's change (booked → cancelled / checked in / no-show): an audit entry, as
    the candidate acts by code, without an account."""
    account_services.audit_record(actor=None, action=AuditAction.UPDATE, object_type="queueing.appointment",
                                  object_id=appt.code, reason=reason,
                                  details={"from": before, "to": appt.status, "office": appt.office_id,
                                           **(details or {})})


def appointment_cancel(*, code: str) -> Appointment:
    """Cancel a booking by its confirmation code (frees its place)."""
    with transaction.atomic():
        appt = _appointment_by_code(code)
        if appt.status != AppointmentStatus.BOOKED:
            raise Conflict("Janji temu ini tidak dapat dibatalkan lagi.", "This appointment can no longer be "
                           "cancelled.", code="appointment_not_cancellable", details={"status": appt.status})
        appt.status = AppointmentStatus.CANCELLED
        appt.cancelled_at = timezone.now()
        appt.save(update_fields=["status", "cancelled_at"])
        _appointment_moved(appt, AppointmentStatus.BOOKED)
    return appt


def appointment_check_in(*, code: str, office_code: str, priority: str = Priority.NONE) -> VisitResult:
    """Check in at the kiosk on the booked day: the booking becomes a ticket served in its slot."""
    office = _office(office_code)
    now = timezone.now()
    with transaction.atomic():
        appt = _appointment_by_code(code)
        if appt.office_id != office.code:
            raise Conflict("Janji temu ini untuk kantor lain.", "This appointment is for another office.",
                           code="appointment_other_office")
        if appt.status != AppointmentStatus.BOOKED:
            raise Conflict("Janji temu ini sudah dipakai atau dibatalkan.", "This appointment was already used "
                           "or cancelled.", code="appointment_not_open", details={"status": appt.status})
        if appt.day != local_date(now, office.zone) or now > appt.starts_at + APPOINTMENT_GRACE:
            raise Conflict("Janji temu ini bukan untuk hari ini atau waktunya sudah lewat.",
                           "This appointment is not for today, or its time has passed.", code="appointment_not_now")
        appt.status = AppointmentStatus.CHECKED_IN
        appt.checked_in_at = now
        appt.save(update_fields=["status", "checked_in_at"])
        # A candidate who already took today's ticket by case number or NIK keeps it: visit_start links the
        # appointment to that visit and gives the ticket the slot's place (see _visit_take_appointment).
        if appt.case_number:
            result = visit_start(office_code=office.code, case_number=appt.case_number, priority=priority,
                                 appointment=appt)
        else:
            result = visit_start(office_code=office.code, new_registrant=True, priority=priority, appointment=appt)
        _appointment_moved(appt, AppointmentStatus.BOOKED,
                           details={"visit": result.visit.pk, "existing_visit": result.existing})
    return result


def visits_close_stale(*, now: dt.datetime | None = None) -> int:
    """Visits still open from an earlier day (the candidate left, the office closed) are finished and their
    tickets cancelled, so nothing of yesterday is ever called."""
    now = now or timezone.now()
    closed = 0
    for visit_id, office_id, day in Visit.objects.filter(status=VisitStatus.OPEN).values_list(
            "pk", "office_id", "day"):
        if day >= rules.office_today(office_id, now):
            continue
        with transaction.atomic():
            visit = Visit.objects.select_for_update().filter(pk=visit_id, status=VisitStatus.OPEN).first()
            if visit is not None:
                _close_visit(visit, now=now)
                closed += 1
    return closed


def appointments_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Bookings not checked in by the end of their grace time become no-shows (their place is released)."""
    now = now or timezone.now()
    missed = 0
    with transaction.atomic():
        for appt in Appointment.objects.select_for_update().filter(status=AppointmentStatus.BOOKED,
                                                                   starts_at__lt=now - APPOINTMENT_GRACE):
            appt.status = AppointmentStatus.NO_SHOW
            appt.save(update_fields=["status"])
            _appointment_moved(appt, AppointmentStatus.BOOKED, reason="not checked in by the end of the grace time")
            missed += 1
    return missed
