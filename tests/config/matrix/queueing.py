"""Access rows of the queue (queueing app): public kiosk, board and booking per office; counters for desk officers
of their own desk; statistics for the office's head, monitors of its region and admins.

World: the manpower desk officer of office A has counter "M1" open and is serving ticket `queue_called`;
`queue_waiting` waits at the manpower desk; `queue_appointment` is booked for the next working day and
`queue_appointment_today` for now (check-in). Public endpoints are rate-limited per client address, but every
cell comes from its own address with the caches cleared, so they must succeed (a 429 is a failure).
"""

from __future__ import annotations

import datetime as dt

from tests.config.matrix import REFUSED, Row, expect


def setup(world) -> None:
    from django.utils import timezone

    from satuatap.queueing import selectors, services
    from satuatap.queueing.models import Appointment
    from satuatap.reference import selectors as reference_selectors

    office = world.ids["office"]
    called = services.visit_start(office_code=office, new_registrant=True)
    waiting = services.visit_start(office_code=office, new_registrant=True)
    officer = world.users["desk_disnaker"]
    services.counter_open(actor=officer, label="M1")
    ticket = services.call_next(actor=officer)
    assert ticket is not None and ticket.pk == called.ticket.pk
    world.ids["queue_called"] = ticket.pk
    world.ids["queue_waiting"] = waiting.ticket.pk
    world.ids["queue_token"] = selectors.ticket_token(visit=called.visit)
    today = timezone.localdate()
    day = reference_selectors.working_days_add(today, 1)
    world.ids["queue_day"] = day.isoformat()
    world.ids["queue_from"] = (today - dt.timedelta(days=7)).isoformat()
    world.ids["queue_to"] = today.isoformat()
    world.ids["queue_appointment"] = services.appointment_book(
        office_code=office, agency_id="DINKES", day=day, slot=dt.time(9, 0)).code
    now = timezone.now()
    world.ids["queue_appointment_today"] = Appointment.objects.create(
        code="MATRIXQ1", office_id=office, agency_id="DISNAKER", day=today, slot=now.time().replace(microsecond=0),
        starts_at=now, created_at=now).code


# The auditor is sent to the second-factor page first when the world has not verified one (302), else refused.
AUDITOR = 403  # past the second factor (the world logs everyone in with it), refused for the role
COUNTER_PAGE = expect(403, anonymous=302, desks=200, desk_disnaker_b=200, admin=200, auditor=AUDITOR)
# Counter actions: desk officers and admins are sent back to the counter page; a refusal is an error message
# there (REFUSED), a success a plain 302. Only the manpower officer of office A has a counter (M1, serving
# `queue_called`); every other desk has none, and admins keep no counter.
COUNTER_POST = expect(403, anonymous=302, desks=REFUSED, desk_disnaker_b=REFUSED, admin=REFUSED, auditor=AUDITOR)
# API counter actions: only the manpower officer of office A has a counter open; other desk officers are told
# to open one first (409); non-officers are refused.
NOT_OPEN = 409
API_DESKS = {"desks": NOT_OPEN, "desk_disnaker_b": NOT_OPEN}
STATS = expect(403, anonymous=401, head=200, monitor=200, monitor_region=200, admin=200)

