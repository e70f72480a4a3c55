"""Fixtures for the registry tests: officers of different desks and a NIK builder."""

from __future__ import annotations

import datetime as dt

import pytest

from satuatap.accounts import services as accounts_services
from satuatap.reference.models import Agency, Office

INDRAMAYU_DISTRICT = "32.12.01"


def make_nik(district: str = INDRAMAYU_DISTRICT, birth: dt.date = dt.date(1995, 4, 12), sex: str = "P", serial="0001"):
    """Build a NIK: PP KK CC + DD(+40 for women) MM YY + serial."""
    day = birth.day + (40 if sex == "P" else 0)
    return district.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}" + serial


def _officer(username: str, agency: str, *, office: str = "LTSA-IDM"):
    return accounts_services.user_create(
        username=username,
        password=None,
        role="desk_officer",
        office=Office.objects.get(code=office),
        agency=Agency.objects.get(code=agency),
    )


@pytest.fixture
def disnaker(db):
    return _officer("disnaker-idm", "DISNAKER")


@pytest.fixture
def dukcapil(db):
    return _officer("dukcapil-idm", "DUKCAPIL")


@pytest.fixture
def dinkes(db):
    return _officer("dinkes-idm", "DINKES")


@pytest.fixture
def office_head(db):
    return accounts_services.user_create(
        username="head-idm", password=None, role="office_head", office=Office.objects.get(code="LTSA-IDM")
    )


@pytest.fixture
def monitor(db):
    return accounts_services.user_create(username="monitor-national", password=None, role="monitor")


@pytest.fixture
def admin_user(db):
    return accounts_services.user_create(username="admin", password=None, role="admin")


@pytest.fixture
def worker_data():
    """Keyword arguments for worker_register: a woman from Indramayu born 12 April 1995."""
    return {
        "nik": make_nik(),
        "name": "Siti Aminah",
        "birth_place": "Indramayu",
        "birth_date": dt.date(1995, 4, 12),
        "sex": "P",
        "address": "Blok Cilet RT 02/RW 01",
        "district_code": INDRAMAYU_DISTRICT,
        "phone": "0812-3456-789",
        "education": "smp",
        "marital_status": "single",
    }
