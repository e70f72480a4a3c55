"""Reads of monitoring: the rubric in force, the measurements behind an office's class, the office head's
dashboard and the province / national statistics (from the rollups, or directly from the raw tables for the
equality tests, the benchmark and narrow scopes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role, User
from satuatap.cards.models import Abroad, AbroadStatus, AttemptOutcome, DepartureAttempt
from satuatap.core.errors import NotFound, PermissionDenied, ValidationFailed
from satuatap.core.timeutil import local_date
from satuatap.crisis.constants import Category
from satuatap.journey.models import Case, CaseStatus, Event, Step, StepState
from satuatap.monitoring.measures import (  # noqa: F401  (re-exported for the pages and tests)
    EIGHT_DESKS,
    _working_days,
    month_bounds,
    office_month_metrics,
    offices_for_classification,
    rubric_in_force,
    zone_info,
)
from satuatap.monitoring.models import (
    ComplaintMonthly,
    OfficeClassification,
    OfficeDaily,
    PlacementMonthly,
    PlacementYearly,
    RegionMonthly,
    Rubric,
)
from satuatap.placement.models import Company, JobOrderLink, JobTitle
from satuatap.queueing import selectors as queueing_selectors
from satuatap.reference.models import Agency, Country, Office, Region

OPEN_STATES = (StepState.READY, StepState.IN_PROGRESS)


# --- time ----------------------------------------------------------------------------------------------------

def _day_bounds(first: dt.date, last: dt.date, zone: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `first` and of the day after `last` in an office's zone (None = WIB)."""
    tz = zone_info(zone)
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of a list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


# --- access --------------------------------------------------------------------------------------------------

def _forbidden() -> PermissionDenied:
    return PermissionDenied("Anda tidak berwenang melihat pemantauan ini.", "You may not see this monitoring view.",
                            code="forbidden_monitoring")


def user_sees_monitoring(user: User) -> bool:
    """Office heads (their office), monitors (their region) and admins; desk officers see nothing here, nor
    placement companies' users whatever their role."""
    return bool(user.is_authenticated and user.is_active and not account_selectors.user_is_company_user(user)
                and (user.role in (Role.OFFICE_HEAD, Role.MONITOR) or account_selectors.user_is_admin(user)))


def user_sees_statistics(user: User) -> bool:
    """Province and national statistics: monitors and admins (never a placement company's user)."""
    return bool(user.is_authenticated and user.is_active and not account_selectors.user_is_company_user(user)
                and (user.role == Role.MONITOR or account_selectors.user_is_admin(user)))


def user_region_scope(user: User) -> str | None:
    """The region code prefix a user's statistics are limited to; None = national."""
    if account_selectors.user_is_admin(user):
        return None
    return user.region_id


def office_for_user(*, user: User, office_code: str | None = None) -> Office:
    """The office a dashboard shows: the head's own; for monitors and admins the one asked (in scope)."""
    if not user_sees_monitoring(user):
        raise _forbidden()
    code = office_code or user.office_id
    if not code and user.role != Role.OFFICE_HEAD:
        first = offices_in_scope(user=user).first()  # monitors and admins start at the first office in scope
        code = first.code if first else None
    if not code:
        raise NotFound("Pilih kantor.", "Choose an office.", code="office_required")
    office = Office.objects.select_related("regency").filter(code=code).first()
    if office is None:
        raise NotFound(f"Kantor {code} tidak ditemukan.", f"Office {code} not found.", code="office_not_found")
    if user.role == Role.OFFICE_HEAD and user.office_id != office.code:
        raise _forbidden()
    if not account_selectors.user_can_read_office(user, office_id=office.code, office_region_code=office.regency_id):
        raise _forbidden()
    return office


def offices_in_scope(*, user: User) -> QuerySet[Office]:
    if not user_sees_monitoring(user):
        return Office.objects.none()
    qs = Office.objects.filter(is_active=True).select_related("regency").order_by("code")
    if user.role == Role.OFFICE_HEAD and not account_selectors.user_is_admin(user):
        return qs.filter(code=user.office_id)
    scope = user_region_scope(user)
    return qs if scope is None else qs.filter(regency__code__startswith=scope)


