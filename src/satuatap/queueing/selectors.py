"""Reads of the queue: desk queues, the public board, a ticket's public status, appointment availability and
the per-desk-per-day statistics used by monitoring."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core import signing
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, When
from django.db.models import Case as DjangoCase
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.core.errors import NotFound, PermissionDenied
from satuatap.queueing import rules
from satuatap.queueing.models import (
    HOLDING_APPOINTMENT_STATES,
    Appointment,
    Counter,
    ServiceCapacity,
    Ticket,
    TicketEvent,
    TicketState,
    Visit,
)
from satuatap.reference import selectors as reference_selectors

T = TicketState
TICKET_SALT = "satuatap.queueing.ticket"


# --- statistics (monitoring reads these) ---------------------------------------------------------------

def _tickets_in(office_ids: list[str] | None, date_from: dt.date, date_to: dt.date):
    qs = Ticket.objects.filter(day__gte=date_from, day__lte=date_to)
    if office_ids is not None:
        qs = qs.filter(office_id__in=office_ids)
    return qs


class _PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile of an interval (the same definition as rules.percentile)."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _desk_day_stats_sql(qs) -> list[dict]:
    wait = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
    service = DjangoCase(When(state=T.DONE, then=ExpressionWrapper(F("finished_at") - F("called_at"),
                                                                  output_field=DurationField())),
                         default=None, output_field=DurationField())
    rows = qs.values("office_id", "agency_id", "day").annotate(
        tickets=Count("id"), served=Count("id", filter=Q(state=T.DONE)),
        no_shows=Count("id", filter=Q(state=T.NO_SHOW)), transfers=Count("id", filter=Q(state=T.TRANSFERRED)),
        w50=_PercentileDisc(wait, fraction=0.5), w90=_PercentileDisc(wait, fraction=0.9),
        s50=_PercentileDisc(service, fraction=0.5), s90=_PercentileDisc(service, fraction=0.9),
    ).order_by("office_id", "agency_id", "day")
    return [{
        "office_id": r["office_id"], "agency_id": r["agency_id"], "day": r["day"], "tickets": r["tickets"],
        "served": r["served"], "no_shows": r["no_shows"], "transfers": r["transfers"],
        "wait_p50_s": _seconds(r["w50"]), "wait_p90_s": _seconds(r["w90"]),
        "service_p50_s": _seconds(r["s50"]), "service_p90_s": _seconds(r["s90"]),
    } for r in rows]


def desk_day_stats(*, office_ids: list[str] | None = None, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Per office, desk and local day: tickets queued, served, no-shows, transfers out, and the waiting time
    (queued → first call) and service time (call → done) at p50 / p90 in seconds (None without data).
    Aggregated in the database on PostgreSQL; in Python on SQLite (same nearest-rank percentiles)."""
    qs = _tickets_in(office_ids, date_from, date_to)
    return _desk_day_stats_sql(qs) if connection.vendor == "postgresql" else _desk_day_stats_py(qs)


def _desk_day_stats_py(qs) -> list[dict]:
    rows = qs.values_list(
        "office_id", "agency_id", "day", "state", "queued_at", "called_at", "finished_at")
    groups: dict[tuple[str, str, dt.date], dict] = defaultdict(
        lambda: {"tickets": 0, "served": 0, "no_shows": 0, "transfers": 0, "waits": [], "services": []})
    for office_id, agency_id, day, state, queued_at, called_at, finished_at in rows:
        g = groups[(office_id, agency_id, day)]
        g["tickets"] += 1
        if called_at is not None:
            g["waits"].append((called_at - queued_at).total_seconds())
        if state == T.DONE:
            g["served"] += 1
            if called_at is not None and finished_at is not None:
                g["services"].append((finished_at - called_at).total_seconds())
        elif state == T.NO_SHOW:
            g["no_shows"] += 1
        elif state == T.TRANSFERRED:
            g["transfers"] += 1
    out = []
    for (office_id, agency_id, day), g in sorted(groups.items()):
        out.append({
            "office_id": office_id, "agency_id": agency_id, "day": day,
            "tickets": g["tickets"], "served": g["served"], "no_shows": g["no_shows"], "transfers": g["transfers"],
            "wait_p50_s": rules.percentile(g["waits"], 50), "wait_p90_s": rules.percentile(g["waits"], 90),
            "service_p50_s": rules.percentile(g["services"], 50),
            "service_p90_s": rules.percentile(g["services"], 90),
        })
    return out


