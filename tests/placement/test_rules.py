"""One test per rule, on both sides of its boundary. Each case is legal except for the one thing under test."""

from __future__ import annotations

import datetime as dt

import pytest

from satuatap.placement import services
from satuatap.placement.models import FeeLedgerEntry, JobOrderLink
from tests import factories
from tests.placement.builders import evaluate, make_company, make_employer, make_job_order, now

pytestmark = pytest.mark.usefixtures("placement_ref")


def codes(decision) -> set[str]:
    return {f["code"] for f in decision.fired}


def test_a_legal_case_is_ok_and_recorded():
    jo = make_job_order()
    decision = evaluate(job_order=jo)
    assert decision.verdict == "ok", decision.fired
    assert decision.proceed
    assert decision.pk and decision.rule_set_version == 1 and decision.stage == "case_open"


# --- age ------------------------------------------------------------------------------------------------


def test_min_age_17_blocks_18_passes_on_the_evaluation_date():
    worker = factories.worker("32.12", birth_date=dt.date(2008, 6, 15))
    jo = make_job_order()
    day_before = evaluate(worker=worker, job_order=jo, on=dt.date(2026, 6, 14))
    assert day_before.verdict == "blocked" and codes(day_before) == {"AGE_MIN"}
    assert "17 tahun" in day_before.fired[0]["reason_id"] and "UU 18/2017" in day_before.fired[0]["legal_basis"]
    birthday = evaluate(worker=worker, job_order=jo, on=dt.date(2026, 6, 15))
    assert "AGE_MIN" not in codes(birthday) and birthday.verdict == "ok"


def test_korea_g2g_39_passes_40_blocks():
    worker = factories.worker("32.12", birth_date=dt.date(1986, 6, 15))
    at_39 = evaluate(worker=worker, scheme="G2G", destination_country="KR", on=dt.date(2026, 6, 14))
    assert at_39.verdict == "ok", at_39.fired
    at_40 = evaluate(worker=worker, scheme="G2G", destination_country="KR", on=dt.date(2026, 6, 15))
    assert codes(at_40) == {"AGE_SCHEME_LIMIT"} and at_40.verdict == "blocked"
    assert "18–39" in at_40.fired[0]["reason_id"]


def test_korea_age_limit_does_not_apply_to_other_schemes_or_countries():
    worker = factories.worker("32.12", birth_date=dt.date(1980, 1, 1))
    assert evaluate(worker=worker, scheme="G2G", destination_country="JP").verdict == "ok"
    assert "AGE_SCHEME_LIMIT" not in codes(evaluate(worker=worker, job_order=make_job_order(
        employer=make_employer(country="KR", city="Seoul"))))


# --- destinations ---------------------------------------------------------------------------------------


def test_moratorium_country_with_company_employer_formal_job_passes():
    jo = make_job_order(employer=make_employer(country="SA", kind="company", city="Jeddah"))
    assert evaluate(job_order=jo).verdict == "ok"


def test_moratorium_country_with_individual_employer_blocks():
    jo = make_job_order(employer=make_employer(country="SA", kind="individual", city="Riyadh"),
                        job="DOMESTIC_WORKER", sector="household")
    decision = evaluate(job_order=jo)
    assert codes(decision) == {"MIDDLE_EAST_MORATORIUM"} and decision.verdict == "blocked"
    assert "Kepmenaker 260/2015" in decision.fired[0]["legal_basis"]
    assert "spsk_employer_type" in decision.fired[0]["details"]["spsk_failures"]


def test_moratorium_blocks_domestic_work_through_a_company_outside_spsk():
    jo = make_job_order(employer=make_employer(country="AE", kind="company", city="Dubai"), job="DOMESTIC_WORKER",
                        sector="household")
    assert codes(evaluate(job_order=jo)) == {"MIDDLE_EAST_MORATORIUM"}


def test_non_moratorium_country_with_individual_employer_passes():
    jo = make_job_order(employer=make_employer(country="HK", kind="individual", city="Hong Kong"),
                        job="DOMESTIC_WORKER", sector="household")
    assert evaluate(job_order=jo).verdict == "ok"


def _spsk_job_order(*, city="Riyadh", job="DOMESTIC_WORKER", kind="syarikah", country="SA", extra_partners=0):
    company = make_company()
    partners = [company] + [make_company() for _ in range(extra_partners)]
    employer = make_employer(country=country, kind=kind, city=city, partners=partners)
    return make_job_order(company=company, employer=employer, job=job, sector="household")