# --- rubric and classification -------------------------------------------------------------------------------

def rubrics_list() -> QuerySet[Rubric]:
    return Rubric.objects.order_by("-effective_month", "-version")


def classifications_for_office(*, user: User, office: Office) -> QuerySet[OfficeClassification]:
    """An office's classification history, newest month first."""
    office_for_user(user=user, office_code=office.code)
    return OfficeClassification.objects.filter(office=office).select_related("rubric").order_by("-month")


def classification_ranking(*, user: User, month: dt.date) -> list[OfficeClassification]:
    """Offices in the user's scope for one month, best score first (unclassified last)."""
    offices = offices_in_scope(user=user)
    rows = list(OfficeClassification.objects.filter(month=month.replace(day=1), office__in=offices)
                .select_related("office", "office__regency", "rubric"))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.office_id))
    return rows


def classification_months() -> list[dt.date]:
    return list(OfficeClassification.objects.order_by("-month").values_list("month", flat=True).distinct()[:36])


# --- office dashboard ----------------------------------------------------------------------------------------

@dataclass
class StepTiming:
    code: str
    completed: int
    p50_h: float | None
    p90_h: float | None
    open: int = 0
    overdue: int = 0


@dataclass
class OfficeDashboard:
    office: Office
    today: dt.date
    window_days: int
    today_counts: dict[str, int]
    steps: list[StepTiming]
    late_completed: int
    completed: int
    overdue_total: int
    backlog_total: int
    stuck_days: int
    stuck: list[dict[str, Any]]
    stuck_total: int
    daily: list[dict[str, Any]]
    queue: dict[str, Any] | None
    stopped: dict[str, Any] | None
    latest_class: OfficeClassification | None = None
    desks: list[dict[str, Any]] = field(default_factory=list)
    tzname: str = "Asia/Jakarta"  # the office's zone, for times shown on its dashboard


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _queue_today(office: Office, today: dt.date) -> dict[str, Any] | None:
    """Tickets of the day per desk from the queueing app; None while the office's queue has no tickets."""
    rows = queueing_selectors.desk_day_stats(office_ids=[office.code], date_from=today, date_to=today)
    if not rows:
        return None
    names = {a.code: a for a in Agency.objects.filter(code__in=[r["agency_id"] for r in rows])}
    desks = []
    for r in rows:
        agency = names.get(r["agency_id"])
        desks.append({
            "agency_id": r["agency_id"], "name": agency.desk_id if agency else r["agency_id"],
            "name_en": agency.desk_en if agency else r["agency_id"], "tickets": r["tickets"], "served": r["served"],
            "no_shows": r["no_shows"], "transfers": r["transfers"],
            "waiting": max(0, r["tickets"] - r["served"] - r["no_shows"] - r["transfers"]),
            "wait_p50_min": _minutes(r["wait_p50_s"]), "wait_p90_min": _minutes(r["wait_p90_s"]),
            "service_p50_min": _minutes(r["service_p50_s"]), "service_p90_min": _minutes(r["service_p90_s"]),
        })
    return {"desks": desks, "tickets": sum(d["tickets"] for d in desks), "served": sum(d["served"] for d in desks)}


def _stopped_attempts(office: Office, first: dt.date, last: dt.date) -> dict[str, Any] | None:
    """Departure attempts stopped at a checkpoint for cases of this office (cards app), by reason; None when
    no checkpoint has recorded any attempt yet."""
    if not DepartureAttempt.objects.exists():
        return None
    qs = DepartureAttempt.objects.filter(outcome=AttemptOutcome.STOPPED, case__office_id=office.code,
                                         occurred_on__gte=first, occurred_on__lte=last)
    by_reason = dict(qs.values_list("reason").annotate(n=Count("id")).order_by("-n"))
    return {"total": sum(by_reason.values()), "by_reason": by_reason}


