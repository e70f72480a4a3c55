"""Writes to the outbox: queue a message in the caller's transaction, deliver it once, sweep retries.

Delivery is at-most-once per claim: a message is claimed by one conditional UPDATE
(queued/failed and due → sending, attempts + 1), sent outside any transaction (no database lock held
during a slow gateway call), and the result recorded by a second conditional UPDATE. A duplicated or
retried task finds nothing to claim and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from satuatap.accounts.models import User
from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.notify import access, conf, scheduling
from satuatap.notify.channels import DeliveryError, adapter_for
from satuatap.notify.models import Channel, Message, MessageState
from satuatap.notify.rendering import language_normalize, render_message

log = logging.getLogger(__name__)

M = MessageState
_PHONE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


def _recipient_clean(channel: str, recipient: str) -> str:
    recipient = (recipient or "").strip()
    if channel == Channel.EMAIL:
        recipient = recipient.lower()
        try:
            validate_email(recipient)
        except DjangoValidationError:
            raise ValidationFailed("Alamat e-mail penerima tidak valid.", "The recipient e-mail address is invalid.",
                                   code="notify_recipient_invalid") from None
    elif channel in _PHONE_CHANNELS:
        recipient = "".join(ch for ch in recipient if ch.isdigit() or ch == "+")
        if not recipient.startswith("+") or not 8 <= len(recipient) <= 16:
            raise ValidationFailed("Nomor telepon penerima harus dalam format internasional (+62…).",
                                   "The recipient phone number must be in international format (+62…).",
                                   code="notify_recipient_invalid")
    elif not recipient:
        raise ValidationFailed("Penerima wajib diisi.", "A recipient is required.", code="notify_recipient_invalid")
    return recipient[:254]


def _enqueue_after_commit(message_id: int) -> None:
    if not scheduling.schedule_delivery(message_id):
        Message.objects.filter(pk=message_id, state=M.QUEUED).update(enqueued_at=None)


@transaction.atomic
def message_queue(*, channel: str, recipient: str, template: str, context: dict[str, Any], language: str = "id",
                  ref: str, dedupe_key: str) -> Message:
    """Write a rendered message to the outbox in the caller's transaction; delivered after commit, never twice."""
    if channel not in Channel.values:
        raise ValidationFailed("Kanal pesan tidak dikenal.", "Unknown message channel.",
                               code="notify_channel_unknown", details={"channel": channel})
    dedupe_key = (dedupe_key or "").strip()
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValidationFailed("Kunci deduplikasi wajib (maks. 200 karakter).",
                               "A dedupe key is required (at most 200 characters).", code="notify_dedupe_key_invalid")
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    recipient = _recipient_clean(channel, recipient)
    language = language_normalize(language)
    subject, body = render_message(template, context, language)
    now = timezone.now()
    try:
        with transaction.atomic():  # savepoint: a concurrent twin with the same key loses without spoiling ours
            message = Message.objects.create(
                channel=channel, recipient=recipient, template=template, language=language, subject=subject,
                body=body, ref=(ref or "")[:80], dedupe_key=dedupe_key, state=M.QUEUED, next_attempt_at=now,
                enqueued_at=now, created_at=now,
            )
    except IntegrityError:
        return Message.objects.get(dedupe_key=dedupe_key)
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue_after_commit(message_id))
    return message


