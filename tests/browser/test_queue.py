"""The queue in a real browser: a candidate takes a ticket at the kiosk with their case number, the health desk
calls it to counter 1 and completes the medical step on the case page, the visit moves by itself to the manpower
desk (where the next ready step is), that desk calls it, and the TV board (1920x1080) shows both calls, the
second one arriving live over its event stream.

Screenshots in tests/artifacts/: queue-kiosk-id, queue-kiosk-ticket-id, queue-counter-id, queue-board-1080p.
"""

from __future__ import annotations

import random
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from satuatap.queueing import views as queue_views
from satuatap.queueing.models import Ticket, TicketState
from satuatap.web.demo import sample_outcome
from tests.browser.conftest import shot
from tests.browser.helpers import OFFICE, desk_officers, fill_outcome, login, logout, open_case
from tests.factories import outcome, worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def short_streams(monkeypatch):
    # Each board stream ends quickly so the live server's threads are free when the test ends.
    monkeypatch.setattr(queue_views, "SSE_MAX_S", 4.0)
    cache.clear()
    yield
    cache.clear()


def _ready_for_medical(officers):
    """A case whose manpower steps so far are done: MED (health), SKCK, BPJS and BANK are ready."""
    from satuatap.journey import services as journey_services

    case = open_case(officers["DISNAKER"], worker())
    for code, kind in (("REG", "registration"), ("SEL", "selection"), ("CERT", "certificate")):
        journey_services.step_complete(actor=officers["DISNAKER"], case_number=case.number, step_code=code,
                                       outcome=outcome(kind))
    return case


def test_kiosk_ticket_called_at_desk_a_moves_to_desk_b_and_board_shows_both(page: Page, browser):
    officers = desk_officers()
    case = _ready_for_medical(officers)

    # Kiosk (touch screen, Indonesian): case number, priority chosen by the greeter.
    page.goto(page.base + f"/queue/kiosk/{OFFICE}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Ambil tiket antrean")
    page.check("#priority-pregnant")
    page.fill("#kiosk-value", case.number)
    shot(page, "queue-kiosk-id")
    page.click("#kiosk-case")
    expect(page.locator("#ticket-code")).to_have_text("D-001")
    expect(page.locator("#ticket-desk")).to_contain_text("Loket Kesehatan")
    expect(page.locator("main")).not_to_contain_text(case.worker.name)
    shot(page, "queue-kiosk-ticket-id")
    pdf = page.request.get(page.base + page.locator("#ticket-print").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The TV board, open all along at 1920x1080.
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="id-ID")
    board = tv.new_page()
    board.goto(page.base + f"/queue/board/{OFFICE}/")
    expect(board.locator("#board-serving tr[data-agency='DINKES'] .waiting")).to_have_text("1")

    # Desk A: health. Open counter 1, call next.
    login(page, officers["DINKES"].username)
    page.goto(page.base + "/queue/counter/")
    page.fill("#counter-label", "1")
    page.click("#counter-open")
    page.click("#counter-call")
    expect(page.locator("#current-code")).to_have_text("D-001")
    expect(page.locator("#counter-current")).to_contain_text("Ibu hamil")
    shot(page, "queue-counter-id")
    # the board hears of the call over its event stream
    expect(board.locator("#board-calls li").first).to_contain_text("D-001")
    expect(board.locator("#board-serving tr[data-agency='DINKES'] .serving-ticket")).to_have_text("D-001")

    # The health desk completes the medical step on the case page (linked from the counter).
    page.click("#current-case")
    expect(page.locator("#case-number")).to_have_text(case.number)
    page.click("#start-MED")
    expect(page.locator("article#step-MED")).to_have_attribute("data-state", "in_progress")
    fill_outcome(page, "MED", sample_outcome("medical", random.Random(3), timezone.localdate()))
    page.click("#complete-MED")
    expect(page.locator("article#step-MED")).to_have_attribute("data-state", "done")

    # The visit moved on by itself: PA is now ready at the manpower desk, whose queue is shortest (empty).
    moved = Ticket.objects.get(visit__case=case, state=TicketState.WAITING)
    assert moved.agency_id == "DISNAKER" and moved.code == "A-001"
    assert moved.arrived_at == Ticket.objects.get(visit__case=case, agency_id="DINKES").arrived_at
    page.goto(page.base + "/queue/counter/")
    expect(page.locator("#counter-idle")).to_be_visible()
    logout(page)

    # Voice on: the next call is announced in Indonesian (speech synthesis stubbed to record what it says).
    board.evaluate("""() => { window.spoken = [];
        const fake = { speak: (u) => window.spoken.push(u.text + '|' + u.lang), cancel: () => {} };
        Object.defineProperty(window, 'speechSynthesis', { value: fake, configurable: true });
        window.SpeechSynthesisUtterance = window.SpeechSynthesisUtterance || function (t) { this.text = t; }; }""")
    board.click("#board-voice")
    expect(board.locator("#board-voice")).to_have_attribute("aria-pressed", "true")

    # Desk B: manpower calls it.
    login(page, officers["DISNAKER"].username)
    page.goto(page.base + "/queue/counter/")
    page.fill("#counter-label", "3")
    page.click("#counter-open")
    expect(page.locator("#counter-waiting")).to_contain_text("A-001")
    page.click("#counter-call")
    expect(page.locator("#current-code")).to_have_text("A-001")

    # The board shows both calls, the newest first, with their counters.
    calls = board.locator("#board-calls li")
    expect(calls.nth(0)).to_contain_text("A-001")
    expect(calls.nth(0)).to_contain_text("Loket Ketenagakerjaan 3")
    expect(calls.nth(1)).to_contain_text("D-001")
    expect(board.locator("#board-serving tr[data-agency='DISNAKER'] .serving-ticket")).to_have_text("A-001")
    # readable from 5 m: the called ticket is drawn at least 60 px high on a 1080p screen
    box = calls.nth(0).locator(".call-ticket").bounding_box()
    assert box is not None and box["height"] >= 60
    assert board.evaluate("window.boardEvents") >= 1
    spoken = [s for s in board.evaluate("window.spoken") if s.split("|")[0]]
    assert any("Nomor antrean" in s and "Loket Ketenagakerjaan" in s and s.endswith("|id-ID") for s in spoken), spoken
    shot(board, "queue-board-1080p", full_page=False)
    tv.close()


def test_booking_an_appointment_on_a_phone(page: Page, browser):
    from satuatap.reference import selectors as reference_selectors

    day = reference_selectors.working_days_add(timezone.localdate(), 1)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    p = phone.new_page()
    p.goto(page.base + f"/queue/book/{OFFICE}/?service=DINKES&day={day.isoformat()}")
    expect(p.locator("h1")).to_have_text("Buat janji temu")
    p.locator("#book-form input[name=slot]:not([disabled])").first.check()
    p.fill("#book-case", "")
    shot(p, "queue-book-phone")
    assert p.evaluate("document.scrollingElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    p.click("#book-submit")
    expect(p.locator("#appt-code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    expect(p.locator("#appt-status")).to_have_text("Terjadwal")
    shot(p, "queue-appointment-phone")
    p.click("#appt-cancel")
    expect(p.locator("#appt-status")).to_have_text("Dibatalkan")
    phone.close()