def test_spsk_exception_passes_with_every_condition():
    decision = evaluate(job_order=_spsk_job_order(extra_partners=2))  # three partner companies: the maximum
    assert decision.verdict == "ok", decision.fired


@pytest.mark.parametrize(
    ("kwargs", "failure"),
    [
        ({"city": "Tabuk"}, "spsk_city"),
        ({"job": "GARDENER"}, "spsk_job_title"),
        ({"kind": "company"}, "spsk_employer_type"),
        ({"kind": "individual"}, "spsk_employer_type"),
        ({"extra_partners": 3}, "spsk_partners"),
        ({"country": "KW", "city": "Riyadh"}, "spsk_country"),
    ],
)
def test_spsk_exception_fails_when_one_condition_is_missing(kwargs, failure):
    decision = evaluate(job_order=_spsk_job_order(**kwargs))
    assert codes(decision) == {"MIDDLE_EAST_MORATORIUM"}
    assert decision.fired[0]["details"]["spsk_failures"] == [failure]


def test_spsk_city_match_ignores_case():
    assert evaluate(job_order=_spsk_job_order(city="jeddah")).verdict == "ok"


@pytest.mark.parametrize("country", ["KH", "MM"])
def test_non_official_destination_blocks(country):
    jo = make_job_order(employer=make_employer(country=country, city="X"))
    decision = evaluate(job_order=jo)
    assert codes(decision) == {"NON_OFFICIAL_DESTINATION"} and decision.verdict == "blocked"


def test_non_official_destination_without_job_order_and_official_one_passes():
    assert codes(evaluate(scheme="MANDIRI", destination_country="KH")) == {"NON_OFFICIAL_DESTINATION"}
    assert evaluate(scheme="MANDIRI", destination_country="MY").verdict == "ok"


def test_destination_differing_from_the_job_order_is_flagged():
    jo = make_job_order()  # Taiwan
    decision = evaluate(job_order=jo, destination_country="MY")
    assert codes(decision) == {"DESTINATION_MISMATCH"} and decision.verdict == "flagged"
    assert evaluate(job_order=jo, destination_country="TW").verdict == "ok"


# --- job order ------------------------------------------------------------------------------------------


def test_p2p_needs_a_job_order_g2g_does_not():
    assert codes(evaluate(job_order=None)) == {"JOB_ORDER_REQUIRED"}
    assert evaluate(job_order=None, scheme="G2G", destination_country="JP").verdict == "ok"


def test_job_order_not_attested_blocks():
    decision = evaluate(job_order=make_job_order(attested=False))
    assert codes(decision) == {"JOB_ORDER_ATTESTED"} and decision.verdict == "blocked"


def test_job_order_validity_boundaries():
    jo = make_job_order(valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 6, 15))
    assert evaluate(job_order=jo, on=dt.date(2026, 6, 15)).verdict == "ok"
    expired = evaluate(job_order=jo, on=dt.date(2026, 6, 16))
    assert "JOB_ORDER_VALID" in codes(expired) and expired.verdict == "blocked"
    assert "JOB_ORDER_VALID" in codes(evaluate(job_order=jo, on=dt.date(2025, 12, 31)))


def test_closed_job_order_blocks():
    assert codes(evaluate(job_order=make_job_order(status="closed"))) == {"JOB_ORDER_VALID"}


def test_job_order_with_last_position_passes_full_one_blocks():
    assert evaluate(job_order=make_job_order(positions=2, positions_used=1)).verdict == "ok"
    full = evaluate(job_order=make_job_order(positions=2, positions_used=2))
    assert codes(full) == {"JOB_ORDER_QUOTA"} and full.verdict == "blocked"


def test_a_case_already_holding_a_position_passes_the_quota(officer):
    jo = make_job_order(positions=1)
    services.job_order_link(job_order=jo, case_ref="CASE-QUOTA-1", actor=officer)
    assert evaluate(job_order=jo, case_ref="CASE-QUOTA-1").verdict == "ok"
    assert codes(evaluate(job_order=jo, case_ref="CASE-QUOTA-2")) == {"JOB_ORDER_QUOTA"}


