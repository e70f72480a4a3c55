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


def in_flight(head_auth, key: str, *, age_seconds: float = 0):
    import datetime as dt
    import hashlib

    from django.utils import timezone

    scope = "token:" + hashlib.sha256(head_auth["HTTP_AUTHORIZATION"].encode()).hexdigest()
    fp = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/cases/", b"{}"])).hexdigest()
    record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fp)
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=age_seconds))
    return scope


def post_with_key(head_auth, key: str):
    return Client().post("/api/v1/cases/", data=b"{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
                         **head_auth)


def test_key_in_flight_gets_409(head_auth):
    in_flight(head_auth, "k1")
    r = post_with_key(head_auth, "k1")
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"


def test_key_in_flight_for_longer_than_five_minutes_is_abandoned(head_auth):
    in_flight(head_auth, "k1-old", age_seconds=6 * 60)
    r = post_with_key(head_auth, "k1-old")
    assert r.status_code == 422  # acted on (the empty body is refused), not 409


@pytest.mark.postgres
def test_on_postgresql_a_key_whose_server_process_died_is_free_at_once(head_auth):
    """A killed server process loses its database session and its advisory lock: no five-minute wait."""
    import psycopg
    from django.db import connection

    from satuatap.core.middleware import _lock_id

    alive = in_flight(head_auth, "k-alive", age_seconds=10)
    in_flight(head_auth, "k-dead", age_seconds=10)
    s = connection.settings_dict
    with psycopg.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"] or 5432,
                         password=s.get("PASSWORD") or None, autocommit=True) as owner:
        owner.execute("SELECT pg_advisory_lock(%s)", [_lock_id(alive, "k-alive")])  # a request still running
        r = post_with_key(head_auth, "k-alive")
        assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"
    # nobody holds the lock of k-dead: its request died with its process
    r = post_with_key(head_auth, "k-dead")
    assert r.status_code == 422, r.content


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
