"""The outbox: one row per message to a person, written in the transaction of the change that causes it.

Delivery happens later, in a background task, and is idempotent: the row's state moves
queued/failed → sending → sent (or failed again, or dead) only through conditional UPDATEs in
`notify.services`, so a retried or duplicated task sends at most once while the row says so.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CONSOLE = "console", _("Console (development)")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Gave up")


class Message(models.Model):
    """One notification to one recipient over one channel, with its delivery state."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, help_text=_("E.164 phone number or e-mail address"))
    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=5, default="id")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    # What the message is about, e.g. "case:LTSA-IDM-2026-000001" or "complaint:PGD-2026-000123".
    ref = models.CharField(_("about"), max_length=80, db_index=True)
    # The same notification is never queued twice: callers derive this from the event that causes it.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a delivery task was last put on the task queue (so the retry sweep does not pile up duplicates).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # When the current "sending" claim was taken (a claim older than the lease belongs to a dead worker).
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient}:{self.template}:{self.state}"
