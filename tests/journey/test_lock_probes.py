"""Questions other apps ask under the case lock (journey.services.case_lock_probe)."""

from __future__ import annotations

import pytest

from satuatap.journey import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_probe_answers_ride_on_the_lock_and_reach_the_change(monkeypatch):
    head = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(head, factories.worker())
    locked = services._lock_case(case.number)
    # the registered ones (queueing's) answer on every lock, as booleans
    assert set(locked._lock_probes) == set(services._probes) and all(
        isinstance(v, bool) for v in locked._lock_probes.values())
    seen: list = []
    monkeypatch.setattr(services, "_tx_listeners", [*services._tx_listeners, seen.append])
    services.step_start(actor=head, case_number=case.number, step_code="REG")
    assert seen[-1].probes == dict.fromkeys(services._probes, False)


def test_a_probe_registered_after_the_first_lock_is_refused():
    head = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(head, factories.worker())
    services._lock_case(case.number)
    with pytest.raises(RuntimeError, match="after the first case lock"):
        services.case_lock_probe("tests.late", lambda q, case_id: ("TRUE", []))
    assert "tests.late" not in services._probes
