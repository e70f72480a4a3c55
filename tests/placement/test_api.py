"""The placement API: who may do what, stable error codes, and the public verification endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.placement import services
from satuatap.placement.models import Company, JobOrder
from tests import factories
from tests.placement.builders import evaluate, make_company, make_employer, make_job_order

pytestmark = pytest.mark.usefixtures("placement_ref")
API = "/api/v1/placement"


def bearer(user) -> dict[str, str]:
    _, secret = account_services.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(url: str, data: dict, headers: dict, **extra):
    return Client().post(url, data=data, content_type="application/json", **headers, **extra)


def get(url: str, headers: dict | None = None, **params):
    return Client().get(url, params, **(headers or {}))


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"} and body["code"] == code
    return body


def company_user(company: Company, admin):
    user = account_services.user_create(username=f"co{company.pk}.{timezone.now().timestamp()}", password=None,
                                        role=Role.MONITOR)
    services.company_member_add(actor=admin, company=company, user=user)
    return user


def job_order_body(company: Company, employer_id: int, number: str = "JO-API-001") -> dict:
    today = timezone.localdate()
    return {
        "number": number, "company_id": company.pk, "employer_id": employer_id, "job_title": "FACTORY_OPERATOR",
        "sector": "manufacturing", "positions": 10, "salary": "28590", "currency": "TWD", "contract_months": 36,
        "valid_from": today.isoformat(), "valid_to": (today + dt.timedelta(days=300)).isoformat(),
        "sip2mi_number": "SIP2MI/1", "sip2mi_valid_from": today.isoformat(),
        "sip2mi_valid_to": (today + dt.timedelta(days=300)).isoformat(), "recruitment_regions": ["32", "35.78"],
    }


def test_office_head_registers_a_company_desk_officer_may_not(head, officer):
    body = {"name": "PT Baru", "licence_number": "SIP3MI/9/2026", "licence_valid_from": "2026-01-01",
            "licence_valid_to": "2031-01-01", "head_office_regency": "32.12"}
    created = post(f"{API}/companies", body, bearer(head))
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "active" and created.json()["head_office_regency"] == "32.12"
    assert_error(post(f"{API}/companies", body, bearer(head)), 409, "company_exists")
    assert_error(post(f"{API}/companies", {**body, "licence_number": "X/2"}, bearer(officer)), 403,
                 "forbidden_not_manager")


def test_admin_suspends_a_licence_office_head_may_not(admin, head):
    company = make_company()
    assert_error(post(f"{API}/companies/{company.pk}/status", {"action": "suspend", "reason": "x"}, bearer(head)),
                 403, "forbidden_not_admin")
    response = post(f"{API}/companies/{company.pk}/status", {"action": "suspend", "reason": "Tanpa SIP2MI"},
                    bearer(admin))
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert not response.json()["licence_valid_today"]
    assert_error(post(f"{API}/companies/{company.pk}/status", {"action": "suspend", "reason": "lagi"}, bearer(admin)),
                 409, "invalid_transition")


def test_company_users_see_and_create_only_their_own_job_orders(admin):
    mine, theirs = make_company(), make_company()
    user = company_user(mine, admin)
    own_jo, other_jo = make_job_order(company=mine), make_job_order(company=theirs)
    employer = make_employer()
    headers = bearer(user)
    listed = get(f"{API}/job-orders", headers).json()
    assert [j["number"] for j in listed] == [own_jo.number]
    assert_error(get(f"{API}/job-orders/{other_jo.pk}", headers), 404, "job_order_not_found")
    assert [c["id"] for c in get(f"{API}/companies", headers).json()] == [mine.pk]
    created = post(f"{API}/job-orders", job_order_body(mine, employer.pk), headers)
    assert created.status_code == 201, created.content
    assert created.json()["recruitment_regions"] == ["32", "35.78"] and created.json()["positions_left"] == 10
    assert_error(post(f"{API}/job-orders", job_order_body(theirs, employer.pk, "JO-API-002"), headers), 403,
                 "forbidden_not_company")
    assert get(f"{API}/decisions", headers, case_ref="X").status_code == 403


def test_problem_employer_cannot_receive_new_job_orders(admin):
    company = make_company()
    employer = make_employer(country="AE", city="Dubai")
    listing = post(f"{API}/employers/{employer.pk}/problem-listings",
                   {"listed_on": timezone.localdate().isoformat(), "reason": "Upah tidak dibayar",
                    "mission": "KJRI Dubai"}, bearer(admin))
    assert listing.status_code == 201, listing.content
    body = assert_error(post(f"{API}/job-orders", job_order_body(company, employer.pk), bearer(admin)), 409,
                        "employer_problem_listed")
    assert body["details"]["mission"] == "KJRI Dubai"
    assert not JobOrder.objects.exists()
    assert get(f"{API}/employers", bearer(admin)).json()[0]["problem_listed"] is True


def test_suspended_company_cannot_record_job_orders(admin):
    company = make_company(status="suspended")
    assert_error(post(f"{API}/job-orders", job_order_body(company, make_employer().pk), bearer(admin)), 409,
                 "company_licence_inactive")


def test_admin_attests_a_job_order(admin):
    jo = make_job_order(attested=False)
    response = post(f"{API}/job-orders/{jo.pk}/attest", {"attested_on": "2026-06-01", "reference": "ATT/77",
                                                         "mission": "KDEI Taipei"}, bearer(admin))
    assert response.status_code == 200 and response.json()["attested"] is True


def test_fee_ledger_and_decisions_over_http(officer, head):
    jo = make_job_order(job="DOMESTIC_WORKER", sector="household", employer=make_employer(country="HK"))
    number = factories.open_case(officer, factories.worker()).number
    fee = post(f"{API}/fees", {"case_ref": number, "component": "passport", "amount": 350000,
                               "payer": "worker", "receipt_ref": "KW-1"}, bearer(officer))
    assert fee.status_code == 201, fee.content
    assert_error(post(f"{API}/fees", {"case_ref": "X", "component": "bribe", "amount": 1, "payer": "worker"},
                      bearer(officer)), 422, "choice_unknown")
    assert_error(post(f"{API}/fees", {"case_ref": "LTSA-IDM-1999-000001", "component": "passport", "amount": 1,
                                      "payer": "worker"}, bearer(officer)), 404, "case_not_found")
    # another office's officer can neither write nor read this case's ledger
    elsewhere = factories.officer("LTSA-SBY", "DISNAKER")
    assert_error(post(f"{API}/fees", {"case_ref": number, "component": "tickets", "amount": 1, "payer": "worker"},
                      bearer(elsewhere)), 403, "forbidden_fee_record_office")
    assert [f["amount"] for f in get(f"{API}/fees", bearer(officer), case_ref=number).json()] == [
        350000]
    decision = evaluate(stage="step_complete", job_order=jo, case_ref=number)
    listed = get(f"{API}/decisions", bearer(head), case_ref=number).json()
    assert listed[0]["id"] == decision.pk and listed[0]["verdict"] == "blocked" and not listed[0]["proceed"]
    assert listed[0]["fired"][0]["code"] == "ZERO_COST_FEES"
    assert_error(post(f"{API}/decisions/{decision.pk}/override", {"reason": "Sudah dikembalikan ke pekerja."},
                      bearer(head)), 409, "override_block_refused")
    # Another office's staff see neither its decisions nor its costs.
    other = factories.head("LTSA-SBY")
    assert get(f"{API}/decisions", bearer(other), case_ref=number).json() == []
    assert_error(get(f"{API}/fees", bearer(other), case_ref=number), 403, "forbidden")


def test_override_over_http(head, officer):
    jo = make_job_order(regions=("32",))
    decision = evaluate(job_order=jo, office_regency_code="35.78", case_ref="C-HTTP")
    assert_error(post(f"{API}/decisions/{decision.pk}/override", {"reason": "Petugas mencoba."}, bearer(officer)),
                 403, "forbidden_not_office_head")
    response = post(f"{API}/decisions/{decision.pk}/override", {"reason": "Domisili baru sudah dicek."},
                    bearer(head))
    assert response.status_code == 200, response.content
    assert response.json()["proceed"] is True and response.json()["override"]["actor"] == head.username


def test_rule_sets_and_job_titles_are_listed(officer):
    rule_sets = get(f"{API}/rule-sets", bearer(officer)).json()
    assert rule_sets[0]["version"] == 1 and len(rule_sets[0]["rules"]) == 18
    titles = get(f"{API}/job-titles", bearer(officer)).json()
    assert sum(t["zero_cost"] for t in titles) == 10


def test_api_needs_authentication_except_public():
    assert_error(get(f"{API}/job-orders"), 401, "not_authenticated")


# --- public ---------------------------------------------------------------------------------------------


def test_public_job_order_check_legal_and_not_legal():
    cache.clear()
    legal = make_job_order(valid_from=timezone.localdate() - dt.timedelta(days=10),
                           valid_to=timezone.localdate() + dt.timedelta(days=100))
    JobOrder.objects.filter(pk=legal.pk).update(sip2mi_valid_from=legal.valid_from, sip2mi_valid_to=legal.valid_to)
    body = get(f"{API}/public/job-orders", number=legal.number.lower()).json()
    assert body["legal"] is True and body["warning_id"] == "" and body["positions_left"] == 10
    assert body["verify_url"].endswith(f"/placement/verify/job-order/?number={legal.number}")

    illegal = make_job_order(attested=False, company=make_company(status="suspended"))
    body = get(f"{API}/public/job-orders", number=illegal.number).json()
    assert body["legal"] is False and "TIDAK SAH" in body["warning_id"]
    assert len(body["problems"]) >= 2 and body["company"]["legal"] is False
    assert_error(get(f"{API}/public/job-orders", number="JO-NOPE-1"), 404, "job_order_not_found")


def test_public_job_order_hides_an_individual_employers_name():
    cache.clear()
    jo = make_job_order(employer=make_employer(country="HK", kind="individual", name="Nyonya Rahasia"),
                        job="DOMESTIC_WORKER", sector="household")
    body = get(f"{API}/public/job-orders", number=jo.number).json()
    assert "Rahasia" not in str(body)


def test_public_company_search():
    cache.clear()
    make_company(name="PT Sinar Harapan Bangsa")
    make_company(name="PT Sinar Gelap", status="revoked")
    results = get(f"{API}/public/companies", q="sinar").json()
    assert {(r["name"], r["legal"]) for r in results} == {("PT Sinar Harapan Bangsa", True), ("PT Sinar Gelap", False)}
    assert all(r["warning_id"] for r in results if not r["legal"])


def test_public_endpoints_are_rate_limited(settings):
    cache.clear()
    settings.PLACEMENT_VERIFY_RATE_LIMIT = 3
    statuses = [get(f"{API}/public/companies", q="abc").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert_error(get(f"{API}/public/companies", q="abc"), 429, "rate_limited")
    other = Client(REMOTE_ADDR="10.0.0.9").get(f"{API}/public/companies", {"q": "abc"})
    assert other.status_code == 200
    cache.clear()


def test_admin_adds_a_company_user_by_username(admin):
    company = make_company()
    user = account_services.user_create(username="staf.pt", password=None, role=Role.MONITOR)
    response = post(f"{API}/companies/{company.pk}/members", {"username": "staf.pt"}, bearer(admin))
    assert response.status_code == 201 and response.json()["company_id"] == company.pk
    assert [c["id"] for c in get(f"{API}/companies", bearer(user)).json()] == [company.pk]
    assert_error(post(f"{API}/companies/{company.pk}/members", {"username": "nobody"}, bearer(admin)), 404,
                 "not_found")


def test_signals_over_http(head, officer):
    assert get(f"{API}/signals", bearer(head)).json() == []
    assert_error(get(f"{API}/signals", bearer(officer)), 403, "forbidden")


def test_openapi_lists_placement_and_public_endpoints_need_no_auth():
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/placement/job-orders" in paths and "/api/v1/placement/decisions/{decision_id}/override" in paths
    assert "security" not in paths["/api/v1/placement/public/job-orders"]["get"]
    assert paths["/api/v1/placement/job-orders"]["get"]["security"]


def test_company_data_corrected_by_office_head(head):
    company = make_company()
    response = Client().patch(f"{API}/companies/{company.pk}",
                              data={"phone": "0234-123", "head_office_regency": "32.12"},
                              content_type="application/json", **bearer(head))
    assert response.status_code == 200 and response.json()["phone"] == "0234-123"
    bad = Client().patch(f"{API}/companies/{company.pk}", data={"licence_valid_to": "2000-01-01"},
                         content_type="application/json", **bearer(head))
    assert_error(bad, 422, "dates_out_of_order")
    null = Client().patch(f"{API}/companies/{company.pk}", data={"licence_valid_to": None},
                          content_type="application/json", **bearer(head))
    assert_error(null, 422, "field_required")
