"""Django's admin site: staff (admins) with the second factor only."""

from __future__ import annotations

from tests.config.matrix import Row, expect

ROWS = [
    Row("GET", "admin/", "/admin/", expect(302, admin=200), note="everyone else is sent to the admin login"),
]
