"""Dashboard numbers equal counts computed directly from the raw tables on a generated data set, after a first
rollup and after more data arrives (incremental: each event counted once)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db.models import Sum
from django.utils import timezone

from satuatap.core.timeutil import local_date
from satuatap.crisis import selectors as crisis_selectors
from satuatap.crisis.models import Complaint
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Event
from satuatap.monitoring import selectors, services
from satuatap.monitoring.models import OfficeDaily, PlacementMonthly
from satuatap.placement.models import Company
from satuatap.reference.models import Office
from tests import factories
from tests.monitoring.datagen import write_generated

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
LAG0 = dt.timedelta(0)


def _tables(user, **params):
    f = selectors.stats_filter(user=user, params=params)
    return {dim: (selectors.placement_table(f=f, dim=dim), selectors.placement_table(f=f, dim=dim, source="raw"))
            for dim in selectors.DIMENSIONS}


def _assert_equal(user, **params):
    for dim, (rollup, raw) in _tables(user, **params).items():
        raw = {k: v for k, v in raw.items() if any(v.values())}
        assert rollup == raw, (dim, params)


@pytest.mark.django_db
def test_rollups_equal_direct_counts_and_stay_equal_incrementally():
    write_generated(cases=400, first_day=dt.date(2025, 1, 2), last_day=dt.date(2026, 11, 20), seed=11, now=NOW)
    services.rollup_run(lag=LAG0, batch=700)  # several batches
    national = factories.monitor()
    for params in ({"year": 2025}, {"year": 2026}, {"year": 2026, "month": 3}, {"year": 2025, "country": "HK"},
                   {"year": 2026, "sex": "P", "scheme": "P2P"}, {"year": 2025, "province": "35"},
                   {"year": 2026, "job": "ELDERLY_CARER"}, {"year": 2025, "regency": "35.01"}):
        _assert_equal(national, **params)
    departed_2025 = Case.objects.filter(status="departed", closed_at__year=2025).count()
    assert departed_2025 > 0
    f = selectors.stats_filter(user=national, params={"year": 2025})
    assert sum(v["departed"] for v in selectors.placement_table(f=f, dim="country").values()) == departed_2025

    # more data, then a second run: counted once, still equal
    write_generated(cases=150, first_day=dt.date(2026, 6, 1), last_day=dt.date(2026, 11, 20), seed=12, now=NOW)
    services.rollup_run(lag=LAG0)
    services.rollup_run(lag=LAG0)
    _assert_equal(national, year=2026)
    _assert_equal(national, year=2026, province="33")
    assert PlacementMonthly.objects.aggregate(n=Sum("registered"))["n"] == Case.objects.count()

    # office daily figures equal the events, each counted on its office's local day (WIB, WITA or WIT)
    zones = dict(Office.objects.values_list("code", "zone"))
    assert {zones[o] for o in Event.objects.values_list("office_id", flat=True).distinct()} >= {"WIB", "WITA"}
    events = Counter(Event.objects.values_list("office_id", flat=True))
    done = Counter(Event.objects.filter(kind="step_completed").values_list("office_id", flat=True))
    late = Counter()
    per_day = Counter()
    for office_id, kind, at, due in Event.objects.values_list("office_id", "kind", "created_at", "step__due_on"):
        day = local_date(at, zones[office_id])
        per_day[(office_id, day)] += 1
        if kind == "step_completed" and due is not None and day > due:
            late[office_id] += 1
    rolled = {(o, d): n for o, d, n in OfficeDaily.objects.values_list("office_id", "day", "events") if n}
    assert rolled == dict(per_day)
    by_office = {r["office_id"]: r for r in OfficeDaily.objects.values("office_id").annotate(
        events=Sum("events"), steps_done=Sum("steps_done"), steps_late=Sum("steps_late"))}
    assert {k: v["events"] for k, v in by_office.items()} == dict(events)
    assert {k: v["steps_done"] for k, v in by_office.items() if v["steps_done"]} == dict(done)
    assert {k: v["steps_late"] for k, v in by_office.items() if v["steps_late"]} == dict(late)
    assert sum(late.values()) > 0


@pytest.mark.django_db
def test_regency_monitor_sees_only_their_regency():
    write_generated(cases=200, first_day=dt.date(2026, 1, 2), last_day=dt.date(2026, 10, 30), seed=3, now=NOW)
    services.rollup_run(lag=LAG0)
    regency = Case.objects.values_list("worker__regency_id", flat=True).first()
    local = factories.monitor(regency)
    f = selectors.stats_filter(user=local, params={"year": 2026, "province": "11"})  # asks outside: kept inside
    table = selectors.placement_table(f=f, dim="regency")
    assert set(table) == {regency}
    assert table == {k: v for k, v in selectors.placement_table(f=f, dim="regency", source="raw").items()
                     if any(v.values())}


@pytest.mark.django_db
def test_real_journey_changes_are_counted():
    officer = factories.officer("LTSA-IDM", "DISNAKER")
    worker = factories.worker("32.12", sex="L")
    case = factories.open_case(officer, worker)
    journey_services.step_complete(actor=officer, case_number=case.number, step_code="REG",
                                   outcome=factories.outcome("registration"))
    services.rollup_run(lag=LAG0)
    today = timezone.localdate()
    cell = PlacementMonthly.objects.get(month=today.replace(day=1), country="HK")
    assert (cell.registered, cell.province, cell.sex, cell.job) == (1, "32", "L", "CAREGIVER_NURSING")
    day = OfficeDaily.objects.get(office_id="LTSA-IDM", day=today)
    assert day.registered == 1 and day.steps_done == 1 and day.steps_late == 0
    services.rollup_run(lag=LAG0)
    assert OfficeDaily.objects.get(office_id="LTSA-IDM", day=today).registered == 1


def _complaint(i: int, *, category: str, country: str | None, procedural: bool | None, company=None,
               registered: dt.datetime) -> Complaint:
    return Complaint.objects.create(
        reference=f"PGD-T-{i}", secret_hash="x", channel="web", complainant_type="worker", complainant_name="A",
        worker_name="B", category=category, description="-", status="registered", status_changed_at=registered,
        priority="normal", registered_at=registered, first_response_due_at=registered + dt.timedelta(days=2),
        updated_at=registered, country_id=country, procedural=procedural, company=company,
    )


@pytest.mark.django_db
def test_complaint_rollup_equals_the_crisis_statistics():
    rng = random.Random(5)
    company = Company.objects.create(name="PT Uji Aduan", licence_number="SIP3MI/ADUAN", status="active",
                                     licence_valid_from=dt.date(2024, 1, 1), licence_valid_to=dt.date(2030, 1, 1))
    for i in range(60):
        _complaint(i, category=rng.choice(["wages_unpaid", "trafficking", "sick"]),
                   country=rng.choice(["HK", "MY", None]), procedural=rng.choice([True, False, None]),
                   company=company if i % 3 == 0 else None,
                   registered=dt.datetime(2026, rng.randrange(1, 11), rng.randrange(1, 28), 5, tzinfo=dt.UTC))
    services.rollup_run(lag=LAG0)
    monitor = factories.monitor()
    expected = crisis_selectors.complaint_statistics(user=monitor)
    f = selectors.stats_filter(user=monitor, params={"year": 2026})
    assert selectors.complaint_table(f=f, dim="category") == expected["by_category"]
    assert selectors.complaint_table(f=f, dim="country") == expected["by_country"]
    procedural = selectors.complaint_table(f=f, dim="procedural")
    assert procedural == {k: v for k, v in expected["procedural"].items() if v}
    assert selectors.complaint_table(f=f, dim="company") == {"0": 40, str(company.pk): 20}
    # a complaint whose procedural status is set later moves between cells on the next run
    c = Complaint.objects.filter(procedural__isnull=True).first()
    Complaint.objects.filter(pk=c.pk).update(procedural=True, updated_at=timezone.now())
    services.rollup_run(lag=LAG0)
    expected = crisis_selectors.complaint_statistics(user=monitor)
    assert selectors.complaint_table(f=f, dim="procedural") == {k: v for k, v in expected["procedural"].items() if v}


@pytest.mark.django_db
def test_events_of_the_last_minute_wait_for_the_next_run():
    """An event id is taken at INSERT: a transaction still open could commit a lower id after a later one was
    counted, so the rollup leaves the last minute's events to its next run."""
    officer = factories.officer("LTSA-IDM", "DISNAKER")
    factories.open_case(officer, factories.worker())
    services.rollup_run()  # default lag: the case opened a moment ago is not counted yet
    assert not OfficeDaily.objects.filter(office_id="LTSA-IDM").exists()
    services.rollup_run(lag=LAG0)
    assert OfficeDaily.objects.get(office_id="LTSA-IDM").registered == 1


def test_csv_cells_cannot_run_as_formulas():
    from satuatap.monitoring import exports

    data = exports.csv_bytes(["label", "n"], [["=HYPERLINK(\"x\")", 1], ["Jawa Barat", 2]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "Jawa Barat,2" in data
