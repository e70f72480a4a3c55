"""Demo queue for the demo offices: a week of served tickets (for the statistics), today's visits waiting and
being served at open counters, and a few appointments for the next working day. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from satuatap.accounts.models import User
from satuatap.core.errors import ApplicationError
from satuatap.core.timeutil import local_date
from satuatap.journey.models import Case, CaseStatus, Step, StepState
from satuatap.queueing import rules, services
from satuatap.queueing.models import Appointment, DayCounter, Priority, Ticket, TicketEvent, TicketState, Visit
from satuatap.reference import selectors as reference_selectors

HISTORY_DESKS = ("DISNAKER", "DUKCAPIL", "DINKES", "POLRI", "BPJSTK", "BP3MI")


def _history(office_code: str, today: dt.date, rng: random.Random) -> int:
    """Six past days of finished tickets, written directly (they happened before the system ran)."""
    if Ticket.objects.filter(office_id=office_code, day__lt=today).exists():
        return 0
    info = reference_selectors.office_info(office_code)
    tz = rules.zone_info(info.zone)
    made = 0
    for back in range(1, 7):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        number = 0
        for agency in (a for a in HISTORY_DESKS if a in info.desk_ids):
            for _ in range(rng.randint(6, 14)):
                number += 1
                arrived = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz) + dt.timedelta(
                    minutes=rng.randint(0, 360))
                called = arrived + dt.timedelta(seconds=rng.randint(120, 2400))
                finished = called + dt.timedelta(seconds=rng.randint(180, 900))
                state = rng.choices([TicketState.DONE, TicketState.NO_SHOW, TicketState.TRANSFERRED],
                                    [90, 6, 4])[0]
                visit = Visit.objects.create(office_id=office_code, day=day, number=number, arrived_at=arrived,
                                             status="finished" if state != TicketState.NO_SHOW else "no_show",
                                             finished_at=finished)
                ticket = Ticket.objects.create(
                    visit=visit, office_id=office_code, agency_id=agency, day=day,
                    code=rules.ticket_code(agency, number), state=state, arrived_at=arrived, queued_at=arrived,
                    called_at=called, finished_at=finished, recalls=2 if state == TicketState.NO_SHOW else 0)
                TicketEvent.objects.create(ticket=ticket, visit=visit, office_id=office_code, agency_id=agency,
                                           kind=state, from_state=TicketState.CALLED, to_state=state,
                                           created_at=finished)
                made += 1
        DayCounter.objects.update_or_create(office_id=office_code, day=day, defaults={"last": number})
    return made


def _today(office_code: str, today: dt.date, rng: random.Random) -> int:
    if Visit.objects.filter(office_id=office_code, day=today).exists():
        return 0
    prefix = office_code.split("-", 1)[1].lower()
    officers = {a: User.objects.filter(username=f"{prefix}.{a.lower()}").first() for a in ("DISNAKER", "DINKES")}
    for officer in officers.values():
        if officer is not None and services.counter_of_officer(officer) is None:
            services.counter_open(actor=officer, label="1")
    ready_cases = (Case.objects.filter(office_id=office_code, status=CaseStatus.OPEN)
                   .filter(pk__in=Step.objects.filter(state=StepState.READY).values("case_id"))
                   .order_by("pk").values_list("number", flat=True)[:8])
    made = 0
    for i, number in enumerate(ready_cases):
        try:
            services.visit_start(office_code=office_code, case_number=number,
                                 priority=Priority.ELDERLY if i == 3 else Priority.NONE)
            made += 1
        except ApplicationError:
            continue
    for _ in range(2):
        services.visit_start(office_code=office_code, new_registrant=True)
        made += 1
    for officer in officers.values():
        if officer is not None:
            with contextlib.suppress(ApplicationError):
                services.call_next(actor=officer)
    return made


def _appointments(office_code: str, today: dt.date) -> int:
    day = reference_selectors.working_days_add(today, 1)
    if Appointment.objects.filter(office_id=office_code, day=day).exists():
        return 0
    made = 0
    for agency, slot in (("DISNAKER", dt.time(8, 30)), ("DINKES", dt.time(9, 0)), ("DUKCAPIL", dt.time(10, 0))):
        try:
            services.appointment_book(office_code=office_code, agency_id=agency, day=day, slot=slot)
            made += 1
        except ApplicationError:
            continue
    return made


def queue_demo(*, office_codes: tuple[str, ...] = ("LTSA-IDM", "LTSA-SBY"), seed: int = 7) -> dict[str, int]:
    """Seed the demo queue; returns what was made per part."""
    rng = random.Random(seed)
    out = {"history_tickets": 0, "today_visits": 0, "appointments": 0}
    for code in office_codes:
        info = reference_selectors.office_info(code)
        today = local_date(timezone.now(), info.zone)
        with transaction.atomic():
            out["history_tickets"] += _history(code, today, rng)
        out["today_visits"] += _today(code, today, rng)
        out["appointments"] += _appointments(code, today)
    return out
