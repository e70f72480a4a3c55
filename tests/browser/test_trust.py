"""Personal-data protection in a real browser: a monitor opening a named case gives a reason first; an identity
desk opens the worker's record and records a correction request; the auditor (with the second factor) finds both
reads in the audit log. Screenshots in tests/artifacts/: trust-reason-form-id, trust-case-after-reason-id,
trust-worker-record-id, trust-audit-log-id."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.reference.models import Region
from tests import factories
from tests.browser.conftest import shot
from tests.browser.helpers import PASSWORD, desk_officers, login, logout, open_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_reason_worker_record_and_audit_log(page):
    desks = desk_officers()
    worker = factories.worker("32.12")
    case = open_case(desks["DISNAKER"], worker)
    account_services.user_create(username="b.monitor.jabar", password=PASSWORD, role=Role.MONITOR,
                                 region=Region.objects.get(code="32"))
    auditor = account_services.user_create(username="b.auditor", password=PASSWORD, role=Role.AUDITOR)
    device = TOTPDevice.objects.create(user=auditor, name="hp", confirmed=True)

    # A monitor opens a named case: a reason first, recorded with the read.
    login(page, "b.monitor.jabar")
    page.goto(f"{page.base}/cases/{case.number}/")
    expect(page.locator("#reason-form")).to_be_visible()
    expect(page.locator("#worker-name")).to_have_count(0)
    shot(page, "trust-reason-form-id")
    page.fill("#id_reason", "Sampel pemeriksaan triwulan")
    page.click("#reason-submit")
    expect(page.locator("#journey-dag")).to_be_visible()
    shot(page, "trust-case-after-reason-id")
    logout(page)

    # The civil-registration desk opens the worker's record from the case and records a correction request.
    login(page, desks["DUKCAPIL"].username)
    page.goto(f"{page.base}/cases/{case.number}/")
    page.click("#worker-record-link")
    expect(page.locator("#worker-nik")).to_have_text(worker.nik)
    page.click("#corrections summary")
    page.select_option("#id_correction-field", "birth_place")
    page.fill("#id_correction-value", "Jatibarang")
    page.fill("#id_correction-reason", "Akta kelahiran diperlihatkan")
    page.click("#correction-submit")
    expect(page.locator("#correction-table [data-status='requested']")).to_have_count(1)
    shot(page, "trust-worker-record-id")
    logout(page)

    # The auditor logs in with the second factor and finds the monitor's read with its reason.
    login_page = page
    login_page.goto(page.base + "/accounts/login/")
    login_page.fill("#id_username", "b.auditor")
    login_page.fill("#id_password", PASSWORD)
    login_page.click("#login-submit")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=token]", f"{totp.token():0{device.digits}d}")
    page.click("#otp-verify")
    page.goto(f"{page.base}/audit/?object_id={case.number}")
    expect(page.locator("#audit-table")).to_contain_text("Sampel pemeriksaan triwulan")
    expect(page.locator("#audit-table")).to_contain_text("b.monitor.jabar")
    shot(page, "trust-audit-log-id")
