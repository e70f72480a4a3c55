from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from satuatap.crisis import services
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Holiday
from tests import factories

WIB = ZoneInfo("Asia/Jakarta")

# Nyepi and Idul Fitri 2026 with their cuti bersama, and Good Friday (SKB 3 Menteri 2025): the 15-working-day
# clarification period asked on Monday 16 March 2026 runs to 14 April, not 6 April.
HOLIDAYS_2026 = {
    dt.date(2026, 3, 18): "Cuti Bersama Hari Suci Nyepi",
    dt.date(2026, 3, 19): "Hari Suci Nyepi",
    dt.date(2026, 3, 20): "Cuti Bersama Hari Raya Idul Fitri",
    dt.date(2026, 3, 21): "Hari Raya Idul Fitri",
    dt.date(2026, 3, 22): "Hari kedua Idul Fitri",
    dt.date(2026, 3, 23): "Cuti Bersama Hari Raya Idul Fitri",
    dt.date(2026, 3, 24): "Cuti Bersama Hari Raya Idul Fitri",
    dt.date(2026, 4, 3): "Wafat Yesus Kristus",
}


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


@pytest.fixture
def holidays_2026(db):
    for day, name in HOLIDAYS_2026.items():
        Holiday.objects.get_or_create(date=day, defaults={"name": name, "joint_leave": "Cuti" in name})
    # nothing else in the window, whatever year the reference data was loaded for
    Holiday.objects.filter(date__range=(dt.date(2026, 3, 1), dt.date(2026, 4, 30))).exclude(
        date__in=HOLIDAYS_2026).delete()
    reference_selectors.holiday_cache_clear()
    yield
    reference_selectors.holiday_cache_clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(db):
    user = factories.officer("LTSA-IDM", "INFO")
    user.first_name = "Agen"
    user.save()
    return user


@pytest.fixture
def other_officer(db):
    return factories.officer("LTSA-IDM", "DINKES")


def complaint_data(**overrides) -> services.ComplaintInput:
    values = dict(
        complainant_type="family", complainant_relation="parent", complainant_name="Sumiati",
        complainant_phone="0812-3456-7890", worker_name="Siti Aminah", category="wages_unpaid",
        description="Gaji belum dibayar selama empat bulan oleh majikan.", country="HK",
        company="PT Maju Jaya", employer="Mr Chan, Kowloon",
    )
    values.update(overrides)
    return services.ComplaintInput(**values)


def register(now: dt.datetime | None = None, **overrides):
    return services.complaint_register(channel="web_form", data=complaint_data(**overrides), now=now)
