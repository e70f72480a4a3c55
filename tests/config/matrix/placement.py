"""Placement API and pages: companies, employers, job orders, fees, decisions, rule sets, signals; public
verification pages."""

from __future__ import annotations

from tests.config.matrix import Row, expect

# These rows send an empty body: the API validates the body before the permission check, so every signed-in
# role gets 422 (nothing is revealed or changed); placement's own tests cover who may write what.
EMPTY = "empty body: 422 before the permission check"
P = "api/v1/placement/"
U = "/api/v1/placement/"
ROWS = [
    Row("GET", f"{P}companies", f"{U}companies", expect(200, anonymous=401),
        note="the licensed-company register is no personal data"),
    Row("POST", f"{P}companies", f"{U}companies", expect(422, anonymous=401), data={}, note=EMPTY),
    Row("GET", f"{P}companies/<company_id>", f"{U}companies/{{company}}",
        expect(200, anonymous=401, company_other=404)),
    Row("PATCH", f"{P}companies/<company_id>", f"{U}companies/{{company}}",
        expect(403, anonymous=401, heads=200, admin=200, company_other=404), data={}),
    Row("POST", f"{P}companies/<company_id>/status", f"{U}companies/{{company}}/status",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}companies/<company_id>/sanctions", f"{U}companies/{{company}}/sanctions",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}companies/<company_id>/branches", f"{U}companies/{{company}}/branches",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}companies/<company_id>/partners", f"{U}companies/{{company}}/partners",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}companies/<company_id>/members", f"{U}companies/{{company}}/members",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("GET", f"{P}employers", f"{U}employers", expect(200, anonymous=401)),
    Row("POST", f"{P}employers", f"{U}employers", expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}employers/<employer_id>/problem-listings", f"{U}employers/{{employer}}/problem-listings",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}employers/<employer_id>/partners/<company_id>",
        f"{U}employers/{{employer}}/partners/{{company}}", expect(403, anonymous=401, company_other=404, admin=200),
        data={}),
    Row("GET", f"{P}job-titles", f"{U}job-titles", expect(200, anonymous=401)),
    Row("GET", f"{P}job-orders", f"{U}job-orders", expect(200, anonymous=401)),
    Row("POST", f"{P}job-orders", f"{U}job-orders", expect(422, anonymous=401), data={}, note=EMPTY),
    Row("GET", f"{P}job-orders/<job_order_id>", f"{U}job-orders/{{job_order}}",
        expect(200, anonymous=401, company_other=404)),
    Row("POST", f"{P}job-orders/<job_order_id>/attest", f"{U}job-orders/{{job_order}}/attest",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("POST", f"{P}job-orders/<job_order_id>/status", f"{U}job-orders/{{job_order}}/status",
        expect(422, anonymous=401), data={}, note=EMPTY),
    Row("GET", f"{P}job-orders/<job_order_id>/links", f"{U}job-orders/{{job_order}}/links",
        expect(200, anonymous=401, company_other=404)),
    Row("POST", f"{P}fees", f"{U}fees", expect(422, anonymous=401), data={}, note=EMPTY),
    Row("GET", f"{P}fees", f"{U}fees?case_ref={{case}}",
        expect(403, anonymous=401, office_a=200, monitor=200, monitor_region=200, admin=200, company=200),
        note="a case's costs: its office, monitors of its region, admins and the case's company; NOT other "
             "offices, other regions, checkpoint officers or auditors (placement.selectors.fee_entries_list lets "
             "every officer read them: reported to the lead)"),
    Row("GET", f"{P}decisions", f"{U}decisions?case_ref={{case}}", expect(200, anonymous=401, companies=403),
        note="officers get the list filtered to the decisions they may read (empty outside scope)"),
    Row("POST", f"{P}decisions/<decision_id>/override", f"{U}decisions/{{decision}}/override",
        expect(403, anonymous=401, head=409, office_b=404, monitor_other=404, companies=404, checkpoint=404,
               auditor=404),
        data={"reason": "Dokumen asli sudah diperiksa langsung."}),
    Row("GET", f"{P}rule-sets", f"{U}rule-sets", expect(200, anonymous=401)),
    Row("GET", f"{P}signals", f"{U}signals", expect(403, anonymous=401, heads=200, monitors=200, admin=200)),
    Row("GET", f"{P}public/companies", f"{U}public/companies?q=Uji", expect(200)),
    Row("GET", f"{P}public/job-orders", f"{U}public/job-orders?number={{job_order_number}}", expect(200)),
    Row("GET", "placement/verify/", "/placement/verify/", expect(200)),
    Row("GET", "placement/verify/company/<int:company_id>/", "/placement/verify/company/{company}/", expect(200)),
    Row("GET", "placement/verify/job-order/", "/placement/verify/job-order/?number={job_order_number}", expect(200)),
    Row("GET", "placement/verify/job-order/qr.svg", "/placement/verify/job-order/qr.svg?number={job_order_number}",
        expect(200)),
    Row("GET", "placement/signals/", "/placement/signals/",
        expect(403, anonymous=302, heads=200, monitors=200, admin=200)),
]
