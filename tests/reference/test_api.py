"""Public reference API under /api/v1/reference/: no login; errors are {code, message, message_en, details}."""

from __future__ import annotations

import pytest
from django.test import Client

BASE = "/api/v1/reference"


@pytest.fixture
def client():
    return Client()


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert body["code"] == code
    assert body["message"] and body["message_en"]


@pytest.mark.django_db
def test_regions(client):
    provinces = client.get(f"{BASE}/regions").json()
    assert len(provinces) == 38
    assert provinces[0] == {
        "code": "11",
        "name": "Aceh",
        "level": 1,
        "kind": "provinsi",
        "parent": None,
        "postal_code": "",
    }
    districts = client.get(f"{BASE}/regions", {"parent": "32.12"}).json()
    assert districts and {d["parent"] for d in districts} == {"32.12"}
    found = client.get(f"{BASE}/regions", {"q": "Surabaya", "level": 2}).json()
    assert [r["code"] for r in found] == ["35.78"]
    _assert_error(client.get(f"{BASE}/regions", {"level": 9}), 422, "validation_error")


@pytest.mark.django_db
def test_region_detail_and_404(client):
    body = client.get(f"{BASE}/regions/32.12.01").json()
    assert body["name"] == "Haurgeulis" and body["parent"] == "32.12"
    assert [a["code"] for a in body["ancestors"]] == ["32", "32.12"]
    response = client.get(f"{BASE}/regions/99.99")
    _assert_error(response, 404, "region_not_found")
    assert response.json()["details"] == {"code": "99.99"}


@pytest.mark.django_db
def test_countries(client):
    countries = {c["code"]: c for c in client.get(f"{BASE}/countries").json()}
    assert countries["TW"]["name_id"] == "Taiwan"
    assert countries["SA"]["name_id"] == "Arab Saudi"
    assert client.get(f"{BASE}/countries/HKG").json()["name_id"] == "Hong Kong"
    _assert_error(client.get(f"{BASE}/countries/XX"), 404, "country_not_found")


@pytest.mark.django_db
def test_agencies(client):
    agencies = client.get(f"{BASE}/agencies").json()
    assert [a["code"] for a in agencies][:2] == ["DISNAKER", "INFO"]
    assert len(agencies) == 9
    assert client.get(f"{BASE}/agencies/POLRI").json()["desk_en"].startswith("Police")
    _assert_error(client.get(f"{BASE}/agencies/NOPE"), 404, "agency_not_found")


@pytest.mark.django_db
def test_offices(client):
    offices = {o["code"]: o for o in client.get(f"{BASE}/offices").json()}
    surabaya = offices["LTSA-SBY"]
    assert surabaya["regency"] == {"code": "35.78", "name": "Kota Surabaya"}
    assert surabaya["zone"] == "WIB"
    assert len(surabaya["desks"]) == 9
    nunukan = client.get(f"{BASE}/offices/LTSA-NNK").json()
    assert nunukan["zone"] == "WITA"
    assert "IMIGRASI" not in {d["code"] for d in nunukan["desks"]}
    _assert_error(client.get(f"{BASE}/offices/LTSA-NOPE"), 404, "office_not_found")


@pytest.mark.django_db
def test_processes(client):
    listed = client.get(f"{BASE}/processes", {"scheme": "P2P"}).json()
    assert [(p["code"], p["version"], p["scheme"], p["effective_from"]) for p in listed] == [
        ("P2P", 1, "P2P", "2025-01-01")
    ]
    assert {p["scheme"] for p in client.get(f"{BASE}/processes").json()} == {"P2P", "G2G", "UKPS", "MANDIRI"}

    detail = client.get(f"{BASE}/processes/P2P/1").json()
    steps = {s["code"]: s for s in detail["steps"]}
    assert steps["PASS"]["agency"] == "IMIGRASI" and steps["PASS"]["fee_amount"] == 350000
    assert steps["OPP"]["prerequisites"] == ["MED", "PASS", "BPJS", "VISA", "PK"]
    assert steps["BANK"]["optional"] is True
    assert {
        "name_id",
        "name_en",
        "sla_working_days",
        "fee_legal_basis",
        "output_document",
        "validity_days",
        "what_to_bring",
    } <= set(steps["REG"])
    _assert_error(client.get(f"{BASE}/processes/P2P/99"), 404, "process_not_found")


@pytest.mark.django_db
def test_process_current(client):
    body = client.get(f"{BASE}/processes/current", {"scheme": "P2P", "on": "2026-03-01"}).json()
    assert (body["code"], body["version"]) == ("P2P", 1)
    assert body["steps"][0]["code"] == "REG"
    assert client.get(f"{BASE}/processes/current", {"scheme": "G2G"}).json()["scheme"] == "G2G"
    _assert_error(
        client.get(f"{BASE}/processes/current", {"scheme": "P2P", "on": "2000-01-01"}), 404, "process_not_found"
    )
    _assert_error(
        client.get(f"{BASE}/processes/current", {"scheme": "P2P", "on": "not-a-date"}), 422, "validation_error"
    )


@pytest.mark.django_db
def test_holidays(client, calendar_2026):
    days = {h["date"]: h for h in client.get(f"{BASE}/holidays", {"year": 2026}).json()}
    assert days["2026-08-17"]["joint_leave"] is False
    assert days["2026-12-24"]["joint_leave"] is True
    assert all(d.startswith("2026-") for d in days)
    assert len(client.get(f"{BASE}/holidays").json()) > len(days)


@pytest.mark.django_db
def test_openapi_lists_the_reference_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in [
        "regions",
        "regions/{code}",
        "countries",
        "agencies",
        "offices",
        "offices/{code}",
        "processes",
        "processes/current",
        "processes/{code}/{version}",
        "holidays",
    ]:
        assert f"/api/v1/reference/{path}" in paths
