"""The status page's costs: what the fee ledger records for the case, and the warning when a worker on a zero-cost
job is recorded as paying (Perban 9/2020 jo. Permen P2MI 17/2025; UU 18/2017 art. 30)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.placement.models import FeeLedgerEntry
from satuatap.portal import tokens
from tests import factories

pytestmark = pytest.mark.django_db


def fee(case, component: str, amount: int, payer: str) -> FeeLedgerEntry:
    return FeeLedgerEntry.objects.create(case_ref=case.number, component=component, amount=amount, payer=payer,
                                         receipt_ref="KW-1", recorded_at=timezone.now())


def status_html(client, case) -> str:
    r = client.get(tokens.status_path(case_number=case.number, case_id=case.pk))
    assert r.status_code == 200
    return r.content.decode()


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def household_case(desks):
    """A case on a domestic-worker job order: one of the ten zero-cost jobs."""
    jo = factories.job_order("JO-TEST-HK-PRT", job="DOMESTIC_WORKER", employer_type="individual")
    return factories.open_case(desks["DISNAKER"], factories.worker("32.12", birth_date=dt.date(1993, 7, 8)),
                               job_order_number=jo.number)


def test_no_costs_recorded(client, case):
    costs = section(status_html(client, case), "costs")
    assert "Biaya yang tercatat" in costs and 'id="costs-empty"' in costs


def test_costs_listed_with_amount_and_payer_without_warning_on_a_formal_job(client, case):
    fee(case, "medical", 850_000, "worker")
    fee(case, "tickets", 4_500_000, "employer")
    html = status_html(client, case)
    costs = section(html, "costs")
    assert 'data-component="medical"' in costs and "Pemeriksaan kesehatan dan psikologi" in costs
    assert "Rp850.000" in costs and "Anda (pekerja)" in costs
    assert 'data-component="tickets"' in costs and "Rp4.500.000" in costs and "Pemberi kerja" in costs
    assert costs.index("medical") < costs.index("tickets")  # in the order recorded
    # a formal (not zero-cost) job: the worker may pay official costs
    assert 'id="cost-warning"' not in html and "cost-not-allowed" not in costs


def test_zero_cost_job_with_a_cost_paid_by_the_worker_warns(client, household_case):
    fee(household_case, "agency_fee", 3_000_000, "worker")
    fee(household_case, "visa", 1_200_000, "company")
    html = status_html(client, household_case)
    warning = section(html, "cost-warning")
    assert 'role="alert"' in warning
    assert "Rp3.000.000" in warning and "Jasa perusahaan penempatan" in warning
    assert "Rp1.200.000" not in warning  # paid by the company: allowed
    assert "Perban BP2MI 9/2020 jo. Permen P2MI 17/2025" in warning and "UU 18/2017 pasal 30" in warning
    assert "0800-1000" in warning and 'href="tel:08001000"' in warning and "Crisis Center KP2MI" in warning
    assert html.index('id="cost-warning"') < html.index('id="checklist"')  # prominent: before the steps
    costs = section(html, "costs")
    assert costs.count("cost-not-allowed") == 1 and "tidak boleh untuk jabatan Anda" in costs


def test_zero_cost_job_without_worker_payments_has_no_warning(client, household_case):
    fee(household_case, "passport", 350_000, "company")
    html = status_html(client, household_case)
    assert 'id="cost-warning"' not in html and "Rp350.000" in section(html, "costs")


def test_costs_in_english(client, household_case):
    fee(household_case, "training", 2_000_000, "worker")
    client.post("/i18n/setlang/", {"language": "en", "next": "/status/"})
    html = status_html(client, household_case)
    assert "Costs recorded" in section(html, "costs") and "You (the worker)" in html
    warning = section(html, "cost-warning")
    assert "You may not be charged for these costs" in warning and "Rp2.000.000" in warning
