"""Phone numbers: stored as E.164, read as Indonesians write them (0812-…, +62 812 …, 62812…).

Numbers with a leading + (or 00) may be foreign: a worker's family may give a Hong Kong or Malaysian number.
"""

from __future__ import annotations

import re

import phonenumbers

from satuatap.core.errors import ValidationFailed

DEFAULT_REGION = "ID"
_SPACES = re.compile(r"\s+")


def phone_to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 ("+628123456789"), or None when it is not a valid phone number."""
    text = _SPACES.sub(" ", str(raw or "")).strip()
    if not text:
        return None
    if text.startswith("00"):  # international call prefix written instead of "+"
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalize(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """E.164 for a valid number, "" for a blank one; anything else is refused with `phone_invalid`."""
    if not str(raw or "").strip():
        return ""
    e164 = phone_to_e164(raw, region=region)
    if e164 is None:
        raise ValidationFailed(
            f'Nomor telepon "{raw}" tidak valid. Tulis seperti 0812-3456-7890, atau dengan +kode negara '
            "untuk nomor luar negeri.",
            f'Phone number "{raw}" is not valid. Write it like 0812-3456-7890, or with +country code for a foreign '
            "number.",
            code="phone_invalid",
            details={"phone": str(raw)},
        )
    return e164
