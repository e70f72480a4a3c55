"""Intake: the public form (errors keep what was typed, attachments checked, rate limit), the officer's form."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.core.uploads import MAX_UPLOAD_BYTES
from satuatap.crisis.constants import REPORT_RATE_LIMIT
from satuatap.crisis.models import Complaint
from satuatap.notify.models import Message

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "complainant_type": "worker", "complainant_name": "Rina Wati", "complainant_phone": "+852 6123 4567",
    "category": "employer_violence", "country": "HK",
    "description": "Majikan memukul saya dan menahan paspor saya sejak bulan lalu.",
}


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_public_form_registers_an_urgent_complaint_with_an_attachment():
    r = Client().post("/crisis/report/", {**FORM, "attachments": [upload("foto.png", PNG)]})
    assert r.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.priority == "urgent" and complaint.worker_name == "Rina Wati"  # the worker files it herself
    assert complaint.complainant_phone == "+85261234567" and complaint.channel == "web_form"
    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png" and attachment.source == "complainant"
    assert complaint.events.get(kind="registered").public
    received = Message.objects.get(template="complaint_received")
    assert complaint.reference in received.body and received.recipient == "+85261234567"


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("catatan.txt", b"just text, not a document", "Jenis berkas tidak diterima"),
    ("besar.pdf", b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES, "terlalu besar"),
])
def test_a_bad_attachment_is_refused_and_nothing_typed_is_lost(name, content, problem):
    r = Client().post("/crisis/report/", {**FORM, "worker_nik": "3212015505960012",
                                          "attachments": [upload(name, content)]})
    page = r.content.decode()
    assert r.status_code == 200
    assert problem in page and name in page
    assert "Pilih berkas itu lagi" in page  # the one thing a browser cannot keep: the file
    for value in ("Rina Wati", "+852 6123 4567", "Majikan memukul saya dan menahan paspor saya", "3212015505960012"):
        assert value in page
    assert 'value="employer_violence" selected' in page
    assert not Complaint.objects.exists()


def test_errors_in_english_when_the_complainant_reads_english():
    client = Client()
    client.cookies["django_language"] = "en"
    r = client.post("/crisis/report/", {**FORM, "attachments": [upload("x.txt", b"nope")]}, HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert "File type not accepted" in page and "everything else you typed is kept" in page
    assert "Report a problem to the Crisis Center" in page


def test_indonesian_by_default():
    page = Client().get("/crisis/report/").content.decode()
    assert "Laporkan masalah ke Crisis Center" in page
    assert 'id="complaint-form"' in page and 'enctype="multipart/form-data"' in page


def test_a_way_to_reach_the_complainant_is_required():
    data = {**FORM, "complainant_phone": ""}
    r = Client().post("/crisis/report/", data)
    assert r.status_code == 200 and "agar kami dapat menghubungi" in r.content.decode()
    assert not Complaint.objects.exists()


def test_public_form_is_rate_limited_per_address_and_keeps_the_text():
    client = Client(REMOTE_ADDR="203.0.113.7")
    limit, _ = REPORT_RATE_LIMIT
    for _ in range(limit):
        assert client.post("/crisis/report/", {**FORM, "category": ""}).status_code == 200
    r = client.post("/crisis/report/", FORM)
    assert r.status_code == 429
    assert "Majikan memukul saya" in r.content.decode()
    assert not Complaint.objects.exists()
    # another address is not affected
    assert Client(REMOTE_ADDR="203.0.113.8").post("/crisis/report/", FORM).status_code == 302


def test_robots_filling_the_hidden_field_are_refused():
    r = Client().post("/crisis/report/", {**FORM, "website": "http://spam.example"})
    assert r.status_code == 400 and not Complaint.objects.exists()


def test_status_lookups_are_rate_limited():
    client = Client(REMOTE_ADDR="198.51.100.1")
    codes = [client.post("/crisis/status/", {"reference": "PGD-2026-000001", "secret": "AAAAA-AAAAA"}).status_code
             for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


def test_officer_intake_needs_a_crisis_agent(agent, other_officer):
    client = Client()
    assert client.get("/crisis/intake/").status_code == 302  # to the login
    client.force_login(other_officer)
    assert client.get("/crisis/intake/").status_code == 403
    assert client.get("/crisis/queue/").status_code == 403
    client.force_login(agent)
    r = client.get("/crisis/intake/")
    assert r.status_code == 200 and 'id="intake-form"' in r.content.decode()
    # a walk-in with no phone or e-mail is accepted from an officer
    r = client.post("/crisis/intake/", {**FORM, "complainant_phone": "", "channel": "walk_in", "language": "id",
                                        "complainant_type": "family", "complainant_relation": "sibling",
                                        "complainant_name": "Anto", "worker_name": "Rina Wati"})
    complaint = Complaint.objects.get()
    assert r.status_code == 302 and r.url == f"/crisis/complaints/{complaint.reference}/"
    assert complaint.channel == "walk_in" and complaint.created_by == agent
    assert not Message.objects.exists()  # nobody to write to
    page = client.get(r.url).content.decode()
    assert complaint.reference in page and "kode rahasia" in page  # the secret, to read out, shown once
