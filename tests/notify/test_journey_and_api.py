"""Step notifications to candidates (journey hook) and the outbox API."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.journey import services as journey_services
from satuatap.notify import listeners, services
from satuatap.notify.models import Message
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_and_desk():
    disnaker = factories.officer("LTSA-IDM", "DISNAKER")
    worker = factories.worker("32.12")
    worker.phone = "+6281234567890"
    worker.save()
    case = journey_services.case_open(
        job_order_number=factories.job_order().number,
        actor=disnaker,
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    return case, disnaker


def test_completed_and_rejected_steps_send_the_worker_an_sms(case_and_desk, django_capture_on_commit_callbacks):
    case, disnaker = case_and_desk
    with django_capture_on_commit_callbacks(execute=True):
        journey_services.step_complete(
            actor=disnaker, case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
        )
    with django_capture_on_commit_callbacks(execute=True):
        journey_services.step_reject(
            actor=disnaker, case_number=case.number, step_code="SEL", reason="Tidak hadir saat seleksi"
        )
    messages = list(Message.objects.filter(ref=f"case:{case.number}").order_by("id"))
    assert [m.template for m in messages] == ["step_completed", "step_rejected"]
    assert all(m.channel == "sms" and m.recipient == "+6281234567890" for m in messages)
    assert "REG" in messages[0].subject and case.number in messages[0].body
    assert "Tidak hadir saat seleksi" in messages[1].body


def test_the_listener_is_idempotent_per_event(case_and_desk):
    case, disnaker = case_and_desk
    journey_services.step_complete(
        actor=disnaker, case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
    )
    from satuatap.journey.models import Event

    event = Event.objects.get(case=case, kind="step_completed")
    change = journey_services.CaseChange(
        case_id=case.pk, case_number=case.number, event_ids=(event.pk,), kinds=("step_completed",)
    )
    listeners.on_step_change(change)
    listeners.on_step_change(change)  # a repeated dispatch
    assert Message.objects.filter(ref=f"case:{case.number}").count() == 1


def test_the_listener_is_registered_with_the_journey():
    assert listeners.on_step_change in journey_services._tx_listeners


def _bearer(user) -> dict[str, str]:
    _, secret = account_services.api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_outbox_api_for_admins_and_crisis_agents():
    for key, ref in (("a", "case:LTSA-IDM-2026-000001"), ("b", "complaint:PGD-2026-000001")):
        services.message_queue(
            channel="sms",
            recipient="+6281234567890",
            template="complaint_status",
            context={"reference": "R"},
            ref=ref,
            dedupe_key=f"api:{key}",
        )
    admin = account_services.user_create(username="api-admin", password=None, role="admin")
    agent = factories.officer("LTSA-IDM", "INFO")
    other = factories.officer("LTSA-IDM", "DINKES")
    client = Client()
    body = client.get("/api/v1/notifications/", **_bearer(admin)).json()
    assert body["count"] == 2
    body = client.get("/api/v1/notifications/", **_bearer(agent)).json()
    assert body["count"] == 1 and body["items"][0]["ref"] == "complaint:PGD-2026-000001"
    assert body["items"][0]["state"] == "queued"
    assert client.get(f"/api/v1/notifications/{body['items'][0]['id']}", **_bearer(agent)).status_code == 200
    r = client.get("/api/v1/notifications/?state=sent", **_bearer(admin))
    assert r.json()["count"] == 0
    r = client.get("/api/v1/notifications/", **_bearer(other))
    assert r.status_code == 403 and r.json()["code"] == "forbidden_outbox"
    assert client.get("/api/v1/notifications/").status_code == 401


def test_the_step_message_is_written_in_the_step_change_transaction(case_and_desk):
    """Transactional outbox: the message row exists exactly when the step change does."""
    from django.db import transaction

    case, disnaker = case_and_desk

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        journey_services.step_complete(
            actor=disnaker, case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
        )
        assert Message.objects.filter(ref=f"case:{case.number}", template="step_completed").count() == 1
        raise Undo  # the change is rolled back …
    assert not Message.objects.filter(ref=f"case:{case.number}").exists()  # … and so is its message
