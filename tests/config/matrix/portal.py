"""The candidate's public status pages (lookup by case number + NIK/birth date; slip PDF)."""

from __future__ import annotations

from tests.config.matrix import Row, expect

ROWS = [
    Row("GET", "status/", "/status/", expect(200)),
    Row("POST", "status/", "/status/", expect(200), data={"case_number": "{case}", "nik": "{nik}"}),
    Row("GET", "status/^(?P<case_number>[A-Za-z0-9-]{1,40})/$", "/status/{case}/", expect(302)),
    Row("GET", "status/^slip/(?P<case_number>[A-Za-z0-9-]{1,40})\\.pdf$", "/status/slip/{case}.pdf",
        expect(403, anonymous=302, office_a=200, admin=200),
        note="the office prints the slip; the public goes through the lookup first"),
]
