"""What each rubric criterion measures for an office and month, and the rubric in force: shared by the
classification service and the monitoring pages."""

from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from satuatap.core.errors import NotFound
from satuatap.core.timeutil import ZONES, local_date
from satuatap.crisis.models import Complaint
from satuatap.journey.models import Case, CaseStatus, Event
from satuatap.monitoring.models import OfficeDaily, Rubric
from satuatap.monitoring.rubric import Metric
from satuatap.queueing import selectors as queueing_selectors
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Office

# The eight desks of PP 59/2021 art. 31 (BP3MI runs contract, OPP and card steps but is not one of them).
EIGHT_DESKS = ("DISNAKER", "INFO", "DUKCAPIL", "DINKES", "IMIGRASI", "POLRI", "BANK", "BPJSTK")


def zone_info(zone: str | None = None) -> dt.tzinfo:
    """The tzinfo of an office zone (WIB / WITA / WIT); None = the project zone (WIB)."""
    return ZoneInfo(ZONES.get(zone, zone)) if zone else timezone.get_current_timezone()


def month_bounds(month: dt.date, zone: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes of the first instant of `month` and of the next month, in an office's zone (an office's
    month is its own local month) or, without one, in the project zone: national and province figures are
    counted in WIB days and months."""
    tz = zone_info(zone)
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def month_last_day(month: dt.date) -> dt.date:
    """The last calendar day of `month`."""
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1) - dt.timedelta(days=1)


def rubric_in_force(*, month: dt.date) -> Rubric:
    """The rubric version whose effective month is the latest on or before `month`."""
    rubric = Rubric.objects.filter(effective_month__lte=month.replace(day=1)).order_by("-effective_month",
                                                                                       "-version").first()
    if rubric is None:
        raise NotFound(f"Belum ada rubrik yang berlaku untuk {month:%Y-%m}.", f"No rubric in force for {month:%Y-%m}.",
                       code="rubric_not_found")
    return rubric


def offices_for_classification(*, office_ids: list[str] | None = None) -> QuerySet[Office]:
    qs = Office.objects.filter(is_active=True).prefetch_related("desks").order_by("code")
    return qs.filter(code__in=office_ids) if office_ids else qs


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    holidays = reference_selectors.holiday_dates()
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _queue_wait(office: Office, first: dt.date, last: dt.date) -> Metric:
    """Median queue wait (queued → first call) from the queueing app; not scored while it has no tickets."""
    wait = queueing_selectors.median_wait_s(office_id=office.code, date_from=first, date_to=last)
    if wait is None:
        return Metric(None, "tidak ada data antrean", "no queue data")
    return Metric(round(float(wait)), f"{round(wait / 60, 1)} menit", f"{round(wait / 60, 1)} minutes")


def queue_days(office: Office, first: dt.date, last: dt.date) -> set[dt.date]:
    """Days on which the office's queue issued tickets."""
    rows = queueing_selectors.desk_day_stats(office_ids=[office.code], date_from=first, date_to=last)
    return {r["day"] for r in rows if r["tickets"]}


def office_month_metrics(*, office: Office, month: dt.date, today: dt.date | None = None) -> dict[str, Metric]:
    """What each rubric criterion measures for one office and month (rollups and the office's own rows). The
    month and "today" are the office's own: its days (rollup days, queue days) are local to its zone."""
    today = today or local_date(zone=office.zone)
    month = month.replace(day=1)
    start, end = month_bounds(month, office.zone)
    last_day = month_last_day(month)
    metrics: dict[str, Metric] = {}

    present = {d.pk for d in office.desks.all()} & set(EIGHT_DESKS)
    missing = [code for code in EIGHT_DESKS if code not in present]
    metrics["desks_present"] = Metric(
        float(len(present)),
        "tidak ada: " + ", ".join(missing) if missing else "lengkap",
        "missing: " + ", ".join(missing) if missing else "complete",
    )

    daily = OfficeDaily.objects.filter(office_id=office.code, day__gte=month, day__lte=last_day)
    sums = daily.aggregate(done=Sum("steps_done"), late=Sum("steps_late"))
    done, late = sums["done"] or 0, sums["late"] or 0
    metrics["sla_compliance"] = (
        Metric((done - late) / done, f"{done - late} dari {done} langkah tepat waktu",
               f"{done - late} of {done} steps on time")
        if done else Metric(None, "tidak ada langkah selesai", "no step completed")
    )

    ready = list(
        Event.objects.filter(office_id=office.code, kind="case_status_changed", to_state=CaseStatus.READY_TO_DEPART,
                             created_at__gte=start, created_at__lt=end)
        .values_list("created_at", "case__opened_at")
    )
    if ready:
        days = [(at - opened).total_seconds() / 86400 for at, opened in ready]
        metrics["median_days_to_ready"] = Metric(round(statistics.median(days), 1), f"{len(days)} kasus",
                                                 f"{len(days)} cases")
    else:
        metrics["median_days_to_ready"] = Metric(None, "tidak ada kasus siap berangkat",
                                                 "no case became ready to depart")

    metrics["median_queue_wait"] = _queue_wait(office, month, last_day)

    upto = min(last_day, today)
    working = _working_days(month, upto) if upto >= month else []
    if working:
        # A day counts as open when the journey moved or the queue issued a ticket.
        active = set(daily.filter(events__gt=0).values_list("day", flat=True)) | queue_days(office, month, upto)
        open_days = sum(1 for d in working if d in active)
        metrics["open_days_share"] = Metric(open_days / len(working), f"{open_days} dari {len(working)} hari kerja",
                                            f"{open_days} of {len(working)} working days")
    else:
        metrics["open_days_share"] = Metric(None, "belum ada hari kerja", "no working day yet")

    now = timezone.now()
    complaints = Complaint.objects.filter(
        registered_at__gte=start, registered_at__lt=end,
        matched_worker__isnull=False,
    ).filter(Exists(Case.objects.filter(worker_id=OuterRef("matched_worker_id"), office_id=office.code)))
    on_time = late_c = 0
    for responded, due in complaints.values_list("first_responded_at", "first_response_due_at"):
        if responded is not None and responded <= due:
            on_time += 1
        elif responded is not None or due < now:
            late_c += 1
    total = on_time + late_c
    metrics["complaint_handling"] = (
        Metric(on_time / total, f"{on_time} dari {total} pengaduan", f"{on_time} of {total} complaints")
        if total else Metric(None, "tidak ada pengaduan pekerja kantor ini", "no complaint about this office's workers")
    )
    return metrics