def office_dashboard(*, user: User, office_code: str | None = None, today: dt.date | None = None,
                     window_days: int = 30, stuck_days: int = 14, now: dt.datetime | None = None) -> OfficeDashboard:
    """The office head's day: today's work, service time per step (median, p90), SLA breaches, backlog by
    step, cases stuck longer than `stuck_days`, and the queue / checkpoint figures when those apps have data.
    Days are the office's own (its zone: WIB, WITA or WIT); `today` defaults to the office's date at `now`."""
    office = office_for_user(user=user, office_code=office_code)
    now = now or timezone.now()
    with _short_queries():
        return _office_dashboard(office, today or local_date(now, office.zone), window_days, stuck_days, now)


def _office_dashboard(office: Office, today: dt.date, window_days: int, stuck_days: int,
                      now: dt.datetime) -> OfficeDashboard:
    first = today - dt.timedelta(days=window_days - 1)
    t0, t1 = _day_bounds(today, today, office.zone)
    events_today = Event.objects.filter(office_id=office.code, created_at__gte=t0, created_at__lt=t1)
    today_counts = events_today.aggregate(
        registered=Count("id", filter=Q(kind="case_opened")),
        steps_done=Count("id", filter=Q(kind="step_completed")),
        departed=Count("id", filter=Q(kind="case_status_changed", to_state=CaseStatus.DEPARTED)),
        events=Count("id"),
    )
    w0, _ = _day_bounds(first, today, office.zone)
    timings: dict[str, list[float]] = defaultdict(list)
    # Completions of the window come from the events (indexed by time), not from a scan of the office's steps.
    for code, ready_at, completed_at in Event.objects.filter(
        office_id=office.code, kind="step_completed", created_at__gte=w0, created_at__lt=t1,
        step__ready_at__isnull=False,
    ).values_list("step__code", "step__ready_at", "created_at"):
        timings[code].append(max(0.0, (completed_at - ready_at).total_seconds() / 3600))
    open_rows = (
        Step.objects.filter(case__office_id=office.code, state__in=OPEN_STATES,
                            case__status__in=(CaseStatus.OPEN, CaseStatus.READY_TO_DEPART))
        .values("code")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    )
    backlog = {r["code"]: (r["n"], r["overdue"]) for r in open_rows}
    order = {code: i for i, code in enumerate(
        ["REG", "SEL", "MED", "CERT", "PA", "SKCK", "PASS", "BPJS", "BANK", "VISA", "PK", "OPP", "CARD", "DEP"])}
    steps = []
    for code in sorted(set(timings) | set(backlog), key=lambda c: (order.get(c, 99), c)):
        values = timings.get(code, [])
        n_open, n_over = backlog.get(code, (0, 0))
        p50, p90 = _percentile(values, 50), _percentile(values, 90)
        steps.append(StepTiming(code, len(values), None if p50 is None else round(p50, 1),
                                None if p90 is None else round(p90, 1), n_open, n_over))
    daily_rows = list(OfficeDaily.objects.filter(office_id=office.code, day__gte=first, day__lte=today)
                      .order_by("day").values("day", "registered", "steps_done", "steps_late", "departed"))
    by_day = {r["day"]: r for r in daily_rows}
    daily = []
    for i in range(window_days):
        d = first + dt.timedelta(days=i)
        r = by_day.get(d, {})
        daily.append({"day": d, "registered": r.get("registered", 0), "steps_done": r.get("steps_done", 0),
                      "steps_late": r.get("steps_late", 0), "departed": r.get("departed", 0)})
    # Stuck: no change for `stuck_days` whole days (24-hour periods) before `now`, the same length in every zone.
    cutoff = now - dt.timedelta(days=stuck_days)
    stuck_qs = (Case.objects.filter(office_id=office.code, status=CaseStatus.OPEN, updated_at__lt=cutoff)
                .order_by("updated_at"))
    stuck_cases = list(stuck_qs[:50])
    open_codes: dict[int, list[str]] = defaultdict(list)
    for case_id, code in Step.objects.filter(case_id__in=[c.pk for c in stuck_cases], state__in=OPEN_STATES
                                             ).order_by("sort_order").values_list("case_id", "code"):
        open_codes[case_id].append(code)
    stuck = [{"number": c.number, "updated_at": c.updated_at, "days": (now - c.updated_at).days,
              "open_steps": open_codes[c.pk]} for c in stuck_cases]
    latest = OfficeClassification.objects.filter(office=office).select_related("rubric").order_by("-month").first()
    desk_ids = {d.pk for d in office.desks.all()}
    desks = [{"code": a.code, "name": a.desk_id, "name_en": a.desk_en, "present": a.code in desk_ids}
             for a in Agency.objects.filter(code__in=EIGHT_DESKS).order_by("sort_order")]
    return OfficeDashboard(
        office=office, today=today, window_days=window_days, today_counts=today_counts, steps=steps,
        late_completed=sum(r["steps_late"] for r in daily), completed=sum(r["steps_done"] for r in daily),
        overdue_total=sum(s.overdue for s in steps), backlog_total=sum(s.open for s in steps),
        stuck_days=stuck_days, stuck=stuck, stuck_total=stuck_qs.count(), daily=daily,
        queue=_queue_today(office, today), stopped=_stopped_attempts(office, first, today),
        latest_class=latest, desks=desks, tzname=str(zone_info(office.zone)),
    )


