"""Hostile text in the main POST endpoints (workers, cases, complaints): refused with a JSON 4xx, or stored
verbatim and shown escaped, never as markup. Also raw bodies that are not UTF-8 or not JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils.html import escape

from satuatap.accounts import services as account_services
from satuatap.crisis import services as crisis_services
from satuatap.crisis.models import Complaint
from satuatap.journey.models import Event
from satuatap.registry.models import Worker
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "Budi'; DROP TABLE registry_worker; --"
UNICODE = "Siti \u202eNurhaliza 👩🏽‍🌾 e\u0301"  # right-to-left override, emoji, combining accent
LONG = "A" * 10_000
NUL = "Budi\x00Santoso"
STORED_OR_REFUSED = [SCRIPT, IMG, SQL, UNICODE, LONG, NUL]
IDS = ["script", "img-onerror", "sql", "unicode", "10k-chars", "nul"]


@pytest.fixture
def desk():
    user = factories.officer("LTSA-IDM", "DISNAKER")
    token = account_services.api_token_create(user=user, name="hostile")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return user, client


def assert_json_error(r):
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    body = r.json()
    assert {"code", "message", "message_en"} <= body.keys(), body


def assert_rendered_escaped(html: str, value: str):
    if escape(value) != value:
        assert value not in html, "hostile text rendered as markup"
    assert escape(value) in html


@pytest.mark.parametrize("value", STORED_OR_REFUSED, ids=IDS)
def test_worker_fields_store_hostile_text_verbatim_or_refuse_it(desk, value):
    user, client = desk
    worker = factories.worker()
    r = client.patch(f"/api/v1/workers/{worker.pk}", data={"name": value, "address": value},
                     content_type="application/json")
    if r.status_code != 200:
        assert_json_error(r)
        assert Worker.objects.get(pk=worker.pk).name == worker.name  # nothing half-stored
        return
    worker.refresh_from_db()
    assert worker.name == value and worker.address == value
    assert client.get(f"/api/v1/workers/{worker.pk}").json()["name"] == value
    # The case page shows the name escaped.
    case = factories.open_case(user, worker)
    browser = Client()
    browser.force_login(user)
    page = browser.get(f"/cases/{case.number}/")
    assert page.status_code == 200
    assert_rendered_escaped(page.content.decode(), value)


@pytest.mark.parametrize("value", [SCRIPT, IMG, SQL, UNICODE, NUL, "N" * 1001], ids=[*IDS[:4], "nul", "1001-chars"])
def test_step_notes_store_hostile_text_verbatim_or_refuse_it(desk, value):
    user, client = desk
    case = factories.open_case(user, factories.worker())
    r = client.post(f"/api/v1/cases/{case.number}/steps/REG/start", data={"note": value},
                    content_type="application/json")
    if r.status_code != 200:
        assert_json_error(r)
        assert not Event.objects.filter(case=case, kind__contains="start").exists()
        return
    assert Event.objects.filter(case=case, reason=value).exists()
    browser = Client()
    browser.force_login(user)
    page = browser.get(f"/cases/{case.number}/").content.decode()
    assert_rendered_escaped(page, value)


@pytest.mark.parametrize(("value", "stored"), [(SCRIPT, True), (IMG, True), (SQL, True), (UNICODE, True),
                                               (LONG, False), (NUL, False)], ids=IDS)
def test_complaints_store_hostile_text_verbatim_or_refuse_it(value, stored):
    _, key = crisis_services.channel_key_create(actor=None, name="Hostile gateway", channel="whatsapp")
    payload = {"external_id": f"x-{IDS[STORED_OR_REFUSED.index(value)]}", "complainant_type": "worker",
               "complainant_phone": "+60 12-345 6789", "complainant_name": value, "category": "lost_contact",
               "country": "MY", "description": value}
    r = Client().post("/api/v1/complaints/", data=payload, content_type="application/json", HTTP_X_CHANNEL_KEY=key)
    if not stored:  # a 10,000-character name, a NUL
        assert_json_error(r)
        assert not Complaint.objects.exists()
        return
    assert r.status_code == 201, r.content[:300]
    complaint = Complaint.objects.get(reference=r.json()["reference"])
    assert complaint.description == value and complaint.complainant_name == value
    # The Crisis Center agent's page shows it escaped.
    agent = Client()
    agent.force_login(factories.officer("LTSA-IDM", "INFO"))
    page = agent.get(f"/crisis/complaints/{complaint.reference}/")
    assert page.status_code == 200
    assert_rendered_escaped(page.content.decode(), value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"name": "\xff\xfe\xfa"}', "application/json"),  # not UTF-8
        (b'{"name": "Budi', "application/json"),  # cut off
        (b'{"name": "Bu\x00di"}', "application/json"),  # raw control character inside a JSON string
        (b"\xef\xbb\xbf" + b'{"name": "Budi"}', "application/json"),  # byte-order mark
        (b'{"name": "Budi"}', "application/json; charset=latin-1"),
        (b"name=Budi", "application/x-www-form-urlencoded"),
        (b"<worker><name>Budi</name></worker>", "application/xml"),
        (json.dumps({"name": {"$gt": ""}}).encode(), "application/json"),
        (json.dumps([1, 2, 3]).encode(), "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # deep nesting
    ],
    ids=["not-utf8", "truncated", "raw-control-char", "bom", "latin1-charset", "form-encoded", "xml",
         "operator-object", "array", "deep-nesting"],
)
def test_malformed_bodies_get_a_json_4xx(desk, body, content_type):
    _, client = desk
    worker = factories.worker()
    r = client.generic("PATCH", f"/api/v1/workers/{worker.pk}", data=body, content_type=content_type)
    if r.status_code != 200:
        assert_json_error(r)
    # Whatever the answer, nothing but a proper JSON object may change the worker.
    assert Worker.objects.get(pk=worker.pk).name in (worker.name, "Budi")


@pytest.mark.parametrize("body", [b'{"name": "Budi', b"{'name': 'Budi'}", b'{"name": "Budi",}',
                                  b'{"name": "\xff\xfe"}'],
                         ids=["truncated", "single-quotes", "trailing-comma", "not-utf8"])
def test_a_body_that_is_not_json_is_400_invalid_json_in_indonesian_first(desk, body):
    _, client = desk
    r = client.post("/api/v1/workers/", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json"
    assert r.json()["message"].startswith("Isi permintaan bukan JSON")
    assert r.json()["message_en"].startswith("The request body is not valid JSON")


@pytest.mark.parametrize("path", ["/api/v1/workers/%00", "/api/v1/cases/CASE%00X", "/api/v1/workers/?q=%00",
                                  "/api/v1/cases/?q=%ff%fe", "/api/v1/workers/nik-check?nik=%00%00"])
def test_nul_and_bad_bytes_in_urls_get_a_json_4xx_or_an_empty_answer(desk, path):
    _, client = desk
    r = client.get(path)
    assert r.status_code < 500
    if r.status_code >= 400:
        assert_json_error(r)
