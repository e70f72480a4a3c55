"""Monitoring in a real browser: the office head's dashboard and classification (second factor done), a national
monitor's statistics with the province map, charts, filters and a CSV download, and the ranking; on a desktop
and a phone. Screenshots go to tests/artifacts/: monitoring-office-id, monitoring-office-phone-id,
monitoring-office-class-id, monitoring-statistics-id, monitoring-statistics-en, monitoring-statistics-phone-id,
monitoring-ranking-id, monitoring-reports-id."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.journey.models import Case
from satuatap.monitoring import services
from tests import factories
from tests.browser.conftest import shot
from tests.browser.helpers import login, set_language
from tests.monitoring.datagen import write_generated

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "uji-pemantau-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def national_data(reference_data):
    now = timezone.now()
    today = timezone.localdate()
    write_generated(cases=400, first_day=today - dt.timedelta(days=420), last_day=today - dt.timedelta(days=1),
                    seed=31, now=now)
    services.rollup_run(lag=dt.timedelta(0))
    services.rubric_load()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.offices_classify(month=last_month)
    return last_month


def _head_session(page: Page) -> None:
    """Log the office head in with a verified second factor (the TOTP step itself is tested in web)."""
    head = factories.head("LTSA-IDM")
    client = Client()
    factories.otp_login(client, head)
    host = page.base.split("//")[1].split(":")[0]
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host,
                               "path": "/"}])


def test_office_head_dashboard_and_classification(page: Page, national_data):
    _head_session(page)
    page.goto(page.base + "/monitoring/")
    expect(page.locator("#office-dashboard-title")).to_contain_text("LTSA")
    expect(page.locator("#step-table tbody tr").first).to_be_visible()
    expect(page.locator("#chart-office-daily")).to_be_visible()
    expect(page.locator("#queue-no-data")).to_be_visible()
    open_steps = int(page.locator("#backlog-total").inner_text())
    assert open_steps == sum(int(t) for t in page.locator("#step-table td[data-col=open]").all_inner_texts())
    shot(page, "monitoring-office-id")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#today-tiles")).to_be_visible()
    shot(page, "monitoring-office-phone-id")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#nav-monitoring-classification")
    expect(page.locator("#criteria-table")).to_be_visible()
    expect(page.locator("#criteria-table tr[data-criterion=desks_present]")).to_contain_text("8")
    expect(page.locator("#criteria-table tr[data-criterion=median_queue_wait]")).to_contain_text("Tidak dinilai")
    shot(page, "monitoring-office-class-id")
    # a head cannot open the national statistics
    page.goto(page.base + "/monitoring/statistics/")
    expect(page.locator("#error-message")).to_be_visible()


def test_monitor_statistics_map_filters_export_and_ranking(page: Page, national_data):
    account_services.user_create(username="b.pemantau", password=PASSWORD, role=Role.MONITOR)
    login(page, "b.pemantau", PASSWORD)
    year = timezone.localdate().year
    page.goto(page.base + f"/monitoring/statistics/?year={year}")
    expect(page.locator("#chart-province-map")).to_be_visible()
    expect(page.locator("#chart-placements-country")).to_be_visible()
    departed = Case.objects.filter(status="departed", closed_at__year=year).count()
    expect(page.locator("#total-departed")).to_have_text(str(departed))
    shot(page, "monitoring-statistics-id")
    # filter: women placed in Hong Kong
    page.select_option("#sex", "P")
    page.fill("#country", "HK")
    page.click("#stats-apply")
    expect(page).to_have_url(re.compile(r"country=HK"))
    expected = Case.objects.filter(status="departed", closed_at__year=year, destination_country="HK",
                                   worker__sex="P").count()
    expect(page.locator("#total-departed")).to_have_text(str(expected))
    with page.expect_download() as info:
        page.click("#placements-province-csv")
    path = info.value.path()
    lines = Path(path).read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0] == "province,label,registered,departed,cancelled"
    assert sum(int(line.rsplit(",", 2)[1]) for line in lines[1:]) == expected
    set_language(page, "en")
    expect(page.locator("h1")).to_contain_text("statistics")
    shot(page, "monitoring-statistics-en")
    set_language(page, "id")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#stats-totals")).to_be_visible()
    shot(page, "monitoring-statistics-phone-id")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + f"/monitoring/classification/?month={national_data:%Y-%m}")
    expect(page.locator("#ranking-table tbody tr")).to_have_count(6)
    shot(page, "monitoring-ranking-id")
    page.click("#nav-monitoring-reports")
    expect(page.locator(f"#report-{year}")).to_be_visible()
    shot(page, "monitoring-reports-id")
