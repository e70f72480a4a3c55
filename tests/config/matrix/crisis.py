"""Crisis Center: public report and status pages; agents (INFO and BP3MI desks) work the queue; company users
answer clarification requests addressed to their company."""

from __future__ import annotations

from tests.config.matrix import Row, expect


def _assign(world):
    return {"assignee": str(world.users["desk_info"].pk), "team": "Tim Matriks"}

C = "crisis/complaints/<str:reference>/"
ROWS = [
    Row("GET", "crisis/report/", "/crisis/report/", expect(200)),
    Row("GET", "crisis/report/done/", "/crisis/report/done/", expect(302), note="only right after a report"),
    Row("GET", "crisis/status/", "/crisis/status/", expect(200)),
    Row("POST", "crisis/status/documents/", "/crisis/status/documents/", expect(200), data={},
        note="the complainant's session (reference + secret) decides; without it the form is shown again"),
    Row("GET", "crisis/clarification/<str:token>/", "/crisis/clarification/not-a-token/", expect(404)),
    Row("GET", "crisis/company/", "/crisis/company/", expect(403, anonymous=302, companies=200)),
    Row("GET", "crisis/company/requests/<int:clarification_id>/", "/crisis/company/requests/999999/",
        expect(403, anonymous=302, companies=404)),
    Row("GET", "crisis/queue/", "/crisis/queue/", expect(403, anonymous=302, crisis=200, admin=200)),
    Row("GET", "crisis/intake/", "/crisis/intake/", expect(403, anonymous=302, crisis=200, admin=200)),
    Row("GET", C, "/crisis/complaints/{complaint}/", expect(403, anonymous=302, crisis=200, admin=200)),
    Row("POST", f"{C}act/<slug:action>/", "/crisis/complaints/{complaint}/act/assign/",
        expect(403, anonymous=302, crisis=302, admin=302), data=_assign,
        note="assigns the INFO desk agent: a success redirects (302); a refusal would come back REFUSED"),
    Row("GET", f"{C}attachments/<int:attachment_id>/", "/crisis/complaints/{complaint}/attachments/999999/",
        expect(403, anonymous=302, crisis=404, admin=404)),
    Row("POST", "api/v1/complaints/", "/api/v1/complaints/", expect(401), data={},
        note="channel integrations with an X-Channel-Key only"),
    Row("GET", "api/v1/complaints/", "/api/v1/complaints/", expect(403, anonymous=401, crisis=200, admin=200)),
    Row("GET", "api/v1/complaints/stats", "/api/v1/complaints/stats",
        expect(403, anonymous=401, crisis=200, monitors=200, admin=200),
        note="company users hold a monitor role but are no monitors"),
    Row("GET", "api/v1/complaints/<reference>", "/api/v1/complaints/{complaint}",
        expect(403, anonymous=401, crisis=200, admin=200)),
]
