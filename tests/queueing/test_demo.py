"""The demo queue command (called by `make run` after `satuatap demo`)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from satuatap.queueing.models import Appointment, Ticket, TicketState

pytestmark = pytest.mark.django_db


def test_queue_demo_seeds_once(capsys):
    call_command("queue_demo", "--office", "LTSA-IDM")
    assert Ticket.objects.filter(state=TicketState.DONE).exists()
    assert Ticket.objects.filter(state=TicketState.WAITING).exists()  # new registrants at least
    tickets, appointments = Ticket.objects.count(), Appointment.objects.count()
    call_command("queue_demo", "--office", "LTSA-IDM")
    assert (Ticket.objects.count(), Appointment.objects.count()) == (tickets, appointments)


def test_no_show_command_releases_missed_bookings():
    import datetime as dt

    from django.utils import timezone

    from satuatap.queueing.models import AppointmentStatus

    past = timezone.now() - dt.timedelta(hours=2)
    appt = Appointment.objects.create(code="MISSED01", office_id="LTSA-IDM", agency_id="DINKES",
                                      day=timezone.localdate(), slot=dt.time(8, 0), starts_at=past, created_at=past)
    call_command("queue_no_shows")
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.NO_SHOW