# --- company and SIP2MI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_company_licence_not_active_blocks(status):
    jo = make_job_order(company=make_company(status=status))
    decision = evaluate(job_order=jo)
    assert codes(decision) == {"COMPANY_LICENCE"} and decision.verdict == "blocked"


def test_company_licence_validity_boundaries():
    jo = make_job_order(company=make_company(valid_to=dt.date(2026, 6, 15)))
    assert evaluate(job_order=jo, on=dt.date(2026, 6, 15)).verdict == "ok"
    assert codes(evaluate(job_order=jo, on=dt.date(2026, 6, 16), stage="step_complete")) == {"COMPANY_LICENCE"}


def test_suspension_after_opening_blocks_the_next_step():
    company = make_company()
    jo = make_job_order(company=company)
    assert evaluate(job_order=jo).verdict == "ok"
    company.status = "suspended"
    company.save()
    assert codes(evaluate(job_order=jo, stage="step_complete")) == {"COMPANY_LICENCE"}


@pytest.mark.parametrize(("regions", "ok"), [(("32",), True), (("32.12",), True), (("33", "32.13"), False)])
def test_sip2mi_region_of_the_candidate(regions, ok):
    jo = make_job_order(regions=regions)
    decision = evaluate(job_order=jo, worker=factories.worker("32.12"), office_regency_code="")
    if ok:
        assert decision.verdict == "ok", decision.fired
    else:
        assert codes(decision) == {"SIP2MI_REGION"} and decision.verdict == "blocked"


def test_missing_or_expired_sip2mi_blocks():
    assert codes(evaluate(job_order=make_job_order(sip2mi=False))) == {"SIP2MI_REGION"}
    jo = make_job_order()
    assert codes(evaluate(job_order=jo, on=dt.date(2027, 1, 1))) >= {"SIP2MI_REGION"}


def test_office_outside_the_sip2mi_regions_is_flagged():
    jo = make_job_order(regions=("32",))
    decision = evaluate(job_order=jo, office_regency_code="35.78")
    assert codes(decision) == {"SIP2MI_OFFICE_REGION"} and decision.verdict == "flagged"


def test_problem_employer_on_an_existing_job_order_is_flagged(admin):
    jo = make_job_order()
    services.problem_employer_add(actor=admin, employer=jo.employer, listed_on=dt.date(2026, 6, 1),
                                  reason="Upah tidak dibayar", mission="KDEI Taipei")
    assert evaluate(job_order=jo, on=dt.date(2026, 5, 31)).verdict == "ok"
    decision = evaluate(job_order=jo, on=dt.date(2026, 6, 1))
    assert codes(decision) == {"PROBLEM_EMPLOYER"} and decision.verdict == "flagged"


def test_problem_employer_delisted_from_a_date_passes_from_that_date(admin):
    jo = make_job_order()
    listing = services.problem_employer_add(actor=admin, employer=jo.employer, listed_on=dt.date(2026, 6, 1),
                                            reason="Upah tidak dibayar", mission="KDEI Taipei")
    services.problem_employer_delist(actor=admin, listing=listing, delisted_on=dt.date(2026, 9, 1))
    assert codes(evaluate(job_order=jo, on=dt.date(2026, 8, 31))) == {"PROBLEM_EMPLOYER"}
    assert evaluate(job_order=jo, on=dt.date(2026, 9, 1)).verdict == "ok"
    # listed again later: the newer listing counts from its own date
    services.problem_employer_add(actor=admin, employer=jo.employer, listed_on=dt.date(2026, 11, 1),
                                  reason="Paspor ditahan", mission="KDEI Taipei")
    assert evaluate(job_order=jo, on=dt.date(2026, 10, 31)).verdict == "ok"
    decision = evaluate(job_order=jo, on=dt.date(2026, 11, 1))
    assert codes(decision) == {"PROBLEM_EMPLOYER"} and "Paspor ditahan" in decision.fired[0]["reason_id"]


def test_recent_company_sanction_is_flagged(admin):
    company = make_company()
    services.company_sanction_record(actor=admin, company=company, kind="warning", reason="Seleksi di luar LTSA",
                                     imposed_on=dt.date(2025, 6, 15))
    jo = make_job_order(company=company)
    assert codes(evaluate(job_order=jo, on=dt.date(2026, 6, 15))) == {"COMPANY_SANCTIONED"}
    assert evaluate(job_order=jo, on=dt.date(2026, 6, 16)).verdict == "ok"


