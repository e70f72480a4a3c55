"""Small builders shared by the tests: users by desk, workers with valid NIKs, outcome data."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.utils import timezone

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role, User
from satuatap.reference.models import Agency, Office, Region
from satuatap.registry.models import Worker
from satuatap.web.demo import sample_outcome

_seq = itertools.count(1)


def officer(office_code: str, agency_code: str) -> User:
    username = f"t{next(_seq)}.{office_code.lower()}.{agency_code.lower()}"
    return account_services.user_create(
        username=username, password=None, role=Role.DESK_OFFICER,
        office=Office.objects.get(code=office_code), agency=Agency.objects.get(code=agency_code),
    )


def head(office_code: str) -> User:
    return account_services.user_create(
        username=f"t{next(_seq)}.{office_code.lower()}.head", password=None, role=Role.OFFICE_HEAD,
        office=Office.objects.get(code=office_code),
    )


def monitor(region_code: str | None = None) -> User:
    return account_services.user_create(
        username=f"t{next(_seq)}.monitor", password=None, role=Role.MONITOR,
        region=Region.objects.get(code=region_code) if region_code else None,
    )


def valid_nik(district_code: str, birth_date: dt.date, sex: str, serial: int | None = None) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = serial if serial is not None else random.randint(1, 9999)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def worker(regency_code: str = "32.12", *, birth_date: dt.date = dt.date(1996, 5, 17), sex: str = "P") -> Worker:
    """A worker created directly in the table (the registry's own tests cover registration)."""
    district = Region.objects.filter(parent_id=regency_code).order_by("code").first()
    while True:
        nik = valid_nik(district.code, birth_date, sex)
        if not Worker.objects.filter(nik=nik).exists():
            break
    return Worker.objects.create(
        nik=nik, name=f"Pekerja Uji {next(_seq)}", birth_place="Indramayu", birth_date=birth_date, sex=sex,
        province_id=regency_code[:2], regency_id=regency_code, district=district,
    )


def outcome(outcome_type: str, **overrides) -> dict:
    data = sample_outcome(outcome_type, random.Random(1), timezone.localdate())
    data.update(overrides)
    return data


def otp_login(client, user) -> None:
    """Log a user in with a verified TOTP second factor (what the admin and office-head pages require)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
