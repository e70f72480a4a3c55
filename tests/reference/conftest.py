"""Fixtures for reference tests: a known holiday calendar regardless of the year the suite runs in."""

from __future__ import annotations

import datetime as dt

import pytest

from satuatap.reference import selectors, services


@pytest.fixture
def calendar_2026(db):
    """Holidays loaded as if today were mid-2026 (years 2025-2029), and the in-process cache reset after."""
    selectors.holiday_cache_clear()
    services.holiday_load(today=dt.date(2026, 6, 1))
    yield
    selectors.holiday_cache_clear()  # the test transaction is rolled back: do not keep its dates cached
