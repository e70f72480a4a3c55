"""An office's days are its own: an office in WITA (LTSA Nunukan, UTC+8) counts an event at 16:30 UTC (23:30 WIB)
on the next day, in its daily rollup, on its dashboard and in its month; an office in WIB keeps it on the day
before. National figures stay in WIB."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client

from satuatap.core.timeutil import local_date
from satuatap.journey.models import Case, Event
from satuatap.monitoring import measures, selectors, services
from satuatap.monitoring.models import OfficeDaily, PlacementMonthly
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Office
from tests import factories

LAG0 = dt.timedelta(0)
WITA, WIB = "LTSA-NNK", "LTSA-IDM"
# 23:30 WIB on Tuesday 24 November 2026 = 00:30 WITA on Wednesday 25 November.
LATE_EVENING = dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC)
TUESDAY, WEDNESDAY = dt.date(2026, 11, 24), dt.date(2026, 11, 25)


def _case(office_code: str, number: str, opened: dt.datetime) -> Case:
    process = reference_selectors.process_current(scheme="P2P", on=opened.date())
    return Case.objects.create(number=number, worker=factories.worker(), office_id=office_code, scheme="P2P",
                               process=process, opened_at=opened, updated_at=opened)


def _event(case: Case, kind: str, at: dt.datetime, **kw) -> Event:
    return Event.objects.create(case=case, office_id=case.office_id, kind=kind, created_at=at, **kw)


def _step(case: Case, due_on: dt.date):
    definition = case.process.steps.get(code="REG")
    return case.steps.create(definition_id=definition.pk, code="REG", agency_id="DISNAKER", state="done",
                             due_on=due_on, ready_at=case.opened_at)


def _same_instant_at_both_offices() -> None:
    for office, number in ((WITA, "T-NNK-1"), (WIB, "T-IDM-1")):
        case = _case(office, number, LATE_EVENING)
        _event(case, "case_opened", LATE_EVENING, to_state="open")
        # due on Tuesday, completed at 23:30 WIB on Tuesday = 00:30 WITA on Wednesday: late only in WITA
        _event(case, "step_completed", LATE_EVENING, step=_step(case, TUESDAY))
    # 23:30 WITA on Tuesday (15:30 UTC): still Tuesday at the WITA office
    earlier = _case(WITA, "T-NNK-2", LATE_EVENING - dt.timedelta(hours=1))
    _event(earlier, "case_opened", LATE_EVENING - dt.timedelta(hours=1), to_state="open")


def _raw_office_days() -> dict[tuple[str, dt.date], dict[str, int]]:
    """Events, registrations, completions and late completions per office and office-local day, from the events."""
    zones = dict(Office.objects.values_list("code", "zone"))
    out: dict[tuple[str, dt.date], Counter] = {}
    for office_id, kind, at, due in Event.objects.filter(office_id__isnull=False).values_list(
            "office_id", "kind", "created_at", "step__due_on"):
        day = local_date(at, zones[office_id])
        cell = out.setdefault((office_id, day), Counter())
        cell["events"] += 1
        cell["registered"] += kind == "case_opened"
        cell["steps_done"] += kind == "step_completed"
        cell["steps_late"] += kind == "step_completed" and due is not None and day > due
    return {k: dict(v) for k, v in out.items()}


def _rollup_office_days() -> dict[tuple[str, dt.date], dict[str, int]]:
    return {(r.office_id, r.day): {"events": r.events, "registered": r.registered, "steps_done": r.steps_done,
                                   "steps_late": r.steps_late} for r in OfficeDaily.objects.all()}


@pytest.mark.django_db
def test_demo_office_in_wita_is_in_the_reference_data():
    assert Office.objects.get(code=WITA).zone == "WITA" and Office.objects.get(code=WIB).zone == "WIB"


@pytest.mark.django_db
def test_daily_rollup_counts_the_office_local_day():
    _same_instant_at_both_offices()
    services.rollup_run(lag=LAG0)
    nnk_tue = OfficeDaily.objects.get(office_id=WITA, day=TUESDAY)
    nnk_wed = OfficeDaily.objects.get(office_id=WITA, day=WEDNESDAY)
    assert (nnk_tue.events, nnk_tue.registered, nnk_tue.steps_done) == (1, 1, 0)
    assert (nnk_wed.events, nnk_wed.registered, nnk_wed.steps_done, nnk_wed.steps_late) == (2, 1, 1, 1)
    idm = OfficeDaily.objects.get(office_id=WIB, day=TUESDAY)
    assert (idm.events, idm.registered, idm.steps_done, idm.steps_late) == (2, 1, 1, 0)
    assert not OfficeDaily.objects.filter(office_id=WIB, day=WEDNESDAY).exists()
    # the rollup equals the raw count with office-local days
    assert _rollup_office_days() == _raw_office_days()
    # national figures count WIB months: all three cases are registered in November either way
    assert PlacementMonthly.objects.get(month=dt.date(2026, 11, 1)).registered == 3


@pytest.mark.django_db
def test_full_recount_gives_the_same_office_days():
    _same_instant_at_both_offices()
    services.rollup_run(lag=LAG0, batch=1)  # one event per batch
    before = _rollup_office_days()
    services.rollup_reset()
    services.rollup_run(lag=LAG0)
    assert _rollup_office_days() == before == _raw_office_days()


@pytest.mark.django_db
def test_office_dashboard_today_is_the_office_local_day():
    _same_instant_at_both_offices()
    services.rollup_run(lag=LAG0)
    clock = LATE_EVENING + dt.timedelta(minutes=10)  # 23:40 WIB Tuesday = 00:40 WITA Wednesday

    nnk = selectors.office_dashboard(user=factories.head(WITA), now=clock, window_days=7)
    assert nnk.today == WEDNESDAY
    assert (nnk.today_counts["registered"], nnk.today_counts["steps_done"], nnk.today_counts["events"]) == (1, 1, 2)
    assert [d["day"] for d in nnk.daily][-2:] == [TUESDAY, WEDNESDAY]
    assert nnk.daily[-1]["registered"] == 1 and nnk.daily[-1]["steps_late"] == 1
    assert nnk.daily[-2]["registered"] == 1  # 23:30 WITA on Tuesday
    assert nnk.late_completed == 1 and nnk.tzname == "Asia/Makassar"

    idm = selectors.office_dashboard(user=factories.head(WIB), now=clock, window_days=7)
    assert idm.today == TUESDAY
    assert (idm.today_counts["registered"], idm.today_counts["steps_done"]) == (1, 1)
    assert idm.daily[-1]["day"] == TUESDAY and idm.daily[-1]["registered"] == 1 and idm.late_completed == 0

    # "today" given explicitly is the office's day too: Tuesday at Nunukan holds only the 23:30 WITA case
    tue = selectors.office_dashboard(user=factories.head(WITA), today=TUESDAY, now=clock, window_days=7)
    assert tue.today_counts["registered"] == 1 and tue.today_counts["steps_done"] == 0


@pytest.mark.django_db
def test_office_dashboard_stuck_cases_follow_its_clock():
    case = _case(WITA, "T-NNK-OLD", LATE_EVENING - dt.timedelta(days=15))
    board = selectors.office_dashboard(user=factories.head(WITA), now=LATE_EVENING, stuck_days=14)
    assert [s["number"] for s in board.stuck] == [case.number] and board.stuck[0]["days"] == 15
    board = selectors.office_dashboard(user=factories.head(WITA), now=LATE_EVENING, stuck_days=16)
    assert board.stuck_total == 0
    # the page shows the last change on the office's own date: 9 November 00:30 WITA (8 November 23:30 WIB)
    Case.objects.filter(pk=case.pk).update(updated_at=dt.datetime(2026, 11, 8, 16, 30, tzinfo=dt.UTC))
    client = Client()
    factories.otp_login(client, factories.head(WITA))
    page = client.get("/monitoring/office/")
    assert page.status_code == 200 and case.number.encode() in page.content
    row = page.content.decode().split(case.number)[-1].split("</tr>")[0]
    assert "<td>9 Nov 2026</td>" in row


def test_month_bounds_follow_the_office_zone():
    start, end = measures.month_bounds(dt.date(2026, 11, 1), "WITA")
    assert start == dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC) and end == dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
    start, end = measures.month_bounds(dt.date(2026, 12, 1), "WIT")
    assert start == dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC) and end == dt.datetime(2026, 12, 31, 15, tzinfo=dt.UTC)
    # without an office: the project zone (WIB), as national figures are counted
    assert measures.month_bounds(dt.date(2026, 11, 1))[0] == dt.datetime(2026, 10, 31, 17, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_office_month_is_the_office_local_month():
    # 16:30 UTC on 31 October = 23:30 WIB on 31 October = 00:30 WITA on 1 November
    at = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)
    for office in (WITA, WIB):
        case = _case(office, f"T-{office}-R", at - dt.timedelta(days=10))
        _event(case, "case_status_changed", at, to_state="ready_to_depart")
        _event(case, "step_completed", at, step=_step(case, dt.date(2026, 10, 30)))
    services.rollup_run(lag=LAG0)
    offices = {o.code: o for o in Office.objects.prefetch_related("desks").filter(code__in=[WITA, WIB])}

    def metrics(office: str, month: dt.date):
        return measures.office_month_metrics(office=offices[office], month=month, today=dt.date(2026, 11, 30))

    assert metrics(WITA, dt.date(2026, 10, 1))["median_days_to_ready"].value is None
    assert metrics(WITA, dt.date(2026, 11, 1))["median_days_to_ready"].value == 10.0
    assert metrics(WITA, dt.date(2026, 11, 1))["sla_compliance"].value == 0.0  # late, counted in November
    assert metrics(WIB, dt.date(2026, 10, 1))["median_days_to_ready"].value == 10.0
    assert metrics(WIB, dt.date(2026, 10, 1))["sla_compliance"].value == 0.0
    assert metrics(WIB, dt.date(2026, 11, 1))["median_days_to_ready"].value is None
