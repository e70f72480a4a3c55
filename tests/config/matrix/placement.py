"""Placement API and pages: companies, employers, job orders, fees, decisions, rule sets, signals; public
verification pages.

Every write row sends a valid body built from the world (its company, employer, job order, case; dates from
today), so a role's 2xx proves it may act and a 403/404 proves it may not (a 422 would only mean the body was
refused before the permission check). World additions: `member_username`, a user no company has yet;
`flagged_decision`, a decision of office A (Indramayu 32.12) flagged DESTINATION_MISMATCH, which its office head
may override; `licence_to`, a date a year ahead.
"""

from __future__ import annotations

import datetime as dt

from tests.config.matrix import Row, expect


def setup(world) -> None:
    from satuatap.accounts import services as account_services
    from satuatap.accounts.models import Role
    from satuatap.placement import services
    from tests import factories

    today = world.ids["today"]
    world.ids["licence_to"] = (dt.date.fromisoformat(today) + dt.timedelta(days=365)).isoformat()
    world.ids["member_username"] = account_services.user_create(
        username="m.company.new", password=None, role=Role.MONITOR).username
    decision = services.case_rules_evaluate(
        stage="case_open", case_ref="MATRIX-FLAG-1", worker=factories.worker("32.12"), scheme="P2P",
        destination_country="SG", office_regency_code="32.12", office_code=world.ids["office"],
        job_order=world.objects["job_order"], on=dt.date.fromisoformat(today), has_family_consent=True,
        active_case_elsewhere=False, actor=None)
    assert decision.verdict == "flagged", decision.fired
    world.ids["flagged_decision"] = decision.pk


