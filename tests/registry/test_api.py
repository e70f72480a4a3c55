"""/api/v1/workers/ through the Django test client: status codes, error shape, search, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from satuatap.accounts import services as accounts_services
from satuatap.core.masking import mask_nik
from satuatap.registry import services
from satuatap.registry.models import FamilyConsent, Worker

from .conftest import make_nik

pytestmark = pytest.mark.django_db

URL = "/api/v1/workers/"
NIK = "3212015204950001"


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


def _payload(worker_data) -> dict:
    return {**worker_data, "birth_date": worker_data["birth_date"].isoformat()}


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert body["code"] == code
    assert body["message"] and body["message_en"]
    return body


@pytest.fixture
def worker(disnaker, worker_data) -> Worker:
    return services.worker_register(actor=disnaker, **worker_data)


# --- register ------------------------------------------------------------------------------------------------


def test_register_201_returns_the_worker(disnaker, worker_data):
    response = _client(disnaker).post(URL, _payload(worker_data), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    worker = Worker.objects.get()
    assert body["id"] == worker.pk
    assert body["nik"] == NIK
    assert body["sex"] == "P"
    assert body["birth_date"] == "1995-04-12"
    assert body["phone"] == "+628123456789"
    assert body["province"]["code"] == "32"
    assert body["regency"]["code"] == "32.12" and "Indramayu" in body["regency"]["name"]
    assert body["district"]["code"] == "32.12.01"
    assert body["village"] is None
    assert body["nik_warnings"] == []
    assert body["has_consent"] is False and body["consents"] == []


def test_register_keeps_the_pre_2022_warning(disnaker, worker_data):
    payload = {**_payload(worker_data), "nik": make_nik("91.01.01")}
    response = _client(disnaker).post(URL, payload, content_type="application/json")
    assert response.status_code == 201
    assert [w["code"] for w in response.json()["nik_warnings"]] == ["nik_region_pre2022"]


def test_register_without_login_is_401(worker_data):
    response = _client().post(URL, _payload(worker_data), content_type="application/json")
    _assert_error(response, 401, "not_authenticated")
    assert not Worker.objects.exists()


def test_register_by_health_desk_is_403(dinkes, worker_data):
    response = _client(dinkes).post(URL, _payload(worker_data), content_type="application/json")
    _assert_error(response, 403, "forbidden_role")


def test_register_duplicate_is_409_with_the_existing_id(disnaker, worker, worker_data):
    response = _client(disnaker).post(URL, _payload(worker_data), content_type="application/json")
    body = _assert_error(response, 409, "worker_exists")
    assert body["details"] == {"worker_id": worker.pk}


def test_register_invalid_nik_is_422_with_each_issue(disnaker, worker_data):
    payload = {**_payload(worker_data), "birth_date": "1995-04-13"}
    response = _client(disnaker).post(URL, payload, content_type="application/json")
    body = _assert_error(response, 422, "nik_invalid")
    assert [e["code"] for e in body["details"]["errors"]] == ["nik_birth_date_mismatch"]
    assert "12 April 1995" in body["details"]["errors"][0]["message"]


def test_register_malformed_body_is_422(disnaker, worker_data):
    payload = {**_payload(worker_data), "sex": "X"}
    del payload["name"]
    response = _client(disnaker).post(URL, payload, content_type="application/json")
    body = _assert_error(response, 422, "validation_error")
    assert {tuple(d["loc"])[-1] for d in body["details"]} == {"name", "sex"}


def test_session_post_without_csrf_token_is_refused_when_csrf_is_enforced(disnaker, worker_data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(disnaker)
    response = client.post(URL, _payload(worker_data), content_type="application/json")
    assert response.status_code == 403
    assert not Worker.objects.exists()
    # With the cookie and the matching header, the same request goes through.
    token = "a" * 32
    client.cookies["csrftoken"] = token
    response = client.post(URL, _payload(worker_data), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content


def test_bearer_token_works_without_csrf(disnaker, worker_data):
    _, secret = accounts_services.api_token_create(user=disnaker, name="kiosk")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        URL, _payload(worker_data), content_type="application/json", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201, response.content


# --- read, search, masking -----------------------------------------------------------------------------------


def test_detail_404(disnaker):
    body = _assert_error(_client(disnaker).get(f"{URL}999999"), 404, "worker_not_found")
    assert body["details"] == {"worker_id": 999999}


def test_detail_without_login_is_401(worker):
    _assert_error(_client().get(f"{URL}{worker.pk}"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("who", "full"),
    [
        ("disnaker", True),
        ("dukcapil", True),
        ("office_head", True),
        ("admin_user", True),
        ("dinkes", False),
    ],
)
def test_nik_is_masked_for_roles_that_do_not_need_it(request, worker, who, full):
    user = request.getfixturevalue(who)
    client = _client(user)
    # An admin opening a named record is outside normal work: the reason goes with the request.
    reason = {"HTTP_X_ACCESS_REASON": "permintaan data oleh pekerja"}
    detail = client.get(f"{URL}{worker.pk}", **reason).json()
    found = client.get(URL, {"q": NIK}, **reason).json()
    expected = NIK if full else mask_nik(NIK)
    assert detail["nik"] == expected
    assert [w["nik"] for w in found] == [expected]
    if not full:
        assert NIK not in client.get(f"{URL}{worker.pk}").content.decode()


def test_monitors_have_no_access_to_the_registry(monitor, worker):
    client = _client(monitor)
    _assert_error(client.get(f"{URL}{worker.pk}"), 403, "forbidden_role")
    _assert_error(client.get(URL, {"q": NIK}), 403, "forbidden_role")


@pytest.mark.parametrize(
    "q", [NIK, "3212-0152-0495-0001", "siti", "AMINAH", "0812-3456-789", "+62 812 3456 789", "628123456789"]
)
def test_search_by_nik_name_or_phone(dinkes, worker, q):
    response = _client(dinkes).get(URL, {"q": q})
    assert response.status_code == 200
    assert [w["id"] for w in response.json()] == [worker.pk]


def test_search_nothing_found_and_missing_q(dinkes, worker):
    client = _client(dinkes)
    assert client.get(URL, {"q": "Budi"}).json() == []
    _assert_error(client.get(URL), 422, "validation_error")


# --- live NIK check ------------------------------------------------------------------------------------------


def test_nik_check_endpoint(disnaker):
    response = _client(disnaker).get(f"{URL}nik-check", {"nik": NIK, "birth_date": "1995-04-12", "sex": "P"})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert (body["birth_date"], body["sex"], body["regency_code"]) == ("1995-04-12", "P", "32.12")
    assert "Indramayu" in body["regency_name"]


def test_nik_check_endpoint_reports_mismatch_and_warnings(disnaker):
    client = _client(disnaker)
    body = client.get(f"{URL}nik-check", {"nik": NIK, "sex": "L"}).json()
    assert body["valid"] is False
    assert [e["code"] for e in body["errors"]] == ["nik_sex_mismatch"]
    assert set(body["errors"][0]) == {"code", "message", "message_en"}
    body = client.get(f"{URL}nik-check", {"nik": make_nik("91.01.01")}).json()
    assert body["valid"] is True
    assert [w["code"] for w in body["warnings"]] == ["nik_region_pre2022"]
    assert body["current_regency_code"] == "93.01"


def test_nik_check_endpoint_needs_login():
    _assert_error(_client().get(f"{URL}nik-check", {"nik": NIK}), 401, "not_authenticated")


# --- correction and consent ----------------------------------------------------------------------------------


def test_patch_corrects_the_phone(dukcapil, worker):
    response = _client(dukcapil).patch(
        f"{URL}{worker.pk}", {"phone": "+852 9123 4567"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+85291234567"


def test_patch_by_monitor_is_403(monitor, worker):
    response = _client(monitor).patch(f"{URL}{worker.pk}", {"name": "X"}, content_type="application/json")
    _assert_error(response, 403, "forbidden_role")


def test_record_consent_201_and_detail_shows_it(disnaker, worker):
    client = _client(disnaker)
    payload = {
        "consenter_name": "Rasminah",
        "relation": "mother",
        "consent_date": "2025-01-10",
        "village_head_acknowledged": True,
        "village_head_name": "H. Darsono",
    }
    response = client.post(f"{URL}{worker.pk}/consents", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["worker_id"] == worker.pk and body["relation"] == "mother"
    assert FamilyConsent.objects.get().consent_date == dt.date(2025, 1, 10)
    detail = client.get(f"{URL}{worker.pk}").json()
    assert detail["has_consent"] is True
    assert [c["consenter_name"] for c in detail["consents"]] == ["Rasminah"]
    assert [c["id"] for c in client.get(f"{URL}{worker.pk}/consents").json()] == [body["id"]]


def test_record_consent_errors(disnaker, dinkes, worker):
    payload = {"consenter_name": "Rasminah", "relation": "mother", "consent_date": "2025-01-10"}
    payload["village_head_acknowledged"] = False
    _assert_error(
        _client(disnaker).post(f"{URL}999999/consents", payload, content_type="application/json"),
        404,
        "worker_not_found",
    )
    _assert_error(
        _client(dinkes).post(f"{URL}{worker.pk}/consents", payload, content_type="application/json"),
        403,
        "forbidden_role",
    )
    _assert_error(
        _client(disnaker).post(
            f"{URL}{worker.pk}/consents", {**payload, "relation": "uncle"}, content_type="application/json"
        ),
        422,
        "validation_error",
    )
