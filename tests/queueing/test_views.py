"""The queue pages: kiosk, ticket, counter, display board and its event stream, booking, statistics."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from satuatap.queueing import selectors, services
from satuatap.queueing.models import Ticket, TicketState
from tests import factories
from tests.queueing.conftest import OFFICE

pytestmark = pytest.mark.django_db


def test_kiosk_new_registrant_prints_a_thermal_ticket():
    c = Client()
    page = c.get(f"/queue/kiosk/{OFFICE}/")
    assert page.status_code == 200 and b"kiosk-new" in page.content
    r = c.post(f"/queue/kiosk/{OFFICE}/", {"mode": "new", "priority": "pregnant"})
    assert r.status_code == 302
    ticket_page = c.get(r["Location"])
    assert b"A-001" in ticket_page.content and b"<svg" not in ticket_page.content  # QR only on paper
    assert ticket_page.context["view"].ticket.priority
    token = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    pdf = c.get(f"/queue/t/{token}/ticket.pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 80 and "A-001" in reader.pages[0].extract_text()


def test_kiosk_unknown_case_says_so_without_details():
    r = Client().post(f"/queue/kiosk/{OFFICE}/", {"mode": "case", "value": "LTSA-IDM-2026-99999"})
    assert r.status_code == 400 and b"kiosk-error" in r.content


def test_ticket_status_page_tells_where_to_go_and_links_case_status(disnaker, case_after_reg):
    result = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    token = selectors.ticket_token(visit=result.visit)
    page = Client().get(f"/queue/t/{token}/")
    assert page.status_code == 200
    assert result.ticket.code.encode() in page.content and b"case-status-link" in page.content
    assert case_after_reg.worker.name.encode() not in page.content
    assert Client().get("/queue/t/forged/").status_code == 404


def test_counter_page_call_and_done_routes_on(disnaker, case_after_reg):
    services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    c = Client()
    c.force_login(disnaker)
    assert b"counter-open-form" in c.get("/queue/counter/").content
    c.post("/queue/counter/open/", {"label": "2"})
    c.post("/queue/counter/call/")
    page = c.get("/queue/counter/")
    assert b"current-code" in page.content and b"A-001" in page.content
    t = Ticket.objects.get(state=TicketState.CALLED)
    r = c.post("/queue/counter/done/", {"ticket": t.pk}, follow=True)
    assert b"D-001" in r.content  # the officer is told where the candidate goes next


def test_counter_page_refuses_other_roles():
    c = Client()
    c.force_login(factories.monitor())
    assert c.get("/queue/counter/").status_code == 403
    assert Client().get("/queue/counter/").status_code == 302  # to login


def test_board_page_and_event_stream(disnaker, settings):
    services.visit_start(office_code=OFFICE, new_registrant=True)
    services.counter_open(actor=disnaker, label="1")
    services.call_next(actor=disnaker)
    page = Client().get(f"/queue/board/{OFFICE}/")
    assert page.status_code == 200 and b"A-001" in page.content and b"board.js" in page.content
    state = Client().get(f"/queue/board/{OFFICE}/state.json").json()
    assert state["calls"][0]["ticket"] == "A-001"
    from satuatap.queueing import views

    views.SSE_MAX_S, saved = 0.2, views.SSE_MAX_S
    try:
        r = Client().get(f"/queue/board/{OFFICE}/events/")
        body = b"".join(r.streaming_content).decode()
    finally:
        views.SSE_MAX_S = saved
    assert r["Content-Type"] == "text/event-stream"
    assert "retry: 2000" in body and "event: board" in body and "A-001" in body


def test_booking_page_books_and_cancels(settings):
    from tests.queueing.test_api import _next_open_day

    day = _next_open_day()
    c = Client()
    page = c.get(f"/queue/book/{OFFICE}/?service=DINKES&day={day}")
    assert page.status_code == 200 and b"book-form" in page.content
    r = c.post(f"/queue/book/{OFFICE}/", {"service": "DINKES", "day": str(day), "slot": "08:30"})
    assert r.status_code == 302
    confirmation = c.get(r["Location"])
    assert b"appt-code" in confirmation.content
    r = c.post(r["Location"], follow=True)
    assert b"appt-cancel" not in r.content


def test_stats_page_for_head(disnaker):
    head = factories.head(OFFICE)
    factories.otp_login(c := Client(), head)
    services.visit_start(office_code=OFFICE, new_registrant=True)
    page = c.get("/queue/stats/")
    assert page.status_code == 200 and b"queue-stats" in page.content
    assert b'colspan="8"' not in page.content  # a row of figures, not the "no tickets" line


def test_event_stream_resumes_after_last_event_id(disnaker):
    from satuatap.queueing import views

    services.visit_start(office_code=OFFICE, new_registrant=True)
    current = selectors.last_change(office_id=OFFICE)
    views.SSE_MAX_S, saved = 0.2, views.SSE_MAX_S
    try:
        r = Client().get(f"/queue/board/{OFFICE}/events/", HTTP_LAST_EVENT_ID=str(current))
        body = b"".join(r.streaming_content).decode()
    finally:
        views.SSE_MAX_S = saved
    # a reconnecting board that has seen the latest change gets only keep-alives until the next one
    assert "event: board" not in body and ": keep-alive" in body


def test_kiosk_in_english():
    c = Client()
    c.cookies["django_language"] = "en"
    page = c.get(f"/queue/kiosk/{OFFICE}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Take a queue ticket" in page.content and b"Pregnant" not in page.content
    assert b"pregnant" in page.content  # the English half of the priority label


def test_index_links_every_office_and_monitor_statistics():
    page = Client().get("/queue/")
    assert page.status_code == 200 and b"/queue/kiosk/LTSA-SBY/" in page.content
    assert b"/queue/stats/" not in page.content
    c = Client()
    c.force_login(factories.monitor("32"))
    page = c.get("/queue/")
    assert b"/queue/stats/?office=LTSA-IDM" in page.content
    assert c.get("/queue/stats/?office=LTSA-IDM").status_code == 200
    assert c.get("/queue/stats/?office=LTSA-SBY").status_code == 403  # another region


def test_kiosk_on_a_58_mm_printer_prints_58_mm_tickets():
    c = Client()
    r = c.post(f"/queue/kiosk/{OFFICE}/?paper=58", {"mode": "new", "priority": "none"})
    assert r.status_code == 302 and r["Location"].endswith("?paper=58")
    page = c.get(r["Location"])
    href = page.content.decode().split('id="ticket-print"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert href.endswith("?w=58")
    pdf = PdfReader(io.BytesIO(c.get(href).content))
    assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == 58
