"""Public verification pages (no login, QR code, rate limit) and the risk-signal page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.placement.builders import make_company, make_job_order

pytestmark = pytest.mark.usefixtures("placement_ref")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _current_job_order(**kwargs):
    today = timezone.localdate()
    jo = make_job_order(valid_from=today - dt.timedelta(days=5), valid_to=today + dt.timedelta(days=100), **kwargs)
    type(jo).objects.filter(pk=jo.pk).update(sip2mi_valid_from=jo.valid_from, sip2mi_valid_to=jo.valid_to)
    return jo


def test_verify_index_finds_companies_and_a_job_order():
    company = make_company(name="PT Amanah Sejahtera")
    jo = _current_job_order(company=company)
    page = Client().get("/placement/verify/", {"q": "amanah"})
    assert page.status_code == 200
    assert "PT Amanah Sejahtera" in page.content.decode()
    page = Client().get("/placement/verify/", {"q": jo.number})
    assert f"?number={jo.number}" in page.content.decode()


def test_job_order_page_legal_in_indonesian_with_qr():
    jo = _current_job_order()
    page = Client(HTTP_ACCEPT_LANGUAGE="id").get("/placement/verify/job-order/", {"number": jo.number})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "SAH" in html and "TIDAK SAH" not in html
    qr = Client().get("/placement/verify/job-order/qr.svg", {"number": jo.number})
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_job_order_page_not_legal_warns_in_plain_indonesian():
    jo = _current_job_order(attested=False)
    html = Client(HTTP_ACCEPT_LANGUAGE="id").get("/placement/verify/job-order/", {"number": jo.number}).content.decode()
    assert "TIDAK SAH" in html and "jangan membayar" in html.lower() and "0800-1000" in html
    assert "belum diverifikasi" in html


def test_job_order_page_in_english():
    jo = _current_job_order(attested=False)
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/placement/verify/job-order/", {"number": jo.number}).content.decode()
    assert "NOT LEGAL" in html and "has not been attested" in html


def test_unknown_job_order_and_company_pages_are_404():
    assert Client().get("/placement/verify/job-order/", {"number": "NOPE-1"}).status_code == 404
    assert Client().get("/placement/verify/company/999999/").status_code == 404


def test_company_page_not_licensed():
    company = make_company(status="suspended")
    html = Client(HTTP_ACCEPT_LANGUAGE="id").get(f"/placement/verify/company/{company.pk}/").content.decode()
    assert "TIDAK" in html and "dibekukan" in html


def test_pages_are_rate_limited(settings):
    from django.core.cache import cache

    # counted per address in the cache: start from no count (other tests call the page from the same address)
    # and in a window long enough not to roll over between the three calls
    cache.clear()
    settings.PLACEMENT_VERIFY_RATE_LIMIT, settings.PLACEMENT_VERIFY_RATE_WINDOW = 2, 3600
    statuses = [Client().get("/placement/verify/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_signals_page_for_office_head_only():
    head, officer = factories.head("LTSA-IDM"), factories.officer("LTSA-IDM", "DISNAKER")
    client = Client()
    assert client.get("/placement/signals/").status_code == 302  # login first
    client.force_login(officer)
    assert client.get("/placement/signals/").status_code == 403
    client.force_login(head)
    assert client.get("/placement/signals/").status_code == 200
