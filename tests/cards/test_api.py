"""The cards API as an integration sees it: verify, public keys and revocation list, departures, abroad."""

from __future__ import annotations

import pytest

from satuatap.accounts import services as account_services
from satuatap.cards import signing
from satuatap.cards.models import Card
from tests import factories
from tests.cards.conftest import checkpoint_officer

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.api_token_create(user=user, name='t')[1]}"}


def post(client, url, data, user):
    return client.post(url, data, content_type="application/json", **bearer(user))


def test_verify_answers_with_status_reason_and_card(client, carded_case, desks):
    card = Card.objects.get(case=carded_case)
    r = post(client, "/api/v1/cards/verify", {"token": card.token}, desks["BP3MI"])
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["reason"]) == ("valid", "ok")
    assert body["card"]["number"] == card.number and body["card"]["masked_nik"] == card.payload["nik"]
    tampered = card.token.replace(".", "X.", 1)
    body = post(client, "/api/v1/cards/verify", {"token": tampered}, desks["BP3MI"]).json()
    assert body["status"] == "invalid" and body["card"] is None and body["message"] and body["message_en"]


def test_verify_needs_a_signed_in_officer(client):
    r = client.post("/api/v1/cards/verify", {"token": "x.y"}, content_type="application/json")
    assert r.status_code == 401


def test_public_keys_and_signed_revocation_list(client, carded_case, desks, card_keys):
    keys_doc = client.get("/api/v1/cards/keys").json()
    assert keys_doc["signing_key_id"] == "test-1" and keys_doc["keys"][0]["alg"] == "Ed25519"
    assert client.get("/cards/keys.json").json() == keys_doc
    assert client.get("/.well-known/satuatap-card-keys.json").json() == keys_doc
    card = Card.objects.get(case=carded_case)
    r = post(client, f"/api/v1/cards/{card.number}/revoke", {"reason": "Paspor hilang"}, desks["HEAD"])
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    rl = client.get("/api/v1/cards/revocations").json()
    assert rl["revoked"] == [card.number]
    public = signing.keys_from_document(keys_doc)
    assert signing.revocation_list_read(rl["token"], keys=public) == {card.number}
    body = post(client, "/api/v1/cards/verify", {"token": card.token}, desks["BP3MI"]).json()
    assert (body["status"], body["reason"]) == ("revoked", "revoked")


def test_revoke_by_another_office_is_not_found(client, carded_case):
    card = Card.objects.get(case=carded_case)
    r = post(client, f"/api/v1/cards/{card.number}/revoke", {"reason": "x y z"}, factories.head("LTSA-SBY"))
    assert r.status_code == 404


def test_departure_and_stopped_through_the_api(client, carded_case, checkpoints, desks):
    officer = checkpoint_officer("PLBN-ETK")
    card = Card.objects.get(case=carded_case)
    r = post(client, "/api/v1/cards/departures", {"checkpoint": "PLBN-ETK", "token": "",
                                                  "flight_or_vessel": "BUS DAMRI", "person_name": "Tanpa Kartu"},
             officer)
    assert r.status_code == 200 and r.json()["departed"] is False and r.json()["reason"] == "no_card"
    r = post(client, "/api/v1/cards/departures", {"checkpoint": "PLBN-ETK", "token": card.token,
                                                  "flight_or_vessel": "BUS DAMRI"}, officer)
    assert r.status_code == 200 and r.json()["departed"] is True and r.json()["case_number"] == carded_case.number
    r = post(client, "/api/v1/cards/stopped", {"checkpoint": "PLBN-ETK", "person_name": "Orang Kedua"}, officer)
    assert r.status_code == 201
    stats = client.get("/api/v1/cards/stopped/stats", **bearer(officer)).json()
    assert stats["total"] == 2 and stats["by_checkpoint"][0]["key"] == "PLBN-ETK"
    # a desk officer is not posted at a checkpoint
    r = post(client, "/api/v1/cards/departures", {"checkpoint": "PLBN-ETK", "token": card.token,
                                                  "flight_or_vessel": "X1"}, desks["IMIGRASI"])
    assert r.status_code == 403
    abroad = client.get("/api/v1/cards/abroad", **bearer(desks["DISNAKER"])).json()
    assert abroad["total"] == 1 and abroad["by_country"][0]["key"] == "HK"
    rows = client.get("/api/v1/cards/abroad/list", **bearer(desks["DISNAKER"])).json()
    assert rows[0]["case_number"] == carded_case.number
    r = post(client, f"/api/v1/cards/abroad/{carded_case.number}/return", {}, desks["DISNAKER"])
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert client.get("/api/v1/cards/abroad", **bearer(officer)).status_code == 403
