"""Masking of personal identifiers for roles that do not need the full value (UU 27/2022)."""

from __future__ import annotations


def mask_nik(nik: str) -> str:
    """Keep the region code (first 6) and the last 2 digits: 351512**********34 style."""
    if len(nik) != 16:
        return "*" * len(nik)
    return nik[:6] + "*" * 8 + nik[-2:]
