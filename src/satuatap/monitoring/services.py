"""Writes of monitoring: loading rubric versions, the rollups the dashboards read, and monthly classification."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import CharField, Count, DateField, F, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from satuatap.core.errors import Conflict
from satuatap.crisis.models import Complaint
from satuatap.journey.models import Event
from satuatap.monitoring import measures
from satuatap.monitoring import rubric as rubric_mod
from satuatap.monitoring.models import (
    ComplaintMonthly,
    OfficeClassification,
    OfficeDaily,
    PlacementMonthly,
    PlacementYearly,
    RegionMonthly,
    RollupState,
    Rubric,
)
from satuatap.placement.models import JobOrderLink
from satuatap.reference.models import Office

log = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"

# Events are counted once their transaction has surely committed: an event id is taken at INSERT, so a
# transaction still open could commit a lower id after a later one was counted. Transitions take milliseconds.
SAFETY_LAG = dt.timedelta(seconds=60)
BATCH_EVENTS = 250_000
JOURNEY = "journey"
COMPLAINTS = "complaints"


# --- rubric ------------------------------------------------------------------------------------------------

@transaction.atomic
def rubric_load(*, data: dict[str, Any] | None = None) -> dict[str, int]:
    """Load rubric versions from rubric.json; a loaded version never changes, and a new version may not take
    effect in a month already classified (the past is never rewritten)."""
    if data is None:
        data = json.loads((DATA_DIR / "rubric.json").read_text(encoding="utf-8"))
    created = 0
    for rb in data["rubrics"]:
        rubric_mod.validate(rb)
        digest = rubric_mod.source_hash(rb)
        existing = Rubric.objects.filter(version=rb["version"]).first()
        if existing is not None:
            if existing.source_hash != digest:
                raise Conflict(
                    f"Rubrik versi {rb['version']} sudah dimuat dengan isi berbeda. Klasifikasi lama menunjuk ke "
                    "versi itu: muat perubahan sebagai versi baru.",
                    f"Rubric version {rb['version']} is already loaded with different content. Past "
                    "classifications point at it: load the change as a new version.",
                    code="rubric_version_changed", details={"version": rb["version"]},
                )
            continue
        month = rubric_mod.month_parse(rb["effective_month"])
        last = OfficeClassification.objects.aggregate(m=Max("month"))["m"]
        if last is not None and month <= last:
            raise Conflict(
                f"Rubrik versi {rb['version']} berlaku mulai {month:%Y-%m}, padahal bulan itu sudah dinilai "
                f"(sampai {last:%Y-%m}). Pilih bulan berlaku sesudahnya.",
                f"Rubric version {rb['version']} would take effect in {month:%Y-%m}, a month already classified "
                f"(up to {last:%Y-%m}). Choose a later effective month.",
                code="rubric_effective_in_past", details={"version": rb["version"], "last_classified": str(last)},
            )
        Rubric.objects.create(
            version=rb["version"], effective_month=month, name=rb.get("name", ""),
            legal_basis=rb.get("legal_basis", ""), min_scored_weight=rb.get("min_scored_weight", 0),
            classes=rb["classes"], criteria=rb["criteria"], source_hash=digest,
        )
        created += 1
    return {"total": len(data["rubrics"]), "created": created}


# --- classification ----------------------------------------------------------------------------------------

def _rubric_dict(rubric: Rubric) -> dict[str, Any]:
    return {"version": rubric.version, "classes": rubric.classes, "criteria": rubric.criteria,
            "min_scored_weight": rubric.min_scored_weight}


@transaction.atomic
def offices_classify(*, month: dt.date, office_ids: list[str] | None = None,
                     today: dt.date | None = None) -> list[OfficeClassification]:
    """Classify each office for a month under the rubric in force that month. A month already classified
    under another rubric version keeps its result; under the same version it is recomputed (late data)."""
    month = month.replace(day=1)
    rubric = measures.rubric_in_force(month=month)
    results = []
    now = timezone.now()
    for office in measures.offices_for_classification(office_ids=office_ids):
        existing = OfficeClassification.objects.select_for_update().filter(office=office, month=month).first()
        if existing is not None and existing.rubric_id != rubric.pk:
            results.append(existing)
            continue
        metrics = measures.office_month_metrics(office=office, month=month, today=today)
        result = rubric_mod.classify(_rubric_dict(rubric), metrics)
        values = {"rubric": rubric, "score": result.score, "klass": result.klass, "criteria": result.criteria,
                  "computed_at": now}
        if existing is None:
            existing = OfficeClassification.objects.create(office=office, month=month, **values)
        else:
            for k, v in values.items():
                setattr(existing, k, v)
            existing.save()
        results.append(existing)
    return results


# --- rollups -----------------------------------------------------------------------------------------------

def _upsert(model, keys: list[str], measures: list[str], rows: list[tuple]) -> None:
    """Add counts to rollup cells (INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m; SQLite and PostgreSQL)."""
    if not rows:
        return
    table = model._meta.db_table
    cols = keys + measures
    sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    # Table and column names come from our own models, never from input.
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "  # noqa: S608
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i:i + 5000])


def _job_of_case() -> Subquery:
    return Subquery(
        JobOrderLink.objects.filter(case_ref=OuterRef("case__number")).order_by("-linked_at", "-pk")
        .values("job_order__job_title_id")[:1],
        output_field=CharField(),
    )


_MEASURE = When_(
    When(kind="case_opened", then=Value("registered")),
    When(to_state="departed", then=Value("departed")),
    default=Value("cancelled"),
    output_field=CharField(),
)
_PLACEMENT_KINDS = Q(kind="case_opened") | Q(kind="case_status_changed", to_state__in=["departed", "cancelled"])
_MEASURES = ("registered", "departed", "cancelled")


def _vector(measure: str, n: int) -> tuple[int, int, int]:
    return tuple(n if m == measure else 0 for m in _MEASURES)  # type: ignore[return-value]


def _office_day(field: str) -> When_ | TruncDate:
    """The date of `field` in the zone of the event's office (WIB, WITA or WIT): an office's days are its own,
    so 23:30 WIB is already the next day at an office in WITA. Offices unknown or in WIB count in WIB."""
    zones: dict[str, list[str]] = {}
    for code, zone in Office.objects.exclude(zone="WIB").values_list("code", "zone").order_by("code"):
        zones.setdefault(zone, []).append(code)
    wib = TruncDate(field, tzinfo=measures.zone_info("WIB"))
    if not zones:
        return wib
    return When_(
        *(When(office_id__in=codes, then=TruncDate(field, tzinfo=measures.zone_info(zone)))
          for zone, codes in sorted(zones.items())),
        default=wib, output_field=DateField(),
    )


def _rollup_events(lo: int, hi: int) -> None:
    events = Event.objects.filter(id__gt=lo, id__lte=hi)
    # One grouped query feeds both cubes: the placement cube sums over regencies, the regency cube over
    # country and job. National and province cubes count WIB months (the project zone), whatever the office.
    grouped = (
        events.filter(_PLACEMENT_KINDS)
        .annotate(month=TruncMonth("created_at"), measure=_MEASURE, job=Coalesce(_job_of_case(), Value("")))
        .values("month", "measure", "case__worker__regency_id", "case__worker__sex", "case__scheme",
                "case__destination_country", "job")
        .annotate(n=Count("id"))
        .order_by()
    )
    placement: dict[tuple, list[int]] = {}
    regional: dict[tuple, list[int]] = {}
    yearly: dict[tuple, list[int]] = {}
    for r in grouped:
        month, regency = _month_date(r["month"]), r["case__worker__regency_id"]
        sex, scheme = r["case__worker__sex"], r["case__scheme"]
        vector = _vector(r["measure"], r["n"])
        for cells, key in (
            (placement, (month, regency[:2], sex, scheme, r["case__destination_country"] or "", r["job"] or "")),
            (regional, (month, regency, sex, scheme)),
            (yearly, (month.year, regency[:2], sex, scheme)),
        ):
            vec = cells.setdefault(key, [0, 0, 0])
            for i, v in enumerate(vector):
                vec[i] += v
    _upsert(PlacementMonthly, ["month", "province", "sex", "scheme", "country", "job"], list(_MEASURES),
            [(*k, *v) for k, v in placement.items()])
    _upsert(RegionMonthly, ["month", "regency", "sex", "scheme"], list(_MEASURES),
            [(*k, *v) for k, v in regional.items()])
    _upsert(PlacementYearly, ["year", "province", "sex", "scheme"], list(_MEASURES),
            [(*k, *v) for k, v in yearly.items()])

    # Office days are the office's local days; a step is late when completed after its due date (itself set in
    # the office's zone by the journey engine).
    done = Q(kind="step_completed")
    daily = (
        events.filter(office_id__isnull=False)
        .annotate(day=_office_day("created_at"))
        .values("office_id", "day")
        .annotate(
            n=Count("id"),
            registered=Count("id", filter=Q(kind="case_opened")),
            steps_done=Count("id", filter=done),
            steps_late=Count("id", filter=done & Q(step__due_on__lt=F("day"))),
            departed=Count("id", filter=Q(kind="case_status_changed", to_state="departed")),
            cancelled=Count("id", filter=Q(kind="case_status_changed", to_state="cancelled")),
        )
        .order_by()
    )
    _upsert(OfficeDaily, ["office_id", "day"],
            ["events", "registered", "steps_done", "steps_late", "departed", "cancelled"],
            [(r["office_id"], r["day"], r["n"], r["registered"], r["steps_done"], r["steps_late"], r["departed"],
              r["cancelled"]) for r in daily])


def _month_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _complaints_rebuild(months: set[dt.date] | None) -> None:
    qs = Complaint.objects.annotate(month=TruncMonth("registered_at"))
    if months is not None:
        if not months:
            return
        span = Q()
        for m in months:
            start, end = measures.month_bounds(m)
            span |= Q(registered_at__gte=start, registered_at__lt=end)
        qs = qs.filter(span)
        ComplaintMonthly.objects.filter(month__in=months).delete()
    else:
        ComplaintMonthly.objects.all().delete()
    rows = (
        qs.annotate(proc=When_(When(procedural=True, then=Value("yes")), When(procedural=False, then=Value("no")),
                               default=Value("unknown"), output_field=CharField()),
                    company_key=Coalesce("company_id", Value(0), output_field=IntegerField()))
        .values("month", "category", "country_id", "company_key", "proc")
        .annotate(n=Count("id"))
        .order_by()
    )
    ComplaintMonthly.objects.bulk_create([
        ComplaintMonthly(month=_month_date(r["month"]), category=r["category"], country=r["country_id"] or "",
                         company_id=r["company_key"], procedural=r["proc"], complaints=r["n"])
        for r in rows
    ], batch_size=2000)


def rollup_run(*, lag: dt.timedelta = SAFETY_LAG, batch: int = BATCH_EVENTS,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Add journey events not yet counted to the rollups (by event id, in batches, each batch with its
    watermark in one transaction, so a run can stop and resume), and rebuild complaint months that changed."""
    cutoff = timezone.now() - lag
    upto = Event.objects.filter(created_at__lt=cutoff).aggregate(m=Max("id"))["m"] or 0
    RollupState.objects.get_or_create(name=JOURNEY)
    RollupState.objects.get_or_create(name=COMPLAINTS)
    counted = 0
    start = RollupState.objects.get(name=JOURNEY).last_event_id
    while True:
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(name=JOURNEY)
            lo = state.last_event_id
            if lo >= upto:
                break
            hi = min(lo + batch, upto)
            if connection.vendor == "postgresql":
                # These grouped scans run once per batch: compiling them (JIT) costs more than it saves.
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL jit = off")
            _rollup_events(lo, hi)
            state.last_event_id = hi
            state.updated_at = timezone.now()
            state.save(update_fields=["last_event_id", "updated_at"])
        counted += hi - lo
        if progress is not None:
            progress(hi - start, upto - start)
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(name=COMPLAINTS)
        changed = Complaint.objects.filter(updated_at__lt=cutoff)
        if state.last_seen_at is None:
            _complaints_rebuild(None)
        else:
            changed = changed.filter(updated_at__gt=state.last_seen_at)
            _complaints_rebuild({_month_date(m) for m in
                                 changed.annotate(m=TruncMonth("registered_at")).values_list("m", flat=True)})
        newest = Complaint.objects.filter(updated_at__lt=cutoff).aggregate(m=Max("updated_at"))["m"]
        if newest is not None:
            state.last_seen_at = newest
        state.updated_at = timezone.now()
        state.save()
    return {"last_event_id": max(upto, start), "event_ids_counted": counted}


@transaction.atomic
def rollup_reset() -> None:
    """Forget every rollup (a full recount follows on the next run)."""
    for model in (PlacementMonthly, PlacementYearly, RegionMonthly, OfficeDaily, ComplaintMonthly):
        model.objects.all().delete()
    RollupState.objects.all().delete()