# --- province and national statistics ------------------------------------------------------------------------

DIMENSIONS = ("month", "country", "job", "province", "regency", "sex", "scheme", "year")
MEASURES = ("registered", "departed", "cancelled")


@dataclass(frozen=True)
class StatsFilter:
    """Filters of the statistics views; `region` is the user's scope (a province or regency prefix)."""

    year: int
    month: int | None = None
    province: str = ""
    regency: str = ""
    country: str = ""
    sex: str = ""
    scheme: str = ""
    job: str = ""
    region: str | None = None

    def period(self) -> tuple[dt.date, dt.date]:
        if self.month:
            first = dt.date(self.year, self.month, 1)
            return first, first
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 1)

    def effective_region(self) -> str:
        """The narrowest of the user's scope and the province / regency asked for."""
        asked = self.regency or self.province
        if self.region and (not asked or not asked.startswith(self.region)):
            return self.region
        return asked


def stats_filter(*, user: User, params: dict[str, Any]) -> StatsFilter:
    """Parse and check the filter parameters of a statistics request (year defaults to this year)."""
    if not user_sees_statistics(user):
        raise _forbidden()

    def clean(name: str, size: int = 40) -> str:
        return str(params.get(name) or "").strip()[:size]

    try:
        year = int(params.get("year") or timezone.localdate().year)
        month = int(params["month"]) if params.get("month") else None
    except (TypeError, ValueError):
        raise ValidationFailed("Tahun atau bulan tidak valid.", "Invalid year or month.",
                               code="period_invalid") from None
    if not (2000 <= year <= 2100) or (month is not None and not 1 <= month <= 12):
        raise ValidationFailed("Tahun atau bulan tidak valid.", "Invalid year or month.", code="period_invalid")
    return StatsFilter(year=year, month=month, province=clean("province", 2), regency=clean("regency", 13),
                       country=clean("country", 2).upper(), sex=clean("sex", 1).upper(), scheme=clean("scheme", 10),
                       job=clean("job"), region=user_region_scope(user))


def _rollup_source(f: StatsFilter, dim: str) -> str:
    """Which table answers: the placement cube, the regency cube, or the raw tables (regency scopes combined
    with country or job, which no rollup holds)."""
    region = f.effective_region()
    needs_regency = dim == "regency" or len(region) > 2
    if not needs_regency:
        return "placement"
    if f.country or f.job or dim in ("country", "job"):
        return "raw"
    return "region"


