"""Rows of the accounts API: the caller's profile and the audit log."""

from __future__ import annotations

from tests.config.matrix import Row, expect

ROWS = [
    Row("GET", "api/v1/me", "/api/v1/me", expect(200, anonymous=401)),
    Row("GET", "api/v1/audit/entries", "/api/v1/audit/entries", expect(403, anonymous=401, auditor=200, admin=200)),
    Row("GET", "api/v1/audit/entries.csv", "/api/v1/audit/entries.csv",
        expect(403, anonymous=401, auditor=200, admin=200)),
]
