"""Channel adapters: how a rendered message leaves the building.

- e-mail: Django's mail backends (SMTP in production; pytest-django swaps in the in-memory backend);
- SMS and WhatsApp: an HTTP gateway, configured by URL + token from the environment
  (NOTIFY_SMS_GATEWAY_URL / NOTIFY_SMS_GATEWAY_TOKEN, NOTIFY_WHATSAPP_GATEWAY_URL / NOTIFY_WHATSAPP_GATEWAY_TOKEN);
- console: a file under VAR_DIR/outbox (or stdout with NOTIFY_CONSOLE=stdout), used for development and
  whenever a channel has no gateway configured, so nothing is lost and nothing goes out by surprise.

An adapter returns the provider's message id or raises `DeliveryError` (permanent = retrying cannot help).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from satuatap.notify import conf
from satuatap.notify.models import Channel, Message

_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_console_lock = threading.Lock()


class DeliveryError(Exception):
    """A failed attempt; `permanent` when the same message can never succeed (bad number, refused by gateway)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Adapter(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


def _config(name: str) -> str:
    """A channel setting: Django settings first (if someone wires it there), then the environment."""
    return str(getattr(settings, name, "") or os.environ.get(name, "")).strip()


@dataclass(frozen=True)
class ConsoleAdapter:
    """Writes the message to VAR_DIR/outbox/<date>.log (or stdout): the development channel."""

    name: str = "console"
    original_channel: str = Channel.CONSOLE

    def send(self, message: Message) -> str:
        now = timezone.now()
        text = (
            f"--- {now.isoformat()} {self.original_channel} to {message.recipient} "
            f"[{message.template}/{message.language}] ref={message.ref} id={message.pk}\n"
            + (f"Subject: {message.subject}\n" if message.subject else "")
            + f"{message.body}\n"
        )
        if _config("NOTIFY_CONSOLE") == "stdout":
            sys.stdout.write(text)
            return f"console:{message.pk}"
        try:
            outbox = Path(settings.VAR_DIR) / "outbox"
            outbox.mkdir(parents=True, exist_ok=True)
            with _console_lock, (outbox / f"{now.date().isoformat()}.log").open("a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise DeliveryError(f"console outbox not writable: {exc}") from exc
        return f"console:{message.pk}"


@dataclass(frozen=True)
class EmailAdapter:
    """Sends through the configured Django e-mail backend."""

    name: str = "email"

    def send(self, message: Message) -> str:
        email = EmailMessage(
            subject=message.subject or message.template,
            body=message.body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            to=[message.recipient],
            headers={"X-Satuatap-Ref": message.ref, "X-Satuatap-Message": str(message.pk)},
        )
        try:
            sent = email.send(fail_silently=False)
        except (OSError, ValueError) as exc:  # smtplib errors are OSError subclasses
            raise DeliveryError(f"e-mail backend: {exc}") from exc
        if sent != 1:
            raise DeliveryError("e-mail backend accepted no message")
        return f"email:{message.pk}"


# HTTP statuses worth retrying; any other 4xx means the gateway refused this message for good.
_RETRYABLE_HTTP = frozenset({408, 425, 429})


@dataclass(frozen=True)
class HttpGatewayAdapter:
    """POSTs JSON {to, body, reference} with a bearer token to an SMS / WhatsApp gateway.

    The dedupe key goes as `Idempotency-Key`, so a gateway that honours it sends once even when our
    attempt timed out after it had already accepted the message.
    """

    name: str
    url: str
    token: str
    timeout: float = conf.HTTP_TIMEOUT_SECONDS

    def send(self, message: Message) -> str:
        if not self.url.lower().startswith(("https://", "http://")):
            raise DeliveryError(f"{self.name} gateway URL must be http(s)", permanent=True)
        body = message.body
        if message.channel == Channel.SMS and len(body) > conf.SMS_MAX_CHARS:
            body = body[: conf.SMS_MAX_CHARS - 1] + "…"
        data = json.dumps({"to": message.recipient, "body": body, "reference": message.dedupe_key}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": message.dedupe_key[:200],
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in _RETRYABLE_HTTP
            raise DeliveryError(f"{self.name} gateway answered HTTP {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"{self.name} gateway unreachable: {exc}") from exc
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        provider_id = payload.get("id") or payload.get("message_id") or payload.get("messageId") or ""
        return str(provider_id)[:120]


def email_configured() -> bool:
    """True when a real mail backend is set up (a non-SMTP backend, or SMTP with a host other than localhost)."""
    backend = getattr(settings, "EMAIL_BACKEND", _SMTP_BACKEND)
    return backend != _SMTP_BACKEND or getattr(settings, "EMAIL_HOST", "localhost") not in ("", "localhost")


def adapter_for(channel: str) -> Adapter:
    """The adapter that delivers a channel now: the real one when configured, otherwise the console."""
    if channel == Channel.EMAIL:
        return EmailAdapter() if email_configured() else ConsoleAdapter(original_channel=channel)
    if channel in (Channel.SMS, Channel.WHATSAPP):
        prefix = f"NOTIFY_{channel.upper()}_GATEWAY"
        url = _config(f"{prefix}_URL")
        if url:
            return HttpGatewayAdapter(name=channel, url=url, token=_config(f"{prefix}_TOKEN"))
        return ConsoleAdapter(original_channel=channel)
    return ConsoleAdapter(original_channel=channel)
