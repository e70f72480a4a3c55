import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.core.models import IdempotencyRecord
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_auth(db):
    _, secret = account_services.api_token_create(user=factories.head("LTSA-IDM"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_invalid_idempotency_key_is_400(head_auth):
    r = Client().post("/api/v1/cases/", data={}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad key!",
                      **head_auth)
    assert r.status_code == 400
    assert r.json()["code"] == "idempotency_key_invalid"


def test_key_in_flight_gets_409(head_auth):
    import hashlib

    scope = "token:" + hashlib.sha256(head_auth["HTTP_AUTHORIZATION"].encode()).hexdigest()
    body = b"{}"
    fp = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/cases/", body])).hexdigest()
    IdempotencyRecord.objects.create(scope=scope, key="k1", fingerprint=fp)
    r = Client().post("/api/v1/cases/", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1",
                      **head_auth)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"


def test_server_errors_are_not_remembered(head_auth, monkeypatch):
    from satuatap.journey import services

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "case_open", boom)
    w = factories.worker()
    r = Client().post("/api/v1/cases/", data={"worker_id": w.pk, "office": "LTSA-IDM"},
                      content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **head_auth)
    assert r.status_code == 500
    body = r.json()
    assert body["code"] == "internal_error" and "Traceback" not in r.content.decode()
    assert not IdempotencyRecord.objects.filter(key="k2").exists()  # a retry may act for real


def test_unauthenticated_post_with_key_is_401_and_not_stored():
    r = Client().post("/api/v1/cases/", data={}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k3")
    assert r.status_code == 401
    assert not IdempotencyRecord.objects.exists()