def median_wait_s(*, office_id: str, date_from: dt.date, date_to: dt.date) -> float | None:
    """Median waiting time (queued → first call) over every desk of an office in the period."""
    qs = _tickets_in([office_id], date_from, date_to).filter(called_at__isnull=False)
    if connection.vendor == "postgresql":
        wait = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
        return _seconds(qs.aggregate(p50=_PercentileDisc(wait, fraction=0.5))["p50"])
    rows = qs.values_list("queued_at", "called_at")
    return rules.percentile([(c - q).total_seconds() for q, c in rows], 50)


def stats_check_access(*, user: User, office_id: str) -> None:
    """Queue statistics are for the office's head, monitors of its region and admins (never a placement
    company's users, whatever their role)."""
    info = reference_selectors.office_info(office_id)
    if account_selectors.user_is_admin(user) or account_selectors.user_heads_office(user, office_id=office_id):
        return
    if user.is_authenticated and user.role == Role.MONITOR and account_selectors.user_can_read_office(
            user, office_id=office_id, office_region_code=info.regency_code):
        return
    raise PermissionDenied("Statistik antrean hanya untuk kepala kantor dan pemantau.",
                           "Queue statistics are for office heads and monitors.", code="forbidden_queue_stats")


# --- desks and counters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeskLoad:
    agency_id: str
    prefix: str
    waiting: int
    open_counters: int
    expected_wait_s: float


def desk_loads(*, office_id: str) -> list[DeskLoad]:
    """Every desk of the office with its waiting count, open counters and expected wait."""
    info = reference_selectors.office_info(office_id)
    now = timezone.now()
    out = []
    for agency_id in sorted(info.desk_ids, key=lambda a: rules.DESK_PREFIX.get(a, "Z")):
        waiting = rules.waiting(office_id, agency_id).count()
        counters = Counter.objects.filter(office_id=office_id, agency_id=agency_id, officer__isnull=False).count()
        out.append(DeskLoad(agency_id, rules.DESK_PREFIX.get(agency_id, "X"), waiting, counters,
                            rules.expected_wait_s(office_id, agency_id, now=now, open_counters=counters,
                                                  waiting_count=waiting)))
    return out


def counter_of(*, user: User) -> Counter | None:
    return Counter.objects.filter(officer=user).first() if user.is_authenticated else None


def counter_current_ticket(*, counter: Counter) -> Ticket | None:
    return Ticket.objects.select_related("visit", "visit__case").filter(counter=counter, state=T.CALLED).first()


def desk_queue(*, office_id: str, agency_id: str, limit: int = 50) -> list[Ticket]:
    """The waiting tickets of a desk in call order."""
    return list(rules.call_order(rules.waiting(office_id, agency_id), now=timezone.now())
                .select_related("visit")[:limit])


def desk_check_access(*, user: User, office_id: str, agency_id: str) -> None:
    if not account_selectors.user_can_act_for(user, office_id=office_id, agency_id=agency_id):
        raise PermissionDenied("Hanya petugas loket ini.", "Only officers of this desk.",
                               code="forbidden_wrong_desk")


def ticket_get(*, ticket_id: int) -> Ticket:
    ticket = Ticket.objects.select_related("visit", "counter").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Tiket tidak ditemukan.", "Ticket not found.", code="ticket_not_found")
    return ticket


# --- the public board ----------------------------------------------------------------------------------

def last_change(*, office_id: str) -> int:
    """A marker that grows with every queue change of the office (the id of its last queue event)."""
    return TicketEvent.objects.filter(office_id=office_id).order_by("-id").values_list("id", flat=True).first() or 0


