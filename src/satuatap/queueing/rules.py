"""Queue rules shared by services and selectors: desk prefixes, call order, expected waits, percentiles,
opening hours and appointment slots."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from satuatap.core.timeutil import ZONES, local_date
from satuatap.queueing.models import OpeningHours, Priority, Ticket, TicketState
from satuatap.reference import selectors as reference_selectors

# One letter per desk on the slip and the board (the number after it is the visit's number of the day).
DESK_PREFIX = {
    "DISNAKER": "A", "INFO": "B", "DUKCAPIL": "C", "DINKES": "D", "IMIGRASI": "E",
    "POLRI": "F", "BANK": "G", "BPJSTK": "H", "BP3MI": "J",
}
# A candidate with no case yet starts at the manpower desk (registration).
REGISTRATION_DESK = "DISNAKER"
# Service time assumed for a desk before it has served anyone this week.
DEFAULT_SERVICE_S = 300.0
# Recalls before a ticket may be marked as a no-show.
NO_SHOW_AFTER_RECALLS = getattr(settings, "QUEUE_NO_SHOW_AFTER_RECALLS", 2)
DEFAULT_OPENING = (dt.time(8, 0), dt.time(15, 0))
SLOT_MINUTES = 30
DEFAULT_DAILY_CAPACITY = 20
# Checked-in appointments are served first from this long before their slot.
APPOINTMENT_EARLY = dt.timedelta(minutes=10)


def ticket_code(agency_id: str, number: int) -> str:
    return f"{DESK_PREFIX.get(agency_id, 'X')}-{number:03d}"


def is_priority(priority: str) -> bool:
    return priority not in ("", Priority.NONE)


def call_order(qs: QuerySet[Ticket], *, now: dt.datetime) -> QuerySet[Ticket]:
    """Waiting tickets in call order: checked-in appointments whose slot has come (by slot), then priority
    categories, then the visit's original arrival."""
    rank = When_(
        When(appointment_at__lte=now + APPOINTMENT_EARLY, then=Value(0)),
        When(priority=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(call_rank=rank).order_by("call_rank", "appointment_at", "arrived_at", "id")


def office_today(office_id: str, now: dt.datetime | None = None) -> dt.date:
    """Today in the office's own zone (WIB, WITA or WIT)."""
    return local_date(now or timezone.now(), reference_selectors.office_info(office_id).zone)


def waiting(office_id: str, agency_id: str) -> QuerySet[Ticket]:
    """Today's waiting tickets of a desk (a ticket left over from an earlier day is never called)."""
    return Ticket.objects.filter(office_id=office_id, agency_id=agency_id, state=TicketState.WAITING,
                                 day=office_today(office_id))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def service_seconds(office_id: str, agency_id: str, *, now: dt.datetime) -> float:
    """Median service time of the desk over the last 7 days (the default before anyone was served)."""
    rows = Ticket.objects.filter(
        office_id=office_id, agency_id=agency_id, state=TicketState.DONE,
        finished_at__gte=now - dt.timedelta(days=7), called_at__isnull=False,
    ).order_by("-finished_at").values_list("called_at", "finished_at")[:200]
    spans = [(f - c).total_seconds() for c, f in rows]
    return percentile(spans, 50) or DEFAULT_SERVICE_S


def expected_wait_s(office_id: str, agency_id: str, *, now: dt.datetime, open_counters: int,
                    waiting_count: int | None = None) -> float:
    """People waiting at the desk, times its median service time, divided by its open counters (at least one)."""
    count = waiting(office_id, agency_id).count() if waiting_count is None else waiting_count
    return count * service_seconds(office_id, agency_id, now=now) / max(1, open_counters)


def zone_info(zone: str) -> ZoneInfo:
    return ZoneInfo(ZONES.get(zone or "WIB", "Asia/Jakarta"))


def local_now(zone: str, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(zone_info(zone))


def opening_hours(office_id: str, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """(opens, closes) of an office on a weekday; None when closed. Holidays are checked by the caller."""
    rows = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.filter(office_id=office_id)}
    if rows:
        return rows.get(day.weekday())
    return DEFAULT_OPENING if day.weekday() < 5 else None


def slots_of(hours: tuple[dt.time, dt.time]) -> list[dt.time]:
    opens, closes = hours
    start = dt.datetime.combine(dt.date(2000, 1, 1), opens)
    end = dt.datetime.combine(dt.date(2000, 1, 1), closes)
    out = []
    while start + dt.timedelta(minutes=SLOT_MINUTES) <= end:
        out.append(start.time())
        start += dt.timedelta(minutes=SLOT_MINUTES)
    return out


def slot_capacity(daily: int, n_slots: int) -> int:
    """Per-slot share of the daily capacity, so bookings spread over the day."""
    return max(1, math.ceil(daily / max(1, n_slots)))


def active_ticket_q() -> Q:
    return Q(state__in=[TicketState.WAITING, TicketState.CALLED])
