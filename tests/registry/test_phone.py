"""Phone numbers are stored as E.164; Indonesian by default, foreign with a + (or 00)."""

from __future__ import annotations

import pytest

from satuatap.core.errors import ValidationFailed
from satuatap.registry.phone import phone_normalize, phone_to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("08123456789", "+628123456789"),
        ("0812-3456-789", "+628123456789"),
        ("+62 812 3456 789", "+628123456789"),
        ("628123456789", "+628123456789"),
        ("(021) 555-1234", "+62215551234"),  # Jakarta landline
        ("+85291234567", "+85291234567"),  # Hong Kong mobile
        ("+852 9123 4567", "+85291234567"),
        ("00852 9123 4567", "+85291234567"),
        ("+60 12-345 6789", "+60123456789"),  # Malaysia
    ],
)
def test_valid_numbers_become_e164(raw, e164):
    assert phone_normalize(raw) == e164
    assert phone_to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_blank_stays_blank(raw):
    assert phone_normalize(raw) == ""
    assert phone_to_e164(raw) is None


@pytest.mark.parametrize("raw", ["123", "abc", "0812345", "+6281234567890123", "+999 1234"])
def test_invalid_numbers_are_refused(raw):
    assert phone_to_e164(raw) is None
    with pytest.raises(ValidationFailed) as exc:
        phone_normalize(raw)
    assert exc.value.code == "phone_invalid"
    assert exc.value.status == 422
    assert exc.value.message.startswith("Nomor telepon")
    assert exc.value.details == {"phone": raw}
