"""The outbox: written in the caller's transaction, delivered once, retried with backoff, dead after N tries."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from satuatap.notify import conf, services, tasks
from satuatap.notify.channels import ConsoleAdapter, EmailAdapter, HttpGatewayAdapter, adapter_for
from satuatap.notify.models import Message, MessageState
from satuatap.notify.rendering import render_message
from tests.notify.conftest import gateway_ok

pytestmark = pytest.mark.django_db

URLOPEN = "satuatap.notify.channels.urllib.request.urlopen"


def queue(**overrides) -> Message:
    args = dict(channel="sms", recipient="+6281234567890", template="complaint_status",
                context={"reference": "PGD-2026-000001", "stage_id": "Sedang ditangani", "stage_en": "Being handled",
                         "note": "", "status_url": "https://x.test/crisis/status/"},
                ref="complaint:PGD-2026-000001", dedupe_key="test:1")
    args.update(overrides)
    return services.message_queue(**args)


def test_message_is_written_in_the_callers_transaction_and_delivery_waits_for_commit(
        django_capture_on_commit_callbacks):
    with mock.patch("satuatap.notify.scheduling._scheduler") as scheduler:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = queue()
        assert Message.objects.filter(pk=message.pk, state="queued").exists()
        assert message.body.startswith("Pengaduan PGD-2026-000001: Sedang ditangani.")
        scheduler.assert_not_called()  # nothing is enqueued before the commit
        assert len(callbacks) == 1
        callbacks[0]()
        scheduler.assert_called_once_with(message.pk, None)


def test_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        queue()
        raise RuntimeError("the change failed")
    assert not Message.objects.exists()
    assert callbacks == []


def test_the_same_notification_is_never_queued_twice():
    first = queue()
    second = queue(recipient="+6289999999999")
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_english_variant_and_fallback_to_indonesian():
    subject, body = render_message("complaint_status", {"reference": "R1", "stage_id": "Selesai", "stage_en": "Done",
                                                        "status_url": "u"}, "en")
    assert subject == "Complaint R1: Done"
    assert body.startswith("Complaint R1: Done.")
    subject_id, _ = render_message("complaint_status", {"reference": "R1", "stage_id": "Selesai"}, "fr")
    assert subject_id == "Pengaduan R1: Selesai"


def test_console_channel_writes_once_even_when_the_task_runs_twice(outbox_dir):
    message = queue()
    assert services.message_deliver(message_id=message.pk) == MessageState.SENT
    assert services.message_deliver(message_id=message.pk) == MessageState.SENT
    tasks.deliver.call(message.pk)  # a duplicated task
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None
    logs = list(outbox_dir.glob("*.log"))
    assert len(logs) == 1
    assert logs[0].read_text().count("--- ") == 1


def test_gateway_adapter_posts_json_with_token_and_idempotency_key(sms_gateway):
    message = queue()
    adapter = adapter_for("sms")
    assert isinstance(adapter, HttpGatewayAdapter)
    with mock.patch(URLOPEN, return_value=gateway_ok("abc-123")) as urlopen:
        assert services.message_deliver(message_id=message.pk) == "sent"
    request = urlopen.call_args.args[0]
    assert request.full_url == "https://sms.example.test/send"
    assert request.get_method() == "POST"
    assert request.get_header("Authorization") == "Bearer tok-sms"
    assert request.get_header("Idempotency-key") == "test:1"
    assert json.loads(request.data) == {"to": "+6281234567890", "body": message.body, "reference": "test:1"}
    assert urlopen.call_args.kwargs["timeout"] == conf.HTTP_TIMEOUT_SECONDS
    message.refresh_from_db()
    assert message.provider_message_id == "abc-123"


def test_failure_backs_off_then_a_retry_sends_exactly_once(sms_gateway):
    message = queue()
    with mock.patch(URLOPEN, side_effect=[urllib.error.URLError("down"), gateway_ok()]) as urlopen:
        t0 = timezone.now()
        assert services.message_deliver(message_id=message.pk, now=t0) == MessageState.FAILED
        message.refresh_from_db()
        assert message.attempts == 1 and "unreachable" in message.last_error
        assert message.next_attempt_at >= t0 + conf.BACKOFF_BASE - dt.timedelta(seconds=1)
        # a duplicate task before the backoff has passed sends nothing
        assert services.message_deliver(message_id=message.pk) == MessageState.FAILED
        assert urlopen.call_count == 1
        later = message.next_attempt_at + dt.timedelta(seconds=1)
        assert services.message_deliver(message_id=message.pk, now=later) == MessageState.SENT
        assert services.message_deliver(message_id=message.pk, now=later) == MessageState.SENT
    assert urlopen.call_count == 2
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == ""


def test_backoff_is_exponential_and_capped():
    assert conf.backoff(1) == conf.BACKOFF_BASE
    assert conf.backoff(3) == conf.BACKOFF_BASE * 4
    assert conf.backoff(40) == conf.BACKOFF_MAX


def test_gives_up_after_max_attempts(sms_gateway):
    message = queue()
    now = timezone.now()
    with mock.patch(URLOPEN, side_effect=urllib.error.URLError("down")) as urlopen:
        for _ in range(conf.MAX_ATTEMPTS + 2):
            services.message_deliver(message_id=message.pk, now=now)
            now += conf.BACKOFF_MAX + dt.timedelta(seconds=1)
    message.refresh_from_db()
    assert message.state == MessageState.DEAD
    assert message.attempts == conf.MAX_ATTEMPTS == urlopen.call_count
    assert message.next_attempt_at is None


def test_refused_by_the_gateway_is_dead_at_once(sms_gateway):
    message = queue()
    error = urllib.error.HTTPError("https://sms.example.test/send", 400, "bad number", {}, None)
    with mock.patch(URLOPEN, side_effect=error):
        assert services.message_deliver(message_id=message.pk) == MessageState.DEAD
    message.refresh_from_db()
    assert "HTTP 400" in message.last_error


def test_gateway_busy_is_retried(sms_gateway):
    message = queue()
    error = urllib.error.HTTPError("https://sms.example.test/send", 429, "slow down", {}, None)
    with mock.patch(URLOPEN, side_effect=error):
        assert services.message_deliver(message_id=message.pk) == MessageState.FAILED


def test_email_goes_through_the_django_mail_backend():
    assert isinstance(adapter_for("email"), EmailAdapter)  # pytest-django uses the in-memory backend
    message = queue(channel="email", recipient="HRD@Company.example", template="complaint_status",
                    dedupe_key="test:mail")
    assert services.message_deliver(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hrd@company.example"]
    assert mail.outbox[0].subject == "Pengaduan PGD-2026-000001: Sedang ditangani"


def test_without_a_gateway_sms_goes_to_the_console(monkeypatch):
    monkeypatch.delenv("NOTIFY_SMS_GATEWAY_URL", raising=False)
    assert isinstance(adapter_for("sms"), ConsoleAdapter)


def test_recipients_are_checked():
    from satuatap.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        queue(recipient="0812 not e164", dedupe_key="bad:1")
    with pytest.raises(ValidationFailed):
        queue(channel="email", recipient="not-an-address", dedupe_key="bad:2")


def test_retry_sweep_enqueues_due_messages_and_rescues_interrupted_ones(outbox_dir, immediate_tasks):
    now = timezone.now()
    waiting = queue(dedupe_key="sweep:1")
    Message.objects.filter(pk=waiting.pk).update(enqueued_at=None)  # its enqueue was lost
    stuck = queue(dedupe_key="sweep:2")
    Message.objects.filter(pk=stuck.pk).update(state=MessageState.SENDING, attempts=1,
                                               claimed_at=now - conf.SENDING_LEASE - dt.timedelta(minutes=1))
    fresh = queue(dedupe_key="sweep:3")  # enqueued a moment ago: left alone
    count = services.messages_retry_due()
    assert count == 2
    states = dict(Message.objects.values_list("pk", "state"))
    assert states[waiting.pk] == "sent" and states[stuck.pk] == "sent"
    assert states[fresh.pk] == "queued"
    assert tasks.notify_retry_due.call() == 0  # the task wraps the same sweep: nothing left to do


def test_queue_then_commit_delivers_with_the_immediate_backend(outbox_dir, immediate_tasks,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(dedupe_key="immediate:1")
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_admin_may_send_a_dead_message_again(sms_gateway):
    from satuatap.accounts import services as account_services

    admin = account_services.user_create(username="outbox-admin", password=None, role="admin")
    message = queue()
    Message.objects.filter(pk=message.pk).update(state=MessageState.DEAD, attempts=conf.MAX_ATTEMPTS)
    with mock.patch("satuatap.notify.scheduling._scheduler"):
        services.message_retry_now(actor=admin, message_id=message.pk)
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED and message.attempts == 0
    with mock.patch(URLOPEN, return_value=gateway_ok()):
        assert services.message_deliver(message_id=message.pk) == "sent"
