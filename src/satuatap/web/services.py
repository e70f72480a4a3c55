"""Writes the officers' pages make that span more than one app's service, each in one transaction."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from satuatap.accounts.models import User
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case
from satuatap.registry import services as registry_services
from satuatap.registry.models import Worker

OTP_ISSUER = "satuatap"
OTP_DEVICE_NAME = "satuatap"


@transaction.atomic
def registration_complete(
    *,
    actor: User,
    worker: dict[str, Any],
    consent: dict[str, Any],
    scheme: str,
    destination_country: str = "",
    job_order_number: str = "",
) -> Case:
    """Register a candidate, record the family's permission and open the case at the actor's office, all or none."""
    registered: Worker = registry_services.worker_register(actor=actor, **worker)
    registry_services.family_consent_record(actor=actor, worker=registered, **consent)
    return journey_services.case_open(actor=actor, worker=registered, office_code=actor.office_id or "",
                                      scheme=scheme, destination_country=destination_country,
                                      job_order_number=job_order_number)


@transaction.atomic
def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's TOTP device waiting for its first code (created once), to show as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=OTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device_id: int, token: str) -> TOTPDevice | None:
    """Confirm the pending device with a code from the app; other pending devices of the user are dropped."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    return device


def totp_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (issuer named, so the entry is recognisable)."""
    label = quote(f"{OTP_ISSUER}:{device.user.get_username()}")
    params = urlencode({"secret": b32encode(device.bin_key).decode(), "issuer": OTP_ISSUER, "algorithm": "SHA1",
                        "digits": device.digits, "period": device.step})
    return f"otpauth://totp/{label}?{params}"


def totp_secret_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app when the camera cannot read the QR."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