@contextmanager
def _short_queries() -> Iterator[None]:
    """Rollup reads are small grouped scans: on PostgreSQL, compiling them (JIT) would cost more than running
    them, so it is turned off for their read-only transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _rollup_qs(f: StatsFilter, which: str, *, all_years: bool = False) -> QuerySet:
    first, last = f.period()
    region = f.effective_region()
    model = PlacementMonthly if which == "placement" else RegionMonthly
    qs = model.objects.all() if all_years else model.objects.filter(month__gte=first, month__lte=last)
    if which == "placement":
        if region:
            qs = qs.filter(province=region[:2])
        for name in ("country", "job"):
            if getattr(f, name):
                qs = qs.filter(**{name: getattr(f, name)})
    elif region:
        qs = qs.filter(regency__startswith=region)
    if f.sex:
        qs = qs.filter(sex=f.sex)
    if f.scheme:
        qs = qs.filter(scheme=f.scheme)
    return qs


CUBE_DIMS = ("province", "sex", "scheme", "country", "job")


def placement_tables(*, f: StatsFilter, dims, source: str = "rollup") -> dict[str, dict[str, dict[str, int]]]:
    """Several tables at once (a statistics page): the dimensions of the placement cube come from one grouped
    query over the period's cells instead of one query each."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    cube = [d for d in dims if source != "raw" and d in CUBE_DIMS and _rollup_source(f, d) == "placement"]
    if len(cube) > 1:
        tables = {d: defaultdict(lambda: dict.fromkeys(MEASURES, 0)) for d in cube}
        with _short_queries():
            rows = list(_rollup_qs(f, "placement").values(*cube).annotate(**{m: Sum(m) for m in MEASURES})
                        .order_by())
        for r in rows:
            for d in cube:
                cell = tables[d][str(r[d])]
                for m in MEASURES:
                    cell[m] += r[m] or 0
        for d in cube:
            out[d] = {k: v for k, v in tables[d].items() if any(v.values())}
    for d in dims:
        if d not in out:
            out[d] = placement_table(f=f, dim=d, source=source)
    return out


def placement_table(*, f: StatsFilter, dim: str, source: str = "rollup") -> dict[str, dict[str, int]]:
    """Counts by one dimension: {key: {registered, departed, cancelled}}; from the rollups or (source="raw")
    computed directly from cases, workers and job-order links."""
    if dim not in DIMENSIONS:
        raise ValidationFailed("Dimensi tidak dikenal.", "Unknown dimension.", code="dimension_unknown",
                               details={"allowed": list(DIMENSIONS)})
    which = "raw" if source == "raw" else _rollup_source(f, dim)
    if which == "raw":
        return _raw_table(f, dim)
    if dim == "year" and which == "placement" and not (f.country or f.job):
        return _yearly_table(f)
    qs = _rollup_qs(f, which, all_years=dim == "year")
    if dim == "month":
        qs = qs.annotate(k=ExtractMonth("month"))
        key = "k"
    elif dim == "year":
        qs = qs.annotate(k=ExtractYear("month"))
        key = "k"
    elif dim == "province" and which == "region":
        key = "regency"
    else:
        key = dim
    with _short_queries():
        rows = list(qs.values(key).annotate(**{m: Sum(m) for m in MEASURES}).order_by())
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for r in rows:
        k = str(r[key])
        if dim == "province" and which == "region":
            k = k[:2]
        for m in MEASURES:
            out[k][m] += r[m] or 0
    return {k: v for k, v in out.items() if any(v.values())}


def _yearly_table(f: StatsFilter) -> dict[str, dict[str, int]]:
    qs = PlacementYearly.objects.all()
    region = f.effective_region()
    if region:
        qs = qs.filter(province=region[:2])
    if f.sex:
        qs = qs.filter(sex=f.sex)
    if f.scheme:
        qs = qs.filter(scheme=f.scheme)
    with _short_queries():
        rows = list(qs.values("year").annotate(**{m: Sum(m) for m in MEASURES}).order_by())
    return {str(r["year"]): {m: r[m] or 0 for m in MEASURES} for r in rows if any(r[m] for m in MEASURES)}


