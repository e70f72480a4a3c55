"""Writes the officers' pages make that span more than one app's service, each in one transaction."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Collection
from typing import Any
from urllib.parse import quote, urlencode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from satuatap.accounts.models import User
from satuatap.core.errors import ApplicationError, Conflict
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case
from satuatap.placement import selectors as placement_selectors
from satuatap.placement import services as placement_services
from satuatap.registry import services as registry_services
from satuatap.registry.models import Worker

OTP_ISSUER = "satuatap"
OTP_DEVICE_NAME = "satuatap"


class OverrideRefused(ApplicationError):
    """The office head's override could not be recorded (reason too short, not allowed …). The error itself, with
    the flags it was meant for, so the page can show them again next to the override form."""

    def __init__(self, error: ApplicationError, *, fired: list[dict[str, Any]], decision_id: int | None = None):
        super().__init__(error.message, error.message_en, code=error.code, status=error.status, details=error.details)
        self.fired = fired
        self.decision_id = decision_id


def _stopping(fired: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in fired if not f.get("overridden")]


@transaction.atomic
def registration_complete(
    *,
    actor: User,
    worker: dict[str, Any],
    consent: dict[str, Any],
    scheme: str,
    destination_country: str = "",
    job_order_number: str = "",
    override_reason: str = "",
    override_codes: Collection[str] = (),
) -> Case:
    """Register a candidate, record the family's permission and open the case at the actor's office, all or none.

    With `override_reason` (the office head, after seeing the flags of a refused attempt): when opening is refused
    only by flags, all of them among `override_codes` (the ones the head was shown), the head's override of that
    decision is recorded and the case opened, still in this one transaction. A refused attempt writes nothing
    (the worker of the wizard is registered in the same transaction), so the override is made on the decision of
    this attempt, never on one from an earlier page.
    """
    registered: Worker = registry_services.worker_register(actor=actor, **worker)
    registry_services.family_consent_record(actor=actor, worker=registered, **consent)

    def open_case() -> Case:
        return journey_services.case_open(actor=actor, worker=registered, office_code=actor.office_id or "",
                                          scheme=scheme, destination_country=destination_country,
                                          job_order_number=job_order_number)

    if not (override_reason or "").strip():
        return open_case()
    try:
        return open_case()
    except Conflict as exc:
        if exc.code != "rules_flagged" or not isinstance(exc.details, dict):
            raise
        fired = list(exc.details.get("fired", []))
        if not {f.get("code") for f in fired} <= set(override_codes):
            raise  # a flag the head has not been shown: show it first
        try:
            decision = placement_selectors.decision_get(user=actor, decision_id=int(exc.details["decision"]))
            placement_services.decision_override(actor=actor, decision=decision, reason=override_reason)
        except ApplicationError as error:
            raise OverrideRefused(error, fired=fired) from error
    return open_case()  # the new evaluation is covered by the override (same worker, job order and stage)


def case_open_after_override(
    *,
    actor: User,
    worker: Worker,
    decision_id: int,
    reason: str,
    scheme: str,
    destination_country: str = "",
    job_order_number: str = "",
) -> Case:
    """The office head overrides the flags of a refused case-open decision for a registered worker (the one the
    page showed), then the case is opened again with the same data.

    Two transactions on purpose: the override is kept even when opening then fails for another reason, as the
    case-open decisions are (it covers exactly the flags reviewed, for this worker and job order only). A decision
    that is not this worker's refused case opening on this job order is left alone: the rules then answer for
    the data as typed.
    """
    decision = placement_selectors.decision_get(user=actor, decision_id=decision_id)
    job_order = decision.job_order.number if decision.job_order_id else ""
    matches = (decision.worker_id == worker.pk and decision.stage == "case_open" and not decision.case_ref
               and job_order == (job_order_number or "").strip())
    if matches and decision.override_id is None:
        try:
            placement_services.decision_override(actor=actor, decision=decision, reason=reason)
        except ApplicationError as error:
            raise OverrideRefused(error, fired=_stopping(decision.fired), decision_id=decision.pk) from error
    return journey_services.case_open(actor=actor, worker=worker, office_code=actor.office_id or "", scheme=scheme,
                                      destination_country=destination_country, job_order_number=job_order_number)


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

