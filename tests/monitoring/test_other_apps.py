"""Figures from the queue and the checkpoints: the queue's median wait scores its criterion (and ticket days count
as open days), the dashboard shows today's queue per desk and the stopped attempts of the office's cases, and
the statistics count returns home."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from satuatap.cards.models import Abroad, Checkpoint, DepartureAttempt
from satuatap.monitoring import measures, selectors, services
from satuatap.queueing.models import Ticket, Visit
from satuatap.reference.models import Office
from tests import factories

TZ = timezone.get_current_timezone()


def _ticket(office: str, agency: str, day: dt.date, wait_min: int, *, state: str = "done", n: int = 1) -> Ticket:
    at = dt.datetime.combine(day, dt.time(9), TZ)
    visit = Visit.objects.create(office_id=office, day=day, number=n, arrived_at=at, status="done")
    return Ticket.objects.create(
        visit=visit, office_id=office, agency_id=agency, day=day, code=f"A{n:03d}", state=state, arrived_at=at,
        queued_at=at, called_at=at + dt.timedelta(minutes=wait_min),
        finished_at=at + dt.timedelta(minutes=wait_min + 10) if state == "done" else None,
    )


@pytest.mark.django_db
def test_queue_wait_is_scored_and_ticket_days_count_as_open():
    office = Office.objects.prefetch_related("desks").get(code="LTSA-IDM")
    october = dt.date(2026, 10, 1)
    assert measures.office_month_metrics(office=office, month=october,
                                         today=dt.date(2026, 11, 5))["median_queue_wait"].value is None
    working = measures._working_days(october, dt.date(2026, 10, 31))
    for i, day in enumerate(working):
        _ticket("LTSA-IDM", "DISNAKER", day, 10 + (i % 3) * 10, n=i + 1)  # waits 10, 20, 30 minutes
    metrics = measures.office_month_metrics(office=office, month=october, today=dt.date(2026, 11, 5))
    assert metrics["median_queue_wait"].value == 1200  # 20 minutes: partial (full <= 900 s, partial <= 1800 s)
    assert metrics["open_days_share"].value == 1.0  # every working day had tickets, no journey events needed
    services.rubric_load()
    [result] = services.offices_classify(month=october, office_ids=["LTSA-IDM"], today=dt.date(2026, 11, 5))
    levels = {c["id"]: c["level"] for c in result.criteria}
    assert levels["median_queue_wait"] == "partial" and levels["open_days_share"] == "full"


@pytest.mark.django_db
def test_dashboard_shows_todays_queue_and_stopped_attempts():
    today = timezone.localdate()
    _ticket("LTSA-IDM", "DISNAKER", today, 5, n=1)
    _ticket("LTSA-IDM", "DISNAKER", today, 15, n=2, state="waiting")
    _ticket("LTSA-SBY", "DISNAKER", today, 5, n=3)
    head = factories.head("LTSA-IDM")
    board = selectors.office_dashboard(user=head)
    assert board.stopped is None  # no checkpoint has recorded anything yet
    [desk] = board.queue["desks"]
    assert (desk["agency_id"], desk["tickets"], desk["served"], desk["waiting"]) == ("DISNAKER", 2, 1, 1)
    officer = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(officer, factories.worker())
    post = Checkpoint.objects.create(code="CGK", name="Soekarno-Hatta", kind="airport", city="Tangerang")
    now = timezone.now()
    for reason, case_ref in (("no_card", case), ("no_card", None), ("revoked", case)):
        DepartureAttempt.objects.create(checkpoint=post, outcome="stopped", reason=reason, case=case_ref,
                                        occurred_on=today, created_at=now)
    board = selectors.office_dashboard(user=head)
    assert board.stopped == {"total": 2, "by_reason": {"no_card": 1, "revoked": 1}}
    national = selectors.stats_filter(user=factories.monitor(), params={"year": today.year})
    assert selectors.stopped_attempts_table(f=national) == {"": 3}
    west_java = selectors.stats_filter(user=factories.monitor("32"), params={"year": today.year})
    assert selectors.stopped_attempts_table(f=west_java) == {"": 2}  # the two of a case from West Java
    client = Client()
    factories.otp_login(client, head)
    page = client.get("/monitoring/office/")
    assert b"queue-table" in page.content and b"stopped-total" in page.content


@pytest.mark.django_db
def test_returns_home_by_country():
    officer = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(officer, factories.worker("32.12"))
    Abroad.objects.create(case=case, worker=case.worker, office_id="LTSA-IDM", regency_id="32.12", country_id="HK",
                          departed_on=dt.date(2024, 1, 10), status="returned", returned_on=dt.date(2026, 3, 2),
                          created_at=timezone.now())
    national = factories.monitor()
    f = selectors.stats_filter(user=national, params={"year": 2026})
    assert selectors.returns_table(f=f) == {"HK": 1}
    east_java = factories.monitor("35")
    assert selectors.returns_table(f=selectors.stats_filter(user=east_java, params={"year": 2026})) == {}
    client = Client()
    client.force_login(national)
    assert client.get("/monitoring/statistics/?year=2026").context["returns_total"] == 1