def _raw_table(f: StatsFilter, dim: str) -> dict[str, dict[str, int]]:
    first, last = f.period()
    start, _ = month_bounds(first)
    _, end = month_bounds(last)
    if dim == "year":  # every year
        start, end = month_bounds(dt.date(1900, 1, 1))[0], month_bounds(dt.date(2999, 12, 1))[1]
    cases = Case.objects.all()
    region = f.effective_region()
    if region:
        cases = cases.filter(worker__regency__code__startswith=region) if len(region) > 2 else cases.filter(
            worker__province_id=region)
    if f.country:
        cases = cases.filter(destination_country=f.country)
    if f.sex:
        cases = cases.filter(worker__sex=f.sex)
    if f.scheme:
        cases = cases.filter(scheme=f.scheme)
    job = JobOrderLink.objects.filter(case_ref=OuterRef("number")).order_by("-linked_at", "-pk").values(
        "job_order__job_title_id")[:1]
    if f.job or dim == "job":
        cases = cases.annotate(job=Subquery(job))
        if f.job:
            cases = cases.filter(job=f.job)
    key = {"country": "destination_country", "province": "worker__province_id", "regency": "worker__regency_id",
           "sex": "worker__sex", "scheme": "scheme", "job": "job", "month": "m", "year": "m"}[dim]
    parts = {
        "registered": (cases.filter(opened_at__gte=start, opened_at__lt=end), "opened_at"),
        "departed": (cases.filter(status=CaseStatus.DEPARTED, closed_at__gte=start, closed_at__lt=end), "closed_at"),
        "cancelled": (cases.filter(status=CaseStatus.CANCELLED, closed_at__gte=start, closed_at__lt=end), "closed_at"),
    }
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for measure, (qs, at) in parts.items():
        if dim == "month":
            qs = qs.annotate(m=ExtractMonth(at))
        elif dim == "year":
            qs = qs.annotate(m=ExtractYear(at))
        for r in qs.values(key).annotate(n=Count("id")).order_by():
            out[str(r[key] if r[key] is not None else "")][measure] += r["n"]
    return dict(out)


def returns_table(*, f: StatsFilter) -> dict[str, int]:
    """Workers back home (recorded by the cards app) in the period, by the country they returned from."""
    first, last = f.period()
    end = month_bounds(last)[1].date()
    qs = Abroad.objects.filter(status=AbroadStatus.RETURNED, returned_on__gte=first, returned_on__lt=end)
    region = f.effective_region()
    if region:
        qs = qs.filter(regency__code__startswith=region)
    if f.country:
        qs = qs.filter(country_id=f.country)
    return {r["country_id"]: r["n"] for r in qs.values("country_id").annotate(n=Count("id")).order_by("-n")}


def stopped_attempts_table(*, f: StatsFilter) -> dict[str, int]:
    """Departure attempts stopped at checkpoints (cards app) in the period, by the destination claimed; a
    regional monitor sees the attempts of cases whose worker comes from the region."""
    first, last = f.period()
    end = month_bounds(last)[1].date()
    qs = DepartureAttempt.objects.filter(outcome=AttemptOutcome.STOPPED, occurred_on__gte=first, occurred_on__lt=end)
    region = f.effective_region()
    if region:
        qs = qs.filter(case__worker__regency__code__startswith=region)
    if f.country:
        qs = qs.filter(destination_country=f.country)
    rows = qs.values("destination_country").annotate(n=Count("id")).order_by("-n", "destination_country")
    return {r["destination_country"]: r["n"] for r in rows}


