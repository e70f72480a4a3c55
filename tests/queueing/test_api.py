"""The queue API as a kiosk, a counter, a display and a person booking use it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from satuatap.queueing.models import Appointment, AppointmentStatus
from satuatap.reference import selectors as reference_selectors
from tests import factories
from tests.queueing.conftest import OFFICE

pytestmark = pytest.mark.django_db
BASE = "/api/v1/queue"


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _post(c, url, data=None):
    return c.post(url, data or {}, content_type="application/json")


def test_kiosk_counter_flow_through_the_api(disnaker):
    kiosk = _client()
    r = _post(kiosk, f"{BASE}/offices/{OFFICE}/tickets", {"new_registrant": True, "priority": "elderly"})
    assert r.status_code == 201, r.content
    slip = r.json()
    assert slip["code"] == "A-001" and slip["desk"] == "DISNAKER" and slip["status_url"].startswith("/queue/t/")
    assert _client().get(slip["status_url"]).status_code == 200
    pdf = _client().get(slip["slip_pdf_url"] + "?w=58")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    officer = _client(disnaker)
    assert officer.get(f"{BASE}/counter").json() is None
    r = _post(officer, f"{BASE}/counter/open", {"label": "4"})
    assert r.status_code == 200 and r.json()["waiting"][0]["code"] == "A-001"
    called = _post(officer, f"{BASE}/counter/call-next").json()["ticket"]
    assert called["code"] == "A-001" and called["counter"] == "4"
    assert _post(officer, f"{BASE}/counter/call-next").status_code == 409  # still serving
    board = _client().get(f"{BASE}/offices/{OFFICE}/board").json()
    assert board["calls"][0]["ticket"] == "A-001"
    r = _post(officer, f"{BASE}/tickets/{called['id']}/transfer", {"to": "DUKCAPIL", "reason": "KK beda"})
    assert r.status_code == 200 and r.json()["code"] == "C-001"
    assert _post(officer, f"{BASE}/counter/call-next").json()["ticket"] is None
    assert _post(officer, f"{BASE}/counter/close").status_code == 204


def test_counter_endpoints_need_a_desk_officer():
    assert _post(_client(), f"{BASE}/counter/call-next").status_code == 401
    r = _post(_client(factories.monitor()), f"{BASE}/counter/open", {"label": "1"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden_not_desk_officer"


def test_kiosk_nik_lookup_shows_no_name(disnaker):
    case = factories.open_case(disnaker, factories.worker())
    r = _post(_client(), f"{BASE}/offices/{OFFICE}/tickets", {"nik": case.worker.nik})
    assert r.status_code == 201
    body = r.content.decode()
    assert case.worker.name not in body and case.number not in body and case.worker.nik not in body
    r = _post(_client(), f"{BASE}/offices/{OFFICE}/tickets", {"nik": "3212015705960099"})
    assert r.status_code == 404 and r.json()["code"] == "queue_case_not_found"


def test_stats_for_head_and_monitor_only(disnaker):
    today = dt.date.today().isoformat()
    url = f"{BASE}/offices/{OFFICE}/stats?date_from={today}&date_to={today}"
    assert _client(disnaker).get(url).status_code == 403
    assert _client(factories.head(OFFICE)).get(url).status_code == 200
    assert _client(factories.monitor()).get(url).status_code == 200
    assert _client(factories.head("LTSA-SBY")).get(url).status_code == 403


def _next_open_day() -> dt.date:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in reference_selectors.holiday_dates():
        day += dt.timedelta(days=1)
    return day


def test_booking_capacity_cancel_and_check_in(settings):
    settings.QUEUE_RATE_LIMITS = {"book": (1000, 60)}
    from satuatap.queueing.models import ServiceCapacity

    ServiceCapacity.objects.create(office_id=OFFICE, agency_id="DINKES", daily_capacity=2)
    day = _next_open_day()
    c = _client()
    slots = c.get(f"{BASE}/offices/{OFFICE}/slots?service=DINKES&day={day}").json()
    assert slots[0] == {"slot": "08:00:00", "free": 1}
    r1 = _post(c, f"{BASE}/offices/{OFFICE}/appointments", {"service": "DINKES", "day": str(day), "slot": "08:00"})
    assert r1.status_code == 201, r1.content
    r = _post(c, f"{BASE}/offices/{OFFICE}/appointments", {"service": "DINKES", "day": str(day), "slot": "08:00"})
    assert r.status_code == 409 and r.json()["code"] == "appointment_slot_full"
    assert _post(c, f"{BASE}/offices/{OFFICE}/appointments",
                 {"service": "DINKES", "day": str(day), "slot": "09:00"}).status_code == 201
    r = _post(c, f"{BASE}/offices/{OFFICE}/appointments", {"service": "DINKES", "day": str(day), "slot": "10:00"})
    assert r.json()["code"] == "appointment_day_full"
    code = r1.json()["code"]
    assert _post(c, f"{BASE}/appointments/{code}/cancel").json()["status"] == "cancelled"
    # the cancelled place is free again
    assert _post(c, f"{BASE}/offices/{OFFICE}/appointments",
                 {"service": "DINKES", "day": str(day), "slot": "10:00"}).status_code == 201
    # closed days: a Sunday
    sunday = day + dt.timedelta(days=(6 - day.weekday()))
    r = _post(c, f"{BASE}/offices/{OFFICE}/appointments", {"service": "DINKES", "day": str(sunday), "slot": "08:00"})
    assert r.json()["code"] == "appointment_office_closed"


def test_check_in_turns_booking_into_ticket_served_in_its_slot(disnaker):
    from django.utils import timezone

    from satuatap.queueing import services

    services.visit_start(office_code=OFFICE, new_registrant=True)  # someone arrived earlier
    now = timezone.now()
    appt = Appointment.objects.create(code="TESTCODE", office_id=OFFICE, agency_id="DISNAKER",
                                      day=timezone.localdate(), slot=now.time(), starts_at=now, created_at=now)
    r = _post(_client(), f"{BASE}/offices/{OFFICE}/check-in", {"code": "testcode"})
    assert r.status_code == 200, r.content
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN
    services.counter_open(actor=disnaker, label="1")
    assert services.call_next(actor=disnaker).code == r.json()["code"]  # ahead of the earlier arrival
    again = _post(_client(), f"{BASE}/offices/{OFFICE}/check-in", {"code": "TESTCODE"})
    assert again.status_code == 409


def test_public_booking_is_rate_limited(settings):
    settings.QUEUE_RATE_LIMITS = {"book": (2, 600)}
    day = _next_open_day()
    c = _client()
    codes = [_post(c, f"{BASE}/offices/{OFFICE}/appointments",
                   {"service": "BANK", "day": str(day), "slot": "13:00"}).status_code for _ in range(3)]
    assert codes[-1] == 429


def test_no_booking_on_a_public_holiday(settings):
    settings.QUEUE_RATE_LIMITS = {"book": (1000, 60)}
    today = dt.date.today()
    holiday = min((d for d in reference_selectors.holiday_dates() if d > today and d.weekday() < 5), default=None)
    if holiday is None:
        pytest.skip("no weekday holiday ahead in the loaded calendar")
    r = _post(_client(), f"{BASE}/offices/{OFFICE}/appointments",
              {"service": "DINKES", "day": str(holiday), "slot": "08:00"})
    assert r.status_code in (400, 422) and r.json()["code"] == "appointment_office_closed"
    assert _client().get(f"{BASE}/offices/{OFFICE}/slots?service=DINKES&day={holiday}").json() == []


def test_guessing_nik_at_the_kiosk_is_stopped(settings):
    from django.core.cache import cache

    cache.clear()
    settings.QUEUE_LOOKUP_FAILURES = (3, 600)
    c = _client()
    url = f"{BASE}/offices/{OFFICE}/tickets"
    codes = [_post(c, url, {"nik": f"32120157059600{i:02d}"}).status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]
    # once blocked, this client gets no ticket at all until the window ends (an officer helps)
    assert _post(c, url, {"new_registrant": True}).status_code == 429
    cache.clear()


def test_company_users_see_no_queue_statistics():
    from satuatap.placement.models import CompanyMembership

    user = factories.monitor()
    CompanyMembership.objects.create(user=user, company=factories.job_order().company)
    today = dt.date.today().isoformat()
    r = _client(user).get(f"{BASE}/offices/{OFFICE}/stats?date_from={today}&date_to={today}")
    assert r.status_code == 403
