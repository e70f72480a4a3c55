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
