"""Hostile files at every upload door (step documents over the API, complaint attachments over the channel API
and the public web form): wrong type, oversize, zip bomb, decompression bomb, PDF with JavaScript. Each is
refused with its error code and nothing is stored."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.crisis import services as crisis_services
from satuatap.crisis.models import Complaint
from satuatap.journey.models import StepDocument
from tests import factories
from tests.core.test_uploads import jpeg, pdf_with_stream, png

pytestmark = pytest.mark.django_db


def zip_bomb() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr(f"scan-{i}.pdf", b"\x00" * (16 * 1024 * 1024))
    return buf.getvalue()


HOSTILE = [
    ("ktp.pdf", zip_bomb(), "upload_type_refused"),
    ("kontrak.pdf", pdf_with_stream(b"\x00" * (60 * 1024 * 1024)), "upload_decompression_bomb"),
    ("foto.png", png(100_000, 100_000), "upload_decompression_bomb"),
    ("foto.jpg", jpeg(65_000, 65_000), "upload_decompression_bomb"),
    ("surat.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.launchURL('x')) >> >> endobj",
     "upload_active_content"),
    ("surat2.pdf", pdf_with_stream(b"<< /S /JavaScript /JS (this.exportDataObject()) >>", extra=b"/Type /ObjStm "),
     "upload_active_content"),
    ("paspor.pdf", b"<html><body onload=alert(1)>", "upload_type_refused"),
    ("besar.pdf", b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024), "upload_too_large"),
]
IDS = ["zip-bomb", "flate-bomb-pdf", "png-pixel-bomb", "jpeg-pixel-bomb", "pdf-javascript", "pdf-js-in-objstm",
       "html-named-pdf", "oversize"]


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE, ids=IDS)
def test_step_document_uploads_refuse_hostile_files(name, content, code):
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(desk, factories.worker())
    token = account_services.api_token_create(user=desk, name="t")[1]
    r = Client().post(f"/api/v1/cases/{case.number}/steps/REG/documents", {"file": SimpleUploadedFile(name, content)},
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 422, r.content[:300]
    assert r.json()["code"] == code
    assert not StepDocument.objects.exists()


@pytest.mark.parametrize(("name", "content", "code"), [h for h in HOSTILE if h[2] != "upload_too_large"],
                         ids=[i for i in IDS if i != "oversize"])
def test_complaint_attachments_over_the_channel_api_refuse_hostile_files(name, content, code):
    _, key = crisis_services.channel_key_create(actor=None, name="gateway", channel="whatsapp")
    payload = {"external_id": f"up-{name}", "complainant_type": "worker", "complainant_name": "Dewi",
               "complainant_phone": "+60 12-345 6789",
               "category": "lost_contact", "country": "MY", "description": "Paspor ditahan.",
               "attachments": [{"filename": name, "content_base64": base64.b64encode(content).decode()}]}
    r = Client().post("/api/v1/complaints/", data=payload, content_type="application/json", HTTP_X_CHANNEL_KEY=key)
    assert 400 <= r.status_code < 500, r.content[:300]
    body = r.json()
    assert {"code", "message", "message_en"} <= body.keys()
    assert code in r.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE[:5], ids=IDS[:5])
def test_the_public_complaint_form_refuses_hostile_files(name, content, code):
    form = {"complainant_type": "worker", "complainant_name": "Rina Wati", "complainant_phone": "+852 6123 4567",
            "category": "employer_violence", "country": "HK", "description": "Majikan menahan paspor saya.",
            "attachments": [SimpleUploadedFile(name, content)]}
    r = Client().post("/crisis/report/", form)
    assert r.status_code == 200  # the form again, with the reason
    assert name in r.content.decode()
    assert not Complaint.objects.exists()