def complaint_table(*, f: StatsFilter, dim: str) -> dict[str, int]:
    """Complaints by category, country, company, procedural or month (from the complaint rollup)."""
    field_of = {"category": "category", "country": "country", "company": "company_id", "procedural": "procedural",
                "month": "k"}
    if dim not in field_of:
        raise ValidationFailed("Dimensi tidak dikenal.", "Unknown dimension.", code="dimension_unknown",
                               details={"allowed": list(field_of)})
    first, last = f.period()
    qs = ComplaintMonthly.objects.filter(month__gte=first, month__lte=last)
    if f.country:
        qs = qs.filter(country=f.country)
    if dim == "month":
        qs = qs.annotate(k=ExtractMonth("month"))
    rows = qs.values(field_of[dim]).annotate(n=Sum("complaints")).order_by()
    return {str(r[field_of[dim]]): r["n"] for r in rows if r["n"]}


def labels_for(dim: str, keys, *, english: bool = False) -> dict[str, str]:
    """Display names of dimension keys (countries, jobs, regions, companies …)."""
    keys = [k for k in keys if k not in ("", "None")]
    if dim == "country":
        return {c.code: (c.name_en if english else c.name_id) for c in Country.objects.filter(code__in=keys)}
    if dim == "job":
        return {j.code: (j.name_en if english else j.name_id) for j in JobTitle.objects.filter(code__in=keys)}
    if dim in ("province", "regency"):
        return {r.code: r.name for r in Region.objects.filter(code__in=keys)}
    if dim == "company":
        ids = [int(k) for k in keys if k.isdigit()]
        return {str(c.pk): c.name for c in Company.objects.filter(pk__in=ids)}
    if dim == "sex":
        return {"L": "Male" if english else "Laki-laki", "P": "Female" if english else "Perempuan"}
    if dim == "month":
        return {str(m): dt.date(2000, m, 1).strftime("%m") for m in range(1, 13)}
    if dim == "procedural":
        return {"yes": "Procedural" if english else "Prosedural", "no": "Non-procedural" if english else
                "Non-prosedural", "unknown": "Unknown" if english else "Tidak diketahui"}
    if dim == "category":
        return {k: str(Category(k).label) for k in keys if k in Category.values}
    return {}


def provinces() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))


def generation_universe(*, job_order_numbers: list[str] | None = None):
    """The reference rows the synthetic-data generator draws from: active offices, regencies by province, job
    orders (country, job) and each scheme's current process without its optional steps."""
    from satuatap.monitoring.generate import Universe
    from satuatap.placement.models import JobOrder
    from satuatap.reference.models import ProcessDefinition

    offices = list(Office.objects.filter(is_active=True).values_list("code", "regency_id"))
    regencies: dict[str, list[str]] = defaultdict(list)
    for code in Region.objects.filter(level=Region.Level.REGENCY).values_list("code", flat=True):
        regencies[code[:2]].append(code)
    jos = JobOrder.objects.all()
    if job_order_numbers is not None:
        jos = jos.filter(number__in=job_order_numbers)
    job_orders = list(jos.values_list("id", "employer__country_id", "job_title_id"))
    processes = {}
    for scheme in ("P2P", "G2G", "UKPS", "MANDIRI"):
        p = ProcessDefinition.objects.filter(scheme=scheme).order_by("-effective_from", "-version").first()
        if p is None:
            continue
        defs = [(d.pk, d.code, d.agency_id, d.sort_order, d.sla_working_days)
                for d in p.steps.filter(optional=False).order_by("sort_order")]
        processes[scheme] = (p.pk, defs)
    return Universe(offices=offices, regencies=dict(regencies), job_orders=job_orders, processes=processes)


# --- assembled views (pages, API, exports and the yearly report share these) ---------------------------------

PLACEMENT_TABLES = ("country", "job", "province", "regency", "sex", "scheme", "month", "year")
COMPLAINT_TABLES = ("category", "country", "company", "procedural", "month")


@dataclass
class Table:
    """A statistics table: rows of (key, label, numbers…) under column names, largest first (months in order)."""

    id: str
    dim: str
    columns: list[str]
    rows: list[list[Any]]

    def totals(self) -> list[int]:
        return [sum(r[i] for r in self.rows) for i in range(2, len(self.columns))]


