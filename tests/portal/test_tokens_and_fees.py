"""Signed status links, fees for the worker and the zero-cost job adapter (no database needed)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.utils import translation

from satuatap.portal import fees, tokens


def definition(fee: int, basis: str = "") -> SimpleNamespace:
    return SimpleNamespace(fee_amount=Decimal(fee), fee_legal_basis=basis)


class TestTokens:
    def test_round_trip(self):
        token = tokens.make_token(case_number="LTSA-IDM-2026-000001", case_id=7)
        assert tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=7, token=token)

    def test_altered_token_refused(self):
        token = tokens.make_token(case_number="LTSA-IDM-2026-000001", case_id=7)
        flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=7, token=flipped)
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=7, token="")
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=7, token="x" * 500)

    def test_token_of_one_case_does_not_open_another(self):
        token = tokens.make_token(case_number="LTSA-IDM-2026-000001", case_id=7)
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000002", case_id=7, token=token)
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=8, token=token)

    def test_token_signed_with_another_key_refused(self, settings):
        settings.SECRET_KEY = "another-key-another-key-another-key-another-key"
        forged = tokens.make_token(case_number="LTSA-IDM-2026-000001", case_id=7)
        settings.SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
        assert not tokens.check_token(case_number="LTSA-IDM-2026-000001", case_id=7, token=forged)

    def test_token_lasts_long_but_not_forever(self):
        token = tokens.make_token(case_number="C-1", case_id=1)
        a_year_later = time.time() + 365 * 86400
        with mock.patch("django.core.signing.time.time", return_value=a_year_later):
            assert tokens.check_token(case_number="C-1", case_id=1, token=token)
        too_late = time.time() + tokens.TOKEN_MAX_AGE.total_seconds() + 86400
        with mock.patch("django.core.signing.time.time", return_value=too_late):
            assert not tokens.check_token(case_number="C-1", case_id=1, token=token)
        assert dt.timedelta(days=365) <= tokens.TOKEN_MAX_AGE

    def test_status_path_carries_the_token(self):
        path = tokens.status_path(case_number="LTSA-IDM-2026-000001", case_id=7)
        assert path.startswith("/status/LTSA-IDM-2026-000001/?t=")


class TestFees:
    def test_official_fee_in_rupiah(self):
        fee = fees.fee_for_worker(definition(30000, "PP 76/2020"), zero_cost_job=False)
        assert not fee.free and fee.amount == 30000
        assert fee.display == "Rp30.000"
        assert fee.legal_basis == "PP 76/2020"

    def test_zero_cost_job_is_free_with_legal_basis(self):
        fee = fees.fee_for_worker(definition(350000, "PP 45/2024"), zero_cost_job=True)
        assert fee.free and fee.amount == 0 and fee.waived_for_job
        assert fee.official_display == "Rp350.000"
        assert "9/2020" in fee.legal_basis and "17/2025" in fee.legal_basis
        with translation.override("id"):
            assert fee.display == "Gratis"
        with translation.override("en"):
            assert fee.display == "Free"

    def test_step_or_definition(self):
        step = SimpleNamespace(definition=definition(37500))
        assert fees.fee_for_worker(step, zero_cost_job=False).display == "Rp37.500"

    def test_free_step_without_zero_cost(self):
        fee = fees.fee_for_worker(definition(0), zero_cost_job=False)
        assert fee.free and not fee.waived_for_job


class TestZeroCostAdapter:
    def test_no_job_yet_means_not_zero_cost(self):
        assert fees.zero_cost_job_for_case(SimpleNamespace(number="C-1")) is False

    @pytest.mark.parametrize("title", ["Domestic Worker", "Penata Laksana Rumah Tangga", "caregiver (elderly)",
                                       "Awak Kapal Perikanan", "Family driver", "pengasuh bayi"])
    def test_job_title_of_the_ten(self, title):
        assert fees.zero_cost_job_for_case(SimpleNamespace(job_order=SimpleNamespace(job_title=title)))

    @pytest.mark.parametrize("title", ["Factory operator", "Nurse", "Welder", "Cookie factory operator"])
    def test_other_jobs(self, title):
        assert not fees.zero_cost_job_for_case(SimpleNamespace(job_order=SimpleNamespace(job_title=title)))

    def test_explicit_flags_win(self):
        job = SimpleNamespace(job_title="Factory operator", zero_cost=True)
        assert fees.zero_cost_job_for_case(SimpleNamespace(job_order=job))
        assert not fees.zero_cost_job_for_case(SimpleNamespace(zero_cost_job=False, job_title="Cook"))
        assert fees.zero_cost_job_for_case(SimpleNamespace(job_order=SimpleNamespace(job_code="fishing_crew")))
        assert fees.zero_cost_job_for_case(SimpleNamespace(job_title="Juru masak"))

    def test_ten_jobs_listed(self):
        assert len(fees.ZERO_COST_JOBS) == 10