def _record_failure(message: Message, claimed_at: dt.datetime, error: str, *, permanent: bool) -> str:
    now = timezone.now()
    dead = permanent or message.attempts >= conf.MAX_ATTEMPTS
    next_at = None if dead else now + conf.backoff(message.attempts)
    state = M.DEAD if dead else M.FAILED
    updated = Message.objects.filter(pk=message.pk, state=M.SENDING, claimed_at=claimed_at).update(
        state=state, next_attempt_at=next_at, last_error=error[:2000], claimed_at=None,
        enqueued_at=next_at if next_at is not None else F("enqueued_at"),
    )
    if updated and next_at is not None and not scheduling.schedule_delivery(message.pk, run_after=next_at):
        # the backend cannot defer: the sweep (`satuatap notify-retry`) enqueues it once it is due
        Message.objects.filter(pk=message.pk, state=M.FAILED).update(enqueued_at=None)
    return state


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Send a queued or due-for-retry message once per claim; back off on failure, give up after N tries."""
    # Deliberately not one transaction: claiming and recording are single conditional UPDATEs, so no lock is
    # held while a gateway answers slowly.
    claimed_at = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, state__in=(M.QUEUED, M.FAILED))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=claimed_at))
        .update(state=M.SENDING, attempts=F("attempts") + 1, claimed_at=claimed_at)
    )
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    if not claimed:
        return message.state  # sent, dead, being sent, or not due yet: nothing to do
    try:
        provider_id = adapter_for(message.channel).send(message)
    except DeliveryError as exc:
        log.warning("message %s attempt %s failed: %s", message.pk, message.attempts, exc)
        return _record_failure(message, claimed_at, str(exc), permanent=exc.permanent)
    except Exception as exc:  # a bug in an adapter must not leave the message stuck in "sending"
        log.exception("message %s: unexpected delivery error", message.pk)
        return _record_failure(message, claimed_at, f"{type(exc).__name__}: {exc}", permanent=False)
    Message.objects.filter(pk=message.pk, state=M.SENDING, claimed_at=claimed_at).update(
        state=M.SENT, sent_at=timezone.now(), provider_message_id=provider_id or "", last_error="",
        next_attempt_at=None, claimed_at=None,
    )
    return M.SENT


def messages_retry_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Re-enqueue messages due for (re)delivery and rescue claims of dead workers; returns how many were enqueued."""
    now = now or timezone.now()
    stale = Message.objects.filter(state=M.SENDING, claimed_at__lt=now - conf.SENDING_LEASE)
    stale.filter(attempts__gte=conf.MAX_ATTEMPTS).update(
        state=M.DEAD, claimed_at=None, next_attempt_at=None, last_error="delivery interrupted; attempts exhausted")
    stale.update(state=M.FAILED, claimed_at=None, next_attempt_at=now, enqueued_at=None,
                 last_error="delivery interrupted (worker stopped while sending)")
    due = (
        Message.objects.filter(state__in=(M.QUEUED, M.FAILED), next_attempt_at__lte=now)
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=F("next_attempt_at"))
            | Q(enqueued_at__lt=now - conf.ENQUEUE_STALE_AFTER)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: max(1, limit)]
    )
    count = 0
    for message_id in list(due):
        Message.objects.filter(pk=message_id).update(enqueued_at=now)
        if scheduling.schedule_delivery(message_id):
            count += 1
        else:
            Message.objects.filter(pk=message_id).update(enqueued_at=None)
    return count


@transaction.atomic
def message_retry_now(*, actor: User, message_id: int) -> Message:
    """An admin sends a failed or dead message again now, with a fresh set of attempts."""
    if not access.user_reads_all_messages(actor):
        raise PermissionDenied("Hanya admin yang dapat mengirim ulang pesan.", "Only an admin may resend a message.",
                               code="forbidden_notify_retry")
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise NotFound("Pesan tidak ditemukan.", "Message not found.", code="message_not_found")
    if message.state not in (M.FAILED, M.DEAD):
        raise Conflict(f"Pesan berstatus '{message.state}' dan tidak dapat dikirim ulang.",
                       f"The message is '{message.state}' and cannot be resent.", code="notify_not_retryable")
    now = timezone.now()
    message.state = M.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    message.enqueued_at = now
    message.save(update_fields=["state", "attempts", "next_attempt_at", "enqueued_at"])
    transaction.on_commit(lambda: _enqueue_after_commit(message_id))
    return message