ROWS = [
    # --- pages, public -------------------------------------------------------------------------------
    Row("GET", "queue/", "/queue/", expect(200)),
    Row("GET", "queue/kiosk/<str:office>/", "/queue/kiosk/{office}/", expect(200)),
    Row("POST", "queue/kiosk/<str:office>/", "/queue/kiosk/{office}/", expect(302),
        data={"mode": "new", "priority": "none"}, note="takes a ticket: public"),
    Row("GET", "queue/kiosk/<str:office>/ticket/<str:token>/", "/queue/kiosk/{office}/ticket/{queue_token}/",
        expect(200)),
    Row("GET", "queue/t/<str:token>/", "/queue/t/{queue_token}/", expect(200)),
    Row("GET", "queue/t/<str:token>/ticket.pdf", "/queue/t/{queue_token}/ticket.pdf", expect(200)),
    Row("GET", "queue/board/<str:office>/", "/queue/board/{office}/", expect(200)),
    Row("GET", "queue/board/<str:office>/events/", "/queue/board/{office}/events/", expect(200),
        note="event stream (the body is not read)"),
    Row("GET", "queue/board/<str:office>/state.json", "/queue/board/{office}/state.json", expect(200)),
    Row("GET", "queue/book/<str:office>/", "/queue/book/{office}/?service=DINKES&day={queue_day}", expect(200)),
    Row("POST", "queue/book/<str:office>/", "/queue/book/{office}/", expect(302),
        data={"service": "DINKES", "day": "{queue_day}", "slot": "10:00"}),
    Row("GET", "queue/appointment/<str:code>/", "/queue/appointment/{queue_appointment}/", expect(200)),
    Row("POST", "queue/appointment/<str:code>/", "/queue/appointment/{queue_appointment}/", expect(302),
        data={}, note="cancels: the code is the key"),
    # --- pages, desk officers and heads --------------------------------------------------------------------
    Row("GET", "queue/counter/", "/queue/counter/", COUNTER_PAGE),
    Row("POST", "queue/counter/<slug:action>/", "/queue/counter/call/", COUNTER_POST,
        note="nobody may call: M1 is still serving, the other desks have no counter open"),
    Row("POST", "queue/counter/<slug:action>/", "/queue/counter/open/",
        expect(403, anonymous=302, desks=302, desk_disnaker_b=302, desk_disnaker=REFUSED, admin=REFUSED,
               auditor=AUDITOR), data={"label": "X9"},
        note="desk officers open a counter; M1's officer cannot leave it while serving; admins are no desk"),
    Row("POST", "queue/counter/<slug:action>/", "/queue/counter/done/",
        expect(403, anonymous=302, desks=REFUSED, desk_disnaker_b=REFUSED, desk_disnaker=302, admin=REFUSED,
               auditor=AUDITOR), data={"ticket": "{queue_called}"},
        note="only the officer serving the ticket finishes it"),
    Row("GET", "queue/stats/", "/queue/stats/?office={office}",
        expect(403, anonymous=302, head=200, monitor=200, monitor_region=200, admin=200, auditor=AUDITOR)),
    # --- API, counters -----------------------------------------------------------------------------------
    Row("GET", "api/v1/queue/counter", "/api/v1/queue/counter", expect(200, anonymous=401),
        note="the caller's own counter (null for anyone without one)"),
    Row("POST", "api/v1/queue/counter/open", "/api/v1/queue/counter/open",
        expect(403, anonymous=401, desks=200, desk_disnaker_b=200, desk_disnaker=409), data={"label": "X9"},
        note="desk_disnaker: 409, cannot leave counter M1 while serving"),
    Row("POST", "api/v1/queue/counter/close", "/api/v1/queue/counter/close",
        expect(403, anonymous=401, **API_DESKS, desk_disnaker=409), note="409 for desk_disnaker: still serving"),
    Row("POST", "api/v1/queue/counter/call-next", "/api/v1/queue/counter/call-next",
        expect(403, anonymous=401, **API_DESKS), note="desk_disnaker: 409, still serving"),
    Row("POST", "api/v1/queue/tickets/<ticket_id>/recall", "/api/v1/queue/tickets/{queue_called}/recall",
        expect(403, anonymous=401, **API_DESKS, desk_disnaker=200)),
    Row("POST", "api/v1/queue/tickets/<ticket_id>/no-show", "/api/v1/queue/tickets/{queue_called}/no-show",
        expect(403, anonymous=401, **API_DESKS), note="desk_disnaker: 409, recall first"),
    Row("POST", "api/v1/queue/tickets/<ticket_id>/transfer", "/api/v1/queue/tickets/{queue_called}/transfer",
        expect(403, anonymous=401, **API_DESKS, desk_disnaker=200), data={"to": "DUKCAPIL", "reason": "KK beda"}),
    Row("POST", "api/v1/queue/tickets/<ticket_id>/done", "/api/v1/queue/tickets/{queue_called}/done",
        expect(403, anonymous=401, **API_DESKS, desk_disnaker=200), data={}),
    # --- API, public -------------------------------------------------------------------------------------
    Row("POST", "api/v1/queue/offices/<office>/tickets", "/api/v1/queue/offices/{office}/tickets",
        expect(201), data={"new_registrant": True}),
    Row("GET", "api/v1/queue/offices/<office>/board", "/api/v1/queue/offices/{office}/board", expect(200)),
    Row("GET", "api/v1/queue/offices/<office>/slots",
        "/api/v1/queue/offices/{office}/slots?service=DINKES&day={queue_day}", expect(200)),
    Row("POST", "api/v1/queue/offices/<office>/appointments", "/api/v1/queue/offices/{office}/appointments",
        expect(201), data={"service": "DINKES", "day": "{queue_day}", "slot": "11:00"}),
    Row("GET", "api/v1/queue/appointments/<code>", "/api/v1/queue/appointments/{queue_appointment}",
        expect(200)),
    Row("POST", "api/v1/queue/appointments/<code>/cancel", "/api/v1/queue/appointments/{queue_appointment}/cancel",
        expect(200), data={}),
    Row("POST", "api/v1/queue/offices/<office>/check-in", "/api/v1/queue/offices/{office}/check-in",
        expect(200), data={"code": "{queue_appointment_today}"}),
    # --- API, statistics ---------------------------------------------------------------------------------
    Row("GET", "api/v1/queue/offices/<office>/stats",
        "/api/v1/queue/offices/{office}/stats?date_from={queue_from}&date_to={queue_to}", STATS),
]