def placement_view(*, f: StatsFilter, dim: str, english: bool = False, source: str = "rollup",
                   data: dict[str, dict[str, int]] | None = None) -> Table:
    data = placement_table(f=f, dim=dim, source=source) if data is None else data
    names = labels_for(dim, data.keys(), english=english)
    if dim == "month":
        keys = [str(m) for m in range(1, 13) if not f.month or m == f.month]
    elif dim == "year":
        keys = sorted(data)
    else:
        keys = sorted(data, key=lambda k: (-data[k]["departed"], -data[k]["registered"], k))
    rows = [[k, names.get(k, k or "—"), *(data.get(k, {}).get(m, 0) for m in MEASURES)] for k in keys]
    return Table(id=f"placements-{dim}", dim=dim, columns=[dim, "label", *MEASURES], rows=rows)


def complaint_view(*, f: StatsFilter, dim: str, english: bool = False) -> Table:
    data = complaint_table(f=f, dim=dim)
    names = labels_for(dim, data.keys(), english=english)
    if dim == "company":
        names.setdefault("0", "(not registered)" if english else "(tidak terdaftar)")
    if dim == "month":
        keys = [str(m) for m in range(1, 13) if not f.month or m == f.month]
    else:
        keys = sorted(data, key=lambda k: (-data[k], k))
    rows = [[k, names.get(k, k or "—"), data.get(k, 0)] for k in keys]
    return Table(id=f"complaints-{dim}", dim=dim, columns=[dim, "label", "complaints"], rows=rows)


def yearly_report_sections(*, year: int, english: bool = False) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The tables the agency publishes every year: placements by country, job, province, sex and scheme;
    returns home; complaints by category and country (national, from the rollups)."""
    f = StatsFilter(year=year)

    def t(en: str, id_: str) -> str:
        return en if english else id_

    head = [t("Registered", "Terdaftar"), t("Departed", "Berangkat"), t("Cancelled", "Batal")]
    sections = []
    for dim, title in (("country", t("Placements by destination country", "Penempatan menurut negara tujuan")),
                       ("job", t("Placements by job", "Penempatan menurut jabatan")),
                       ("province", t("Placements by province of origin", "Penempatan menurut provinsi asal")),
                       ("sex", t("Placements by sex", "Penempatan menurut jenis kelamin")),
                       ("scheme", t("Placements by scheme", "Penempatan menurut skema")),
                       ("month", t("Placements by month", "Penempatan menurut bulan"))):
        table = placement_view(f=f, dim=dim, english=english)
        rows = [[r[1], *r[2:]] for r in table.rows]
        rows.append([t("Total", "Jumlah"), *table.totals()])
        sections.append((title, [t(dim.capitalize(), dim.capitalize()), *head], rows))
    returns = returns_table(f=f)
    names = labels_for("country", returns.keys(), english=english)
    rows = [[names.get(k, k), n] for k, n in returns.items()]
    rows.append([t("Total", "Jumlah"), sum(returns.values())])
    sections.append((t("Returns home by country", "Kepulangan menurut negara"),
                     [t("Country", "Negara"), t("Returned", "Pulang")], rows))
    for dim, title in (("category", t("Complaints by category", "Pengaduan menurut kategori")),
                       ("country", t("Complaints by country", "Pengaduan menurut negara")),
                       ("procedural", t("Complaints: procedural or not", "Pengaduan: prosedural atau tidak"))):
        table = complaint_view(f=f, dim=dim, english=english)
        rows = [[r[1], r[2]] for r in table.rows]
        rows.append([t("Total", "Jumlah"), sum(r[2] for r in table.rows)])
        sections.append((title, [dim.capitalize(), t("Complaints", "Pengaduan")], rows))
    return sections


def report_years() -> list[int]:
    """Years with data in the rollups, newest first."""
    years = {d.year for d in PlacementMonthly.objects.dates("month", "year")}
    years |= {d.year for d in ComplaintMonthly.objects.dates("month", "year")}
    return sorted(years, reverse=True)