# --- the candidate's situation --------------------------------------------------------------------------


def test_family_consent_missing_blocks_recorded_passes():
    jo = make_job_order()
    decision = evaluate(job_order=jo, has_family_consent=False)
    assert codes(decision) == {"FAMILY_CONSENT"} and decision.verdict == "blocked"
    assert evaluate(job_order=jo, has_family_consent=True).verdict == "ok"


def test_active_case_elsewhere_blocks():
    jo = make_job_order()
    assert codes(evaluate(job_order=jo, active_case_elsewhere=True)) == {"ONE_ACTIVE_CASE"}
    assert evaluate(job_order=jo, active_case_elsewhere=False).verdict == "ok"


@pytest.mark.parametrize("visa", ["tourist", "umrah", "visit", "Tourist"])
def test_tourist_umrah_visit_visa_blocks_departure(visa):
    jo = make_job_order()
    decision = evaluate(stage="departure", job_order=jo, visa_type=visa)
    assert codes(decision) == {"VISA_TYPE"} and decision.verdict == "blocked"


def test_work_visa_departs_and_visa_rule_is_not_a_case_open_rule():
    jo = make_job_order()
    assert evaluate(stage="departure", job_order=jo, visa_type="work").verdict == "ok"
    assert evaluate(stage="departure", job_order=jo, visa_type=None).verdict == "ok"
    assert evaluate(stage="case_open", job_order=jo, visa_type="tourist").verdict == "ok"


def _fee(case_ref: str, component: str, payer: str, amount: int = 350000) -> None:
    FeeLedgerEntry.objects.create(case_ref=case_ref, component=component, amount=amount, payer=payer,
                                  recorded_at=now())


def test_worker_paid_fee_for_a_zero_cost_job_blocks():
    jo = make_job_order(job="DOMESTIC_WORKER", sector="household", employer=make_employer(country="HK"))
    _fee("CASE-FEE-1", "passport", "employer")
    assert evaluate(stage="step_complete", job_order=jo, case_ref="CASE-FEE-1").verdict == "ok"
    _fee("CASE-FEE-1", "passport", "worker")
    _fee("CASE-FEE-1", "training", "worker", 2500000)
    decision = evaluate(stage="card", job_order=jo, case_ref="CASE-FEE-1")
    assert codes(decision) == {"ZERO_COST_FEES"} and decision.verdict == "blocked"
    assert "Rp2.850.000" in decision.fired[0]["reason_id"]
    assert len(decision.fired[0]["details"]["entries"]) == 2


def test_worker_paid_fee_for_a_formal_job_or_an_unlisted_component_passes():
    formal = make_job_order(job="FACTORY_OPERATOR")
    _fee("CASE-FEE-2", "passport", "worker")
    assert evaluate(stage="step_complete", job_order=formal, case_ref="CASE-FEE-2").verdict == "ok"
    zero = make_job_order(job="CLEANER", sector="services")
    _fee("CASE-FEE-3", "other", "worker")
    _fee("CASE-FEE-3", "medical", "worker", 0)
    assert evaluate(stage="step_complete", job_order=zero, case_ref="CASE-FEE-3").verdict == "ok"


# --- stages and blocks vs flags -------------------------------------------------------------------------


def test_rules_run_only_at_their_stages():
    jo = make_job_order(attested=False)
    assert codes(evaluate(job_order=jo, stage="case_open")) == {"JOB_ORDER_ATTESTED"}
    assert evaluate(job_order=jo, stage="step_complete").verdict == "ok"


def test_a_block_and_a_flag_together_block():
    jo = make_job_order(attested=False, regions=("32",))
    decision = evaluate(job_order=jo, office_regency_code="35.78")
    assert codes(decision) == {"JOB_ORDER_ATTESTED", "SIP2MI_OFFICE_REGION"} and decision.verdict == "blocked"


def test_decision_keeps_inputs_and_links_rule_set():
    jo = make_job_order()
    decision = evaluate(job_order=jo, visa_type="work", stage="departure")
    assert decision.inputs["visa_type"] == "work" and decision.job_order_id == jo.pk
    assert decision.rule_set.version == decision.rule_set_version


def test_no_link_exists_after_evaluation():
    evaluate(job_order=make_job_order())
    assert not JobOrderLink.objects.exists()
