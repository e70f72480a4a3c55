"""Channel integrations post complaints with their own key; agents read complaints over the API."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.crisis import services
from satuatap.crisis.models import Complaint
from satuatap.notify.models import Message

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "external_id": "wa-msg-0001", "complainant_type": "worker", "complainant_name": "Dewi Lestari",
    "complainant_phone": "+60 12-345 6789", "category": "lost_contact", "country": "MY",
    "description": "Saya tidak bisa menghubungi keluarga, paspor ditahan agen.",
}


def post(client: Client, data: dict, key: str | None = None):
    headers = {"HTTP_X_CHANNEL_KEY": key} if key is not None else {}
    return client.post("/api/v1/complaints/", data=data, content_type="application/json", **headers)


@pytest.fixture
def wa_key():
    _, secret = services.channel_key_create(actor=None, name="WhatsApp gateway", channel="whatsapp")
    return secret


def test_channel_post_needs_a_valid_key(wa_key):
    client = Client()
    assert post(client, PAYLOAD).status_code == 401
    assert post(client, PAYLOAD, "crk_wrong").status_code == 401
    r = post(client, PAYLOAD, "Bearer something")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    assert not Complaint.objects.exists()


def test_channel_post_registers_once_per_external_id(wa_key):
    client = Client()
    r = post(client, PAYLOAD, wa_key)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["created"] and body["secret"] and body["priority"] == "urgent"
    complaint = Complaint.objects.get(reference=body["reference"])
    assert complaint.channel == "whatsapp" and complaint.channel_key.name == "WhatsApp gateway"
    # the reply goes back on WhatsApp
    received = Message.objects.get(template="complaint_received")
    assert received.channel == "whatsapp" and received.recipient == "+60123456789"
    again = post(client, PAYLOAD, wa_key)
    assert again.status_code == 200
    assert again.json()["reference"] == body["reference"] and again.json()["secret"] is None
    assert Complaint.objects.count() == 1 and Message.objects.count() == 1


def test_a_revoked_key_is_refused(wa_key):
    key = services.channel_key_authenticate(secret=wa_key)
    services.channel_key_revoke(actor=None, key_id=key.pk)
    assert post(Client(), PAYLOAD, wa_key).status_code == 401


def test_channel_post_validation_errors_have_stable_codes(wa_key):
    r = post(Client(), {**PAYLOAD, "category": "bad"}, wa_key)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = post(Client(), {**PAYLOAD, "complainant_phone": "", "external_id": "x2"}, wa_key)
    assert r.status_code == 422 and r.json()["details"]["field"] == "complainant_phone"
    bad_file = {"filename": "a.exe", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}
    r = post(Client(), {**PAYLOAD, "external_id": "x3", "attachments": [bad_file]}, wa_key)
    assert r.status_code == 422 and r.json()["code"] == "upload_type_refused"
    assert not Complaint.objects.exists()


def test_channel_post_with_an_attachment(wa_key):
    pdf = {"filename": "kontrak.pdf", "content_base64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()}
    r = post(Client(), {**PAYLOAD, "attachments": [pdf]}, wa_key)
    assert r.status_code == 201
    attachment = Complaint.objects.get().attachments.get()
    assert attachment.source == "channel" and attachment.content_type == "application/pdf"


def _bearer(user) -> dict[str, str]:
    _, secret = account_services.api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_agents_list_and_read_complaints(wa_key, agent, other_officer):
    reference = post(Client(), PAYLOAD, wa_key).json()["reference"]
    client = Client()
    body = client.get("/api/v1/complaints/?priority=urgent", **_bearer(agent)).json()
    assert body["count"] == 1 and body["items"][0]["reference"] == reference
    detail = client.get(f"/api/v1/complaints/{reference}", **_bearer(agent)).json()
    assert [e["kind"] for e in detail["events"]] == ["registered"]
    assert detail["events"][0]["actor"] == "channel: WhatsApp gateway"
    r = client.get("/api/v1/complaints/", **_bearer(other_officer))
    assert r.status_code == 403 and r.json()["code"] == "forbidden_not_crisis_agent"
    assert client.get("/api/v1/complaints/PGD-1999-000001", **_bearer(agent)).status_code == 404