def board(*, office_id: str, last: int = 10) -> dict:
    """What the office's display shows: per desk the ticket now being served and where, the last calls
    (recalls included) and the waiting counts. Ticket codes only: no names."""
    info = reference_selectors.office_info(office_id)
    today = rules.local_now(info.zone).date()
    serving = {}
    for t in Ticket.objects.filter(office_id=office_id, state=T.CALLED, day=today).select_related(
            "counter").order_by("called_at"):
        serving.setdefault(t.agency_id, []).append({"ticket": t.code, "counter": t.counter.label if t.counter else ""})
    calls = []
    start_of_day = dt.datetime.combine(today, dt.time(0, 0), tzinfo=rules.zone_info(info.zone))
    for e in TicketEvent.objects.filter(office_id=office_id, kind__in=["called", "recalled"],
                                        created_at__gte=start_of_day).select_related(
            "ticket", "counter").order_by("-id")[:last]:
        calls.append({"id": e.pk, "ticket": e.ticket.code, "agency": e.agency_id,
                      "counter": e.counter.label if e.counter else "", "at": e.created_at.isoformat(),
                      "recall": e.kind == "recalled"})
    desks = []
    for load in desk_loads(office_id=office_id):
        desks.append({"agency": load.agency_id, "prefix": load.prefix, "serving": serving.get(load.agency_id, []),
                      "waiting": load.waiting})
    return {"office": office_id, "office_name": info.name, "version": last_change(office_id=office_id),
            "desks": desks, "calls": calls}


# --- a ticket's public status (slip QR) ----------------------------------------------------------------

def ticket_token(*, visit: Visit) -> str:
    return signing.dumps({"v": visit.pk}, salt=TICKET_SALT, compress=True)


def visit_by_token(*, token: str) -> Visit:
    try:
        data = signing.loads(token, salt=TICKET_SALT, max_age=dt.timedelta(days=2))
    except signing.BadSignature:
        raise NotFound("Tiket tidak ditemukan.", "Ticket not found.", code="ticket_not_found") from None
    visit = Visit.objects.select_related("case").filter(pk=data.get("v")).first()
    if visit is None:
        raise NotFound("Tiket tidak ditemukan.", "Ticket not found.", code="ticket_not_found")
    return visit


@dataclass(frozen=True)
class VisitView:
    visit: Visit
    ticket: Ticket | None
    ahead: int
    expected_wait_s: float
    history: list[Ticket]


def visit_view(*, visit: Visit) -> VisitView:
    """Where the candidate is to go now, how many are ahead, and the desks already done on this visit."""
    tickets = list(visit.tickets.select_related("counter").order_by("queued_at", "id"))
    active = next((t for t in tickets if t.state in (T.WAITING, T.CALLED)), None)
    ahead = 0
    wait = 0.0
    if active is not None and active.state == T.WAITING:
        order = list(rules.call_order(rules.waiting(active.office_id, active.agency_id), now=timezone.now())
                     .values_list("pk", flat=True))
        ahead = order.index(active.pk) if active.pk in order else 0
        counters = Counter.objects.filter(office_id=active.office_id, agency_id=active.agency_id,
                                          officer__isnull=False).count()
        wait = rules.expected_wait_s(active.office_id, active.agency_id, now=timezone.now(), open_counters=counters,
                                     waiting_count=ahead)
    return VisitView(visit, active, ahead, wait, [t for t in tickets if t is not active])


# --- appointments --------------------------------------------------------------------------------------

def appointment_get(*, code: str) -> Appointment:
    appt = Appointment.objects.filter(code=(code or "").strip().upper()).first()
    if appt is None:
        raise NotFound("Kode janji temu tidak ditemukan.", "Appointment code not found.",
                       code="appointment_not_found")
    return appt


def appointment_slots(*, office_id: str, agency_id: str, day: dt.date) -> list[dict]:
    """Free places per slot of a day for one service (empty when the office is closed or it is a holiday)."""
    info = reference_selectors.office_info(office_id)
    hours = rules.opening_hours(office_id, day)
    if hours is None or day in reference_selectors.holiday_dates() or agency_id not in info.desk_ids:
        return []
    cap = ServiceCapacity.objects.filter(office_id=office_id, agency_id=agency_id).values_list(
        "daily_capacity", flat=True).first() or rules.DEFAULT_DAILY_CAPACITY
    slots = rules.slots_of(hours)
    per_slot = rules.slot_capacity(cap, len(slots))
    held = list(Appointment.objects.filter(office_id=office_id, agency_id=agency_id, day=day,
                                           status__in=HOLDING_APPOINTMENT_STATES).values_list("slot", flat=True))
    day_left = max(0, cap - len(held))
    now = timezone.now()
    tz = rules.zone_info(info.zone)
    out = []
    for s in slots:
        free = min(day_left, max(0, per_slot - held.count(s)))
        if dt.datetime.combine(day, s, tzinfo=tz) <= now:
            free = 0
        out.append({"slot": s, "free": free})
    return out
