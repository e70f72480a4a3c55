"""Concurrency on PostgreSQL: many counters of one desk pressing *call next* at the same moment."""

from __future__ import annotations

import pytest

from satuatap.queueing import services
from satuatap.queueing.models import Ticket, TicketEvent, TicketState
from tests import factories
from tests.concurrency import ensure_reference_data, hammer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OFFICE = "LTSA-IDM"
# 50 threads (PostgreSQL allows 100 connections for every test run on the machine), two calls each.
THREADS = 50
CALLS_PER_THREAD = 2


def test_hundred_concurrent_call_next_on_fifty_tickets_each_called_once():
    ensure_reference_data()
    for _ in range(50):
        services.visit_start(office_code=OFFICE, new_registrant=True)
    officers = [factories.officer(OFFICE, "DISNAKER") for _ in range(THREADS * CALLS_PER_THREAD)]
    for i, officer in enumerate(officers):
        services.counter_open(actor=officer, label=str(i + 1))

    def call(i: int) -> list[int | None]:
        out = []
        for k in range(CALLS_PER_THREAD):
            ticket = services.call_next(actor=officers[i * CALLS_PER_THREAD + k])
            out.append(ticket.pk if ticket is not None else None)
        return out

    results = [pk for chunk in hammer(THREADS, call) for pk in chunk]
    called = [pk for pk in results if pk is not None]
    assert len(results) == 100
    assert len(called) == 50 and len(set(called)) == 50  # 50 distinct calls, no ticket twice
    assert results.count(None) == 50  # and 50 empty answers
    assert not Ticket.objects.filter(state=TicketState.WAITING).exists()
    assert Ticket.objects.filter(state=TicketState.CALLED).values("counter").distinct().count() == 50
    assert TicketEvent.objects.filter(kind="called").count() == 50
