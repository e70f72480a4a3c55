"""Queue API (/api/v1/queue/).

- Counters (desk officers of the desk, session or bearer token): `GET counter`, `POST counter/open`,
  `counter/close`, `counter/call-next`, `tickets/{id}/recall|no-show|transfer|done`.
- Public, per office: `POST offices/{office}/tickets` (kiosk: case number, NIK or new registrant; answers only
  the ticket and the desk), `GET offices/{office}/board` (the display's polling fallback of its event stream),
  appointment slots, booking, check-in and cancelling (rate-limited per client).
- `GET offices/{office}/stats` per desk and day (office head, monitors of the region, admins).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Field, Router, Schema

from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import ValidationFailed
from satuatap.queueing import ratelimit, selectors, services
from satuatap.queueing.models import Appointment, Counter, Priority, Ticket
from satuatap.reference import selectors as reference_selectors

router = Router(tags=["queueing"])




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
          429: ErrorOut}


class TicketOut(Schema):
    id: int
    code: str
    desk: str = Field(description="agency code of the desk whose queue the ticket is in")
    state: str
    priority: bool
    counter: str | None = None
    arrived_at: dt.datetime
    queued_at: dt.datetime
    called_at: dt.datetime | None = None
    recalls: int


def _ticket(t: Ticket | None) -> dict | None:
    if t is None:
        return None
    return {"id": t.pk, "code": t.code, "desk": t.agency_id, "state": t.state, "priority": t.priority,
            "counter": t.counter.label if t.counter_id and t.counter else None, "arrived_at": t.arrived_at,
            "queued_at": t.queued_at, "called_at": t.called_at, "recalls": t.recalls}


class CounterOut(Schema):
    office: str
    desk: str
    label: str
    current: TicketOut | None = None
    waiting: list[TicketOut]


def _counter(c: Counter) -> dict:
    return {"office": c.office_id, "desk": c.agency_id, "label": c.label,
            "current": _ticket(selectors.counter_current_ticket(counter=c)),
            "waiting": [_ticket(t) for t in selectors.desk_queue(office_id=c.office_id, agency_id=c.agency_id)]}


class CounterOpenIn(Schema):
    label: str = Field("1", max_length=10, description="the counter's number or name at the desk")


class CallOut(Schema):
    ticket: TicketOut | None = Field(description="null when nobody is waiting")


class TransferIn(Schema):
    to: str = Field(max_length=10, description="agency code of the desk to send the candidate to")
    reason: str = Field(max_length=500)


class DoneIn(Schema):
    case_number: str = Field("", max_length=32, description="links a new registrant's visit to the case just opened")


class DoneOut(Schema):
    ticket: TicketOut
    next: TicketOut | None = Field(description="the ticket at the next desk; null when the visit is finished")


@router.get("/counter", response={200: CounterOut | None, **ERRORS}, summary="My open counter and its queue")
def counter_get(request):
    c = selectors.counter_of(user=request.auth)
    return _counter(c) if c is not None else None


@router.post("/counter/open", response={200: CounterOut, **ERRORS}, summary="Sit at a counter of my desk")
def counter_open(request, payload: CounterOpenIn):
    return _counter(services.counter_open(actor=request.auth, label=payload.label))


@router.post("/counter/close", response={204: None, **ERRORS}, summary="Leave my counter")
def counter_close(request):
    services.counter_close(actor=request.auth)
    return 204, None


@router.post("/counter/call-next", response={200: CallOut, **ERRORS}, summary="Call the next ticket of my desk")
def call_next(request):
    return {"ticket": _ticket(services.call_next(actor=request.auth))}


@router.post("/tickets/{ticket_id}/recall", response={200: TicketOut, **ERRORS}, summary="Call again")
def recall(request, ticket_id: int):
    return _ticket(services.ticket_recall(actor=request.auth, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/no-show", response={200: TicketOut, **ERRORS},
             summary="Mark a no-show (after the recalls)")
def no_show(request, ticket_id: int):
    return _ticket(services.ticket_no_show(actor=request.auth, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/transfer", response={200: TicketOut, **ERRORS},
             summary="Send to another desk, with a reason; returns the new ticket")
def transfer(request, ticket_id: int, payload: TransferIn):
    return _ticket(services.ticket_transfer(actor=request.auth, ticket_id=ticket_id, to_agency=payload.to,
                                            reason=payload.reason))


@router.post("/tickets/{ticket_id}/done", response={200: DoneOut, **ERRORS},
             summary="Done at this desk: the visit goes to the next desk with a ready step")
def done(request, ticket_id: int, payload: DoneIn):
    result = services.ticket_done(actor=request.auth, ticket_id=ticket_id, case_number=payload.case_number)
    return {"ticket": _ticket(result.ticket), "next": _ticket(result.next_ticket)}


# --- public: kiosk, board, appointments ----------------------------------------------------------------

class KioskIn(Schema):
    case_number: str = Field("", max_length=32)
    nik: str = Field("", max_length=20)
    new_registrant: bool = False
    priority: Priority = Priority.NONE


class KioskOut(Schema):
    code: str
    desk: str
    desk_name: str
    desk_name_en: str
    existing: bool = Field(description="the candidate already held this ticket")
    status_url: str = Field(description="the ticket's public status page (also in the slip's QR code)")
    slip_pdf_url: str


def _kiosk_out(result: services.VisitResult) -> dict:
    t = result.ticket
    agency = reference_selectors.agency_get(code=t.agency_id)
    token = selectors.ticket_token(visit=result.visit)
    return {"code": t.code, "desk": t.agency_id, "desk_name": agency.desk_id, "desk_name_en": agency.desk_en,
            "existing": result.existing,
            "status_url": reverse("queueing:ticket", kwargs={"token": token}),
            "slip_pdf_url": reverse("queueing:ticket_pdf", kwargs={"token": token})}


@router.post("/offices/{office}/tickets", auth=None, response={201: KioskOut, 200: KioskOut, **ERRORS},
             summary="Kiosk: take a ticket (public; shows no personal data)")
def kiosk_ticket(request, office: str, payload: KioskIn):
    ratelimit.check(request, "kiosk")
    result = ratelimit.lookup_guarded(request, lambda: services.visit_start(
        office_code=office, case_number=payload.case_number, nik=payload.nik,
        new_registrant=payload.new_registrant, priority=payload.priority))
    return (200 if result.existing else 201), _kiosk_out(result)


class BoardCallOut(Schema):
    id: int
    ticket: str
    agency: str
    counter: str
    at: str
    recall: bool


class ServingOut(Schema):
    ticket: str
    counter: str


class BoardDeskOut(Schema):
    agency: str
    prefix: str
    serving: list[ServingOut]
    waiting: int


class BoardOut(Schema):
    office: str
    office_name: str
    version: int
    desks: list[BoardDeskOut]
    calls: list[BoardCallOut]


@router.get("/offices/{office}/board", auth=None, response={200: BoardOut, **ERRORS},
            summary="The public display: now serving per desk and the last calls")
def board(request, office: str):
    return selectors.board(office_id=office.upper())


class SlotOut(Schema):
    slot: dt.time
    free: int


@router.get("/offices/{office}/slots", auth=None, response={200: list[SlotOut], **ERRORS},
            summary="Free appointment places per slot of a day for one service")
def slots(request, office: str, service: str, day: dt.date):
    return selectors.appointment_slots(office_id=office.upper(), agency_id=service.upper(), day=day)


class BookIn(Schema):
    service: str = Field(max_length=10, description="agency code of the desk")
    day: dt.date
    slot: dt.time
    case_number: str = Field("", max_length=32)


class AppointmentOut(Schema):
    code: str
    office: str
    service: str
    day: dt.date
    slot: dt.time
    status: str


def _appt(a: Appointment) -> dict:
    return {"code": a.code, "office": a.office_id, "service": a.agency_id, "day": a.day,
            "slot": a.slot, "status": a.status}


@router.post("/offices/{office}/appointments", auth=None, response={201: AppointmentOut, **ERRORS},
             summary="Book an appointment (public, rate-limited); keep the code")
def book(request, office: str, payload: BookIn):
    ratelimit.check(request, "book")
    return 201, _appt(services.appointment_book(office_code=office, agency_id=payload.service, day=payload.day,
                                                slot=payload.slot, case_number=payload.case_number))


@router.get("/appointments/{code}", auth=None, response={200: AppointmentOut, **ERRORS},
            summary="An appointment by its confirmation code")
def appointment(request, code: str):
    ratelimit.check(request, "appointment")
    return _appt(selectors.appointment_get(code=code))


@router.post("/appointments/{code}/cancel", auth=None, response={200: AppointmentOut, **ERRORS},
             summary="Cancel an appointment")
def appointment_cancel(request, code: str):
    ratelimit.check(request, "appointment")
    return _appt(services.appointment_cancel(code=code))


class CheckInIn(Schema):
    code: str = Field(max_length=12)
    priority: Priority = Priority.NONE


@router.post("/offices/{office}/check-in", auth=None, response={200: KioskOut, **ERRORS},
             summary="Kiosk: check in an appointment; it becomes a ticket served in its slot")
def check_in(request, office: str, payload: CheckInIn):
    ratelimit.check(request, "kiosk")
    return _kiosk_out(ratelimit.lookup_guarded(request, lambda: services.appointment_check_in(
        code=payload.code, office_code=office, priority=payload.priority)))


class StatsRowOut(Schema):
    office_id: str
    agency_id: str
    day: dt.date
    tickets: int
    served: int
    no_shows: int
    transfers: int
    wait_p50_s: float | None
    wait_p90_s: float | None
    service_p50_s: float | None
    service_p90_s: float | None


@router.get("/offices/{office}/stats", response={200: list[StatsRowOut], **ERRORS},
            summary="Per desk and day: tickets, waits and service times (p50/p90), no-shows, transfers")
def stats(request, office: str, date_from: dt.date, date_to: dt.date):
    office = office.upper()
    selectors.stats_check_access(user=request.auth, office_id=office)
    if date_to < date_from or (date_to - date_from).days > 366:
        raise ValidationFailed("Rentang tanggal tidak valid (paling lama satu tahun).",
                               "Invalid date range (at most one year).", code="date_range_invalid")
    return selectors.desk_day_stats(office_ids=[office], date_from=date_from, date_to=date_to)
