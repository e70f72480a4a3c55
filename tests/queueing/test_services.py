"""Tickets, counters and routing across desks, as officers and candidates meet them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.queueing import selectors, services
from satuatap.queueing.models import Priority, Ticket, TicketEvent, TicketState, VisitStatus
from tests import factories
from tests.queueing.conftest import OFFICE, complete

pytestmark = pytest.mark.django_db


def _new(priority=Priority.NONE):
    return services.visit_start(office_code=OFFICE, new_registrant=True, priority=priority)


def test_new_registrant_goes_to_manpower_desk_with_prefixed_number():
    first, second = _new(), _new()
    assert first.ticket.agency_id == "DISNAKER"
    assert first.ticket.code == "A-001" and second.ticket.code == "A-002"
    assert first.ticket.state == TicketState.WAITING
    assert TicketEvent.objects.filter(ticket=first.ticket, kind="queued").count() == 1


def test_case_number_lookup_sends_to_desk_with_ready_step(disnaker):
    case = factories.open_case(disnaker, factories.worker())
    result = services.visit_start(office_code=OFFICE, case_number=case.number.lower())
    assert result.ticket.agency_id == "DISNAKER"  # REG is the only ready step
    again = services.visit_start(office_code=OFFICE, nik=case.worker.nik)
    assert again.existing and again.ticket.pk == result.ticket.pk  # no second ticket for the same visit


def test_unknown_case_or_nik_reveals_nothing():
    with pytest.raises(NotFound) as exc:
        services.visit_start(office_code=OFFICE, nik="3212015705960001")
    assert exc.value.code == "queue_case_not_found"
    with pytest.raises(ValidationFailed):
        services.visit_start(office_code=OFFICE)


def test_call_order_priority_before_arrival_and_appointment_in_slot_first(disnaker):
    plain = _new()
    elderly = _new(Priority.ELDERLY)
    services.counter_open(actor=disnaker, label="1")
    # an appointment whose slot has come goes first
    appt_visit = _new()
    Ticket.objects.filter(pk=appt_visit.ticket.pk).update(appointment_at=timezone.now() - dt.timedelta(minutes=1))
    order = [services.call_next(actor=disnaker) for _ in range(1)]
    assert order[0].pk == appt_visit.ticket.pk
    services.ticket_done(actor=disnaker, ticket_id=order[0].pk)
    assert services.call_next(actor=disnaker).pk == elderly.ticket.pk
    services.ticket_done(actor=disnaker, ticket_id=elderly.ticket.pk)
    assert services.call_next(actor=disnaker).pk == plain.ticket.pk


def test_counter_serves_one_ticket_at_a_time_and_only_own_desk(disnaker):
    _new(), _new()
    services.counter_open(actor=disnaker, label="2")
    t = services.call_next(actor=disnaker)
    with pytest.raises(Conflict) as exc:
        services.call_next(actor=disnaker)
    assert exc.value.code == "counter_busy"
    other = factories.officer(OFFICE, "DUKCAPIL")
    services.counter_open(actor=other, label="1")
    assert services.call_next(actor=other) is None  # DISNAKER's tickets are not in Dukcapil's queue
    with pytest.raises(PermissionDenied):
        services.ticket_done(actor=other, ticket_id=t.pk)
    with pytest.raises(Conflict):
        services.counter_open(actor=factories.officer(OFFICE, "DISNAKER"), label="2")  # taken


def test_head_cannot_open_a_counter():
    with pytest.raises(PermissionDenied):
        services.counter_open(actor=factories.head(OFFICE), label="1")


def test_no_show_only_after_recalls_and_ends_the_visit(disnaker):
    v = _new()
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    with pytest.raises(Conflict) as exc:
        services.ticket_no_show(actor=disnaker, ticket_id=t.pk)
    assert exc.value.code == "no_show_too_early"
    services.ticket_recall(actor=disnaker, ticket_id=t.pk)
    services.ticket_recall(actor=disnaker, ticket_id=t.pk)
    services.ticket_no_show(actor=disnaker, ticket_id=t.pk)
    v.visit.refresh_from_db()
    assert v.visit.status == VisitStatus.NO_SHOW


def test_transfer_keeps_arrival_and_needs_reason(disnaker):
    v = _new()
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    with pytest.raises(ValidationFailed):
        services.ticket_transfer(actor=disnaker, ticket_id=t.pk, to_agency="DUKCAPIL", reason="")
    new = services.ticket_transfer(actor=disnaker, ticket_id=t.pk, to_agency="DUKCAPIL", reason="KTP belum cocok")
    assert new.agency_id == "DUKCAPIL" and new.code == "C-001" and new.arrived_at == v.visit.arrived_at
    t.refresh_from_db()
    assert t.state == TicketState.TRANSFERRED


def test_done_routes_to_next_ready_desk_and_links_new_registrant_case(disnaker, case_after_reg):
    v = _new()
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    result = services.ticket_done(actor=disnaker, ticket_id=t.pk, case_number=case_after_reg.number)
    # ready after REG: SEL/CERT (manpower, excluded just now), MED, SKCK, BPJS, BANK: all queues empty, so the
    # first desk in letter order wins the tie
    assert result.next_ticket is not None and result.next_ticket.agency_id == "DINKES"
    assert result.next_ticket.code == "D-001" and result.next_ticket.arrived_at == v.visit.arrived_at


def test_shortest_expected_wait_first(case_after_reg):
    # one person waits at the manpower desk, two at the health desk; the police desk's queue is empty
    _new()
    for _ in range(2):
        other = _new()
        Ticket.objects.filter(pk=other.ticket.pk).update(agency_id="DINKES")
    result = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    assert result.ticket.agency_id == "POLRI" and result.ticket.code.startswith("F-")


def test_completing_the_step_moves_the_visit_and_finishes_when_nothing_ready(
        disnaker, django_capture_on_commit_callbacks):
    w = factories.worker()
    case = factories.open_case(disnaker, w)
    v = services.visit_start(office_code=OFFICE, case_number=case.number)
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    with django_capture_on_commit_callbacks(execute=True):
        complete(disnaker, case, "REG", "registration")
    t.refresh_from_db()
    # SEL and CERT are ready at the same desk: the candidate stays
    assert t.state == TicketState.CALLED
    with django_capture_on_commit_callbacks(execute=True):
        complete(disnaker, case, "SEL", "selection")
        complete(disnaker, case, "CERT", "certificate")
    t.refresh_from_db()
    assert t.state == TicketState.DONE
    nxt = Ticket.objects.get(visit=v.visit, state=TicketState.WAITING)
    assert nxt.agency_id == "DINKES" and nxt.arrived_at == v.visit.arrived_at
    assert selectors.visit_view(visit=v.visit).ticket.pk == nxt.pk


def test_reject_with_nothing_else_ready_finishes_visit(disnaker, django_capture_on_commit_callbacks):
    from satuatap.journey import services as journey_services

    case = factories.open_case(disnaker, factories.worker())
    v = services.visit_start(office_code=OFFICE, case_number=case.number)
    with django_capture_on_commit_callbacks(execute=True):
        journey_services.step_reject(actor=disnaker, case_number=case.number, step_code="REG",
                                     reason="Dokumen KK belum lengkap")
    v.visit.refresh_from_db()
    assert v.visit.status == VisitStatus.FINISHED
    assert not Ticket.objects.filter(visit=v.visit, state=TicketState.WAITING).exists()


def test_stats_per_desk_and_day(disnaker):
    a, b, _c = _new(), _new(), _new()
    services.counter_open(actor=disnaker, label="1")
    now = timezone.now()
    for v, wait, service in ((a, 60, 300), (b, 120, 600)):
        t = services.call_next(actor=disnaker)
        assert t.pk == v.ticket.pk
        services.ticket_done(actor=disnaker, ticket_id=t.pk)
        Ticket.objects.filter(pk=t.pk).update(queued_at=now - dt.timedelta(seconds=wait + service),
                                              called_at=now - dt.timedelta(seconds=service), finished_at=now)
    t = services.call_next(actor=disnaker)
    for _ in range(2):
        services.ticket_recall(actor=disnaker, ticket_id=t.pk)
    services.ticket_no_show(actor=disnaker, ticket_id=t.pk)
    day = a.ticket.day
    rows = selectors.desk_day_stats(office_ids=[OFFICE], date_from=day, date_to=day)
    row = next(r for r in rows if r["agency_id"] == "DISNAKER")
    assert (row["tickets"], row["served"], row["no_shows"], row["transfers"]) == (3, 2, 1, 0)
    assert row["service_p50_s"] == 300 and row["service_p90_s"] == 600
    assert row["wait_p90_s"] == 120
    assert selectors.median_wait_s(office_id=OFFICE, date_from=day, date_to=day) is not None
    assert selectors.desk_day_stats(office_ids=["LTSA-SBY"], date_from=day, date_to=day) == []


def test_board_shows_codes_only(disnaker, case_after_reg):
    services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    services.counter_open(actor=disnaker, label="3")
    t = services.call_next(actor=disnaker)
    data = selectors.board(office_id=OFFICE)
    desk = next(d for d in data["desks"] if d["agency"] == "DISNAKER")
    assert desk["serving"] == [{"ticket": t.code, "counter": "3"}]
    assert data["calls"][0]["ticket"] == t.code
    assert case_after_reg.worker.name not in str(data) and case_after_reg.number not in str(data)
    before = data["version"]
    services.ticket_recall(actor=disnaker, ticket_id=t.pk)
    assert selectors.last_change(office_id=OFFICE) > before


def test_yesterdays_tickets_are_never_called_and_get_closed(disnaker, case_after_reg):
    from satuatap.queueing.models import Visit

    old = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    yesterday = old.visit.day - dt.timedelta(days=1)
    Visit.objects.filter(pk=old.visit.pk).update(day=yesterday)
    Ticket.objects.filter(visit=old.visit).update(day=yesterday)
    services.counter_open(actor=disnaker, label="1")
    assert services.call_next(actor=disnaker) is None
    # the candidate comes back today: a fresh visit, yesterday's is closed
    again = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    assert not again.existing and again.visit.pk != old.visit.pk
    old.ticket.refresh_from_db()
    assert old.ticket.state == TicketState.CANCELLED
    stale = services.visit_start(office_code=OFFICE, new_registrant=True)
    Visit.objects.filter(pk=stale.visit.pk).update(day=yesterday)
    assert services.visits_close_stale() == 1
    stale.ticket.refresh_from_db()
    assert stale.ticket.state == TicketState.CANCELLED


@pytest.mark.postgres
def test_database_and_python_statistics_agree():
    import random

    from satuatap.queueing import demo
    from satuatap.queueing.selectors import _desk_day_stats_py, _desk_day_stats_sql, _tickets_in

    today = timezone.localdate()
    demo._history(OFFICE, today, random.Random(5))
    qs = _tickets_in([OFFICE], today - dt.timedelta(days=7), today)
    in_db, in_python = _desk_day_stats_sql(qs), _desk_day_stats_py(qs)
    assert len(in_db) > 10 and in_db == in_python


def test_median_wait_of_an_office():
    a, b, c = _new(), _new(), _new()
    now = timezone.now()
    for v, wait in ((a, 60), (b, 120), (c, 600)):
        Ticket.objects.filter(pk=v.ticket.pk).update(queued_at=now - dt.timedelta(seconds=wait), called_at=now)
    day = a.ticket.day
    assert selectors.median_wait_s(office_id=OFFICE, date_from=day, date_to=day) == 120
    assert selectors.median_wait_s(office_id="LTSA-SBY", date_from=day, date_to=day) is None


def test_board_shows_only_todays_calls(disnaker):
    services.visit_start(office_code=OFFICE, new_registrant=True)
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    assert [c["ticket"] for c in selectors.board(office_id=OFFICE)["calls"]] == [t.code]
    TicketEvent.objects.filter(ticket=t).update(created_at=timezone.now() - dt.timedelta(days=1))
    assert selectors.board(office_id=OFFICE)["calls"] == []


def test_a_case_opened_at_the_counter_becomes_the_served_new_registrants(disnaker, django_capture_on_commit_callbacks):
    v = _new()
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    other_desk = factories.officer(OFFICE, "DISNAKER")  # another manpower officer, serving nobody
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = factories.open_case(other_desk, factories.worker())
    v.visit.refresh_from_db()
    assert v.visit.case_id is None  # not the case of someone this counter serves
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.open_case(disnaker, factories.worker())
    v.visit.refresh_from_db()
    assert v.visit.case_id == case.pk and elsewhere.pk != case.pk
    # from now on the visit follows the case's steps: after registration the manpower desk still has ready steps
    # (selection, certificate), so the candidate stays; when the desk is done, the visit goes on, arrival kept
    with django_capture_on_commit_callbacks(execute=True):
        complete(disnaker, case, "REG", "registration")
    t.refresh_from_db()
    assert t.state == TicketState.CALLED
    result = services.ticket_done(actor=disnaker, ticket_id=t.pk)
    assert result.next_ticket is not None and result.next_ticket.agency_id != "DISNAKER"
    assert result.next_ticket.arrived_at == v.visit.arrived_at


def test_appointment_changes_leave_a_history_row():
    from satuatap.accounts.models import AuditEntry
    from satuatap.queueing.models import Appointment, AppointmentStatus

    office = factories.officer(OFFICE, "DISNAKER").office
    now = timezone.now()
    booked = [Appointment.objects.create(code=f"HIST{i}", office=office, agency_id="DISNAKER", day=now.date(),
                                         slot=dt.time(8), starts_at=now - dt.timedelta(hours=2), created_at=now)
              for i in range(2)]
    services.appointment_cancel(code="HIST0")
    assert services.appointments_mark_no_shows(now=now) == 1
    rows = {e.object_id: e.details for e in AuditEntry.objects.filter(object_type="queueing.appointment")}
    assert rows["HIST0"] == {"from": "booked", "to": "cancelled", "office": OFFICE}
    assert rows["HIST1"]["to"] == "no_show"
    assert Appointment.objects.get(pk=booked[1].pk).status == AppointmentStatus.NO_SHOW


def _appointment_now(code, agency_id, case_number, *, minutes_ago=0):
    from satuatap.queueing.models import Appointment

    now = timezone.now()
    starts = now - dt.timedelta(minutes=minutes_ago)
    return Appointment.objects.create(code=code, office_id=OFFICE, agency_id=agency_id, day=timezone.localdate(),
                                      slot=starts.time(), starts_at=starts, case_number=case_number, created_at=now)


def test_appointment_check_in_joins_the_ticket_already_taken_by_case_number(disnaker):
    from satuatap.accounts.models import AuditEntry
    from satuatap.queueing.models import AppointmentStatus

    services.visit_start(office_code=OFFICE, new_registrant=True)  # someone arrived earlier
    case = factories.open_case(disnaker, factories.worker())
    first = services.visit_start(office_code=OFFICE, case_number=case.number)  # ticket by case number first
    appt = _appointment_now("JOINED01", "DISNAKER", case.number)
    result = services.appointment_check_in(code="joined01", office_code=OFFICE)
    assert result.existing and result.visit.pk == first.visit.pk and result.ticket.pk == first.ticket.pk
    appt.refresh_from_db()
    first.visit.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN and appt.checked_in_at is not None
    assert first.visit.appointment_id == appt.pk  # the visit is the appointment's
    ticket = Ticket.objects.get(pk=first.ticket.pk)
    assert ticket.state == TicketState.WAITING and ticket.appointment_at == appt.starts_at  # served in its slot
    assert TicketEvent.objects.filter(ticket=ticket, kind="appointment", payload__appointment="JOINED01").exists()
    entry = AuditEntry.objects.get(object_type="queueing.appointment", object_id="JOINED01")
    assert (entry.details["from"], entry.details["to"]) == ("booked", "checked_in")
    # the sweep after the grace time does not count it as a no-show
    assert services.appointments_mark_no_shows(now=timezone.now() + dt.timedelta(hours=2)) == 0
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN
    # and the candidate is called ahead of the earlier arrival, as a fresh check-in would be
    services.counter_open(actor=disnaker, label="1")
    assert services.call_next(actor=disnaker).pk == ticket.pk


def test_appointment_check_in_moves_a_waiting_ticket_to_the_booked_desk(disnaker, case_after_reg):
    from satuatap.queueing.models import AppointmentStatus

    first = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    assert first.ticket.agency_id != "DINKES"  # the shortest queue, not the booked desk
    appt = _appointment_now("JOINED02", "DINKES", case_after_reg.number, minutes_ago=5)
    result = services.appointment_check_in(code="JOINED02", office_code=OFFICE)
    assert result.existing and result.visit.pk == first.visit.pk
    assert result.ticket.agency_id == "DINKES" and result.ticket.appointment_at == appt.starts_at
    assert result.ticket.arrived_at == first.visit.arrived_at  # arrival kept
    old = Ticket.objects.get(pk=first.ticket.pk)
    assert old.state == TicketState.CANCELLED
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN and appt.visit.pk == first.visit.pk


def test_appointment_check_in_while_being_served_only_links(disnaker):
    from satuatap.queueing.models import AppointmentStatus

    case = factories.open_case(disnaker, factories.worker())
    first = services.visit_start(office_code=OFFICE, case_number=case.number)
    services.counter_open(actor=disnaker, label="1")
    called = services.call_next(actor=disnaker)
    appt = _appointment_now("JOINED03", "DISNAKER", case.number)
    result = services.appointment_check_in(code="JOINED03", office_code=OFFICE)
    assert result.existing and result.ticket.pk == called.pk
    called.refresh_from_db()
    assert called.state == TicketState.CALLED and called.counter_id is not None
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN and appt.visit.pk == first.visit.pk


def _changes(monkeypatch):
    """The CaseChange objects the journey hands its after-commit listeners."""
    from satuatap.journey import services as journey_services

    seen: list = []
    monkeypatch.setattr(journey_services, "_listeners", [*journey_services._listeners, seen.append])
    return seen


def _open_visit_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT 1 FROM "queueing_visit"')]


def test_a_step_change_knows_under_its_case_lock_whether_anybody_queues(
        disnaker, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    changes = _changes(monkeypatch)
    case = factories.open_case(disnaker, factories.worker())
    # nobody queues for the case: the lock said so, and nothing of the queue is read after commit
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        complete(disnaker, case, "REG", "registration")
    assert changes[-1].probes == {services.OPEN_VISIT_PROBE: False}
    assert not _open_visit_reads(queries)
    assert not [q for q in queries if "queueing_ticket" in q["sql"]]
    # the candidate takes a ticket: the next change knows, and moves the visit on without asking again
    v = services.visit_start(office_code=OFFICE, case_number=case.number)
    services.counter_open(actor=disnaker, label="1")
    t = services.call_next(actor=disnaker)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        complete(disnaker, case, "SEL", "selection")
        complete(disnaker, case, "CERT", "certificate")
    assert changes[-1].probes == {services.OPEN_VISIT_PROBE: True}
    assert not _open_visit_reads(queries)
    t.refresh_from_db()
    assert t.state == TicketState.DONE
    assert Ticket.objects.get(visit=v.visit, state=TicketState.WAITING).agency_id != "DISNAKER"


def test_a_change_made_without_the_probe_still_reads_the_queue(disnaker, case_after_reg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from satuatap.journey.services import CaseChange

    v = services.visit_start(office_code=OFFICE, case_number=case_after_reg.number)
    change = CaseChange(case_id=case_after_reg.pk, case_number=case_after_reg.number, event_ids=(),
                        kinds=("step_completed",))
    with CaptureQueriesContext(connection) as queries:
        services.on_case_change(change)
    assert len(_open_visit_reads(queries)) == 1
    assert Ticket.objects.filter(visit=v.visit).exists()


def test_every_way_a_visit_gets_its_case_takes_the_case_lock(disnaker, django_capture_on_commit_callbacks,
                                                              monkeypatch):
    locked: list[int] = []
    real = services._lock_case_row
    monkeypatch.setattr(services, "_lock_case_row", lambda case_id: (locked.append(case_id), real(case_id)))
    services.counter_open(actor=disnaker, label="1")
    # a case opened at the counter serving a new registrant
    _new()
    t = services.call_next(actor=disnaker)
    with django_capture_on_commit_callbacks(execute=True):
        opened = factories.open_case(disnaker, factories.worker())
    assert locked == [opened.pk]
    services.ticket_done(actor=disnaker, ticket_id=t.pk)
    # a case number given when the desk is done with a new registrant
    _new()
    t = services.call_next(actor=disnaker)
    given = factories.open_case(factories.officer(OFFICE, "DISNAKER"), factories.worker())
    services.ticket_done(actor=disnaker, ticket_id=t.pk, case_number=given.number)
    assert locked[-1] == given.pk
    # a case looked up at the kiosk
    case = factories.open_case(disnaker, factories.worker())
    services.visit_start(office_code=OFFICE, case_number=case.number)
    assert locked[-1] == case.pk and len(locked) == 3