REASON = "Keputusan rapat evaluasi matriks akses."
# Who manages companies (registers them and their branches, corrects their data): office heads and admins.
MANAGERS = dict(heads=201, admin=201)
P = "api/v1/placement/"
U = "/api/v1/placement/"
ROWS = [
    Row("GET", f"{P}companies", f"{U}companies", expect(200, anonymous=401),
        note="the licensed-company register is no personal data"),
    Row("POST", f"{P}companies", f"{U}companies", expect(403, anonymous=401, **MANAGERS),
        data={"name": "PT Matriks Baru", "licence_number": "SIP3MI/MATRIX-NEW", "licence_valid_from": "{today}",
              "licence_valid_to": "{licence_to}", "head_office_regency": "32.12"},
        note="office heads (any office) and admins register companies; company users do not"),
    Row("GET", f"{P}companies/<company_id>", f"{U}companies/{{company}}",
        expect(200, anonymous=401, company_other=404)),
    Row("PATCH", f"{P}companies/<company_id>", f"{U}companies/{{company}}",
        expect(403, anonymous=401, heads=200, admin=200, company_other=404),
        data={"phone": "0234-555-0100", "head_office_address": "Jl. Matriks 1, Indramayu"},
        note="the company itself cannot correct its register entry"),
    Row("POST", f"{P}companies/<company_id>/status", f"{U}companies/{{company}}/status",
        expect(403, anonymous=401, company_other=404, admin=200), data={"action": "suspend", "reason": REASON},
        note="admins only change a licence's status"),
    Row("POST", f"{P}companies/<company_id>/sanctions", f"{U}companies/{{company}}/sanctions",
        expect(403, anonymous=401, company_other=404, admin=201),
        data={"kind": "warning", "violation": "worker_charged", "imposed_on": "{today}", "reason": REASON,
              "legal_basis": "Permen P2MI 4/2025"}),
    Row("POST", f"{P}companies/<company_id>/branches", f"{U}companies/{{company}}/branches",
        expect(403, anonymous=401, company_other=404, **MANAGERS),
        data={"name": "Cabang Matriks", "regency": "32.12", "address": "Jl. Cabang 2"}),
    Row("POST", f"{P}companies/<company_id>/partners", f"{U}companies/{{company}}/partners",
        expect(403, anonymous=401, company_other=404, company=201, **MANAGERS),
        data={"name": "Matrix Agency Ltd", "country": "HK", "licence_number": "EA-1234"},
        note="managers and the company itself record its foreign partners"),
    Row("POST", f"{P}companies/<company_id>/members", f"{U}companies/{{company}}/members",
        expect(403, anonymous=401, company_other=404, admin=201),
        data={"username": "{member_username}", "role": "staff"}, note="admins make company users"),
    Row("GET", f"{P}employers", f"{U}employers", expect(200, anonymous=401)),
    Row("POST", f"{P}employers", f"{U}employers", expect(403, anonymous=401, companies=201, **MANAGERS),
        data={"name": "Matrix Employer Ltd", "country": "HK", "city": "Kowloon", "type": "company"},
        note="managers, and company users for their own job orders"),
    Row("POST", f"{P}employers/<employer_id>/problem-listings", f"{U}employers/{{employer}}/problem-listings",
        expect(403, anonymous=401, admin=201),
        data={"listed_on": "{today}", "reason": REASON, "mission": "KJRI Hong Kong"}),
    Row("POST", f"{P}employers/<employer_id>/partners/<company_id>",
        f"{U}employers/{{employer}}/partners/{{company}}", expect(403, anonymous=401, company_other=404, admin=200),
        note="no body: the path names both"),
    Row("GET", f"{P}job-titles", f"{U}job-titles", expect(200, anonymous=401)),
    Row("GET", f"{P}job-orders", f"{U}job-orders", expect(200, anonymous=401)),
    Row("POST", f"{P}job-orders", f"{U}job-orders", expect(403, anonymous=401, company=201, admin=201),
        data={"number": "JO-MATRIX-NEW", "company_id": "{company}", "employer_id": "{employer}",
              "job_title": "CAREGIVER_NURSING", "sector": "care", "positions": 5, "salary": "4990.00",
              "currency": "HKD", "contract_months": 24, "valid_from": "{today}", "valid_to": "{licence_to}",
              "city": "Kowloon", "recruitment_regions": ["32"]},
        note="the job order's own company (not another company, not officers) and admins"),
    Row("GET", f"{P}job-orders/<job_order_id>", f"{U}job-orders/{{job_order}}",
        expect(200, anonymous=401, company_other=404)),
    Row("POST", f"{P}job-orders/<job_order_id>/attest", f"{U}job-orders/{{job_order}}/attest",
        expect(403, anonymous=401, company_other=404, admin=200),
        data={"attested_on": "{today}", "reference": "KJRI-HK/ATT/MATRIX", "mission": "KJRI Hong Kong"}),
    Row("POST", f"{P}job-orders/<job_order_id>/status", f"{U}job-orders/{{job_order}}/status",
        expect(403, anonymous=401, company_other=404, company=200, admin=200),
        data={"action": "close", "reason": REASON}, note="its company and admins close it; officers read only"),
    Row("GET", f"{P}job-orders/<job_order_id>/links", f"{U}job-orders/{{job_order}}/links",
        expect(200, anonymous=401, company_other=404)),
    Row("POST", f"{P}fees", f"{U}fees", expect(403, anonymous=401, office_a=201, admin=201),
        data={"case_ref": "{case}", "component": "tickets", "amount": 2500000, "payer": "company",
              "receipt_ref": "KW-MATRIX-1"},
        note="desk officers and heads of the case's office, and admins (office B may not write office A's "
             "ledger, as it may not read it)"),
    Row("GET", f"{P}fees", f"{U}fees?case_ref={{case}}",
        expect(403, anonymous=401, office_a=200, monitor=200, monitor_region=200, admin=200, company=200),
        note="a case's costs: its office, monitors of its region, admins and the case's company; NOT other "
             "offices, other regions, checkpoint officers or auditors (placement.selectors.fee_entries_list)"),
    Row("GET", f"{P}decisions", f"{U}decisions?case_ref={{case}}", expect(200, anonymous=401, companies=403),
        note="officers get the list filtered to the decisions they may read (empty outside scope)"),
    Row("POST", f"{P}decisions/<decision_id>/override", f"{U}decisions/{{flagged_decision}}/override",
        expect(403, anonymous=401, head=200, office_b=404, monitor_other=404, companies=404, checkpoint=404,
               auditor=404),
        data={"reason": "Dokumen asli sudah diperiksa langsung."},
        note="a flagged decision of office A: only its office head overrides; who cannot read it gets 404"),
    Row("POST", f"{P}decisions/<decision_id>/override", f"{U}decisions/{{decision}}/override",
        expect(403, anonymous=401, head=409, office_b=404, monitor_other=404, companies=404, checkpoint=404,
               auditor=404),
        data={"reason": "Dokumen asli sudah diperiksa langsung."},
        note="the world case's own decision has no flag: 409 override_nothing for its head"),
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
