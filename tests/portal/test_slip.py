"""The registration slip PDF: who may print it, and what it holds."""

from __future__ import annotations

import io
import re
from unittest import mock

import pytest
from pypdf import PdfReader

from satuatap.core.masking import mask_nik
from satuatap.portal import documents, tokens
from tests import factories

pytestmark = pytest.mark.django_db


def slip_url(case) -> str:
    return f"/status/slip/{case.number}.pdf"


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_office_staff_get_the_pdf(client, desks, case):
    client.force_login(desks["DINKES"])
    resp = client.get(slip_url(case))
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text, pages = pdf_text(resp.content)
    assert pages == 1
    assert case.number in text
    assert "Bukti pendaftaran" in text and "LTSA Indramayu" in text
    assert case.worker.name in text
    assert mask_nik(case.worker.nik) in text and case.worker.nik not in text
    assert "Loket Kepolisian (SKCK)" in text and "Rp30.000" in text
    assert "0800-1000" in text
    assert "WIB" in text


def test_the_printed_link_is_the_signed_status_url(client, desks, case):
    client.force_login(desks["HEAD"])
    text, _ = pdf_text(client.get(slip_url(case)).content)
    flat = re.sub(r"\s+", "", text)
    match = re.search(r"http://testserver/status/" + re.escape(case.number) + r"/\?t=([0-9A-Za-z:_\-]+)", flat)
    assert match, flat
    token = match.group(1)
    # the text extraction may glue the next word on: the longest valid prefix must verify
    assert any(tokens.check_token(case_number=case.number, case_id=case.pk, token=token[:n])
               for n in range(len(token), 20, -1))


def test_slip_pdf_is_called_with_the_signed_absolute_url(client, desks, case):
    client.force_login(desks["DISNAKER"])
    with mock.patch.object(documents, "slip_pdf", wraps=documents.slip_pdf) as spy:
        assert client.get(slip_url(case)).status_code == 200
    (called_case,), kwargs = spy.call_args
    assert called_case.pk == case.pk
    url = kwargs["status_url"]
    assert url.startswith(f"http://testserver/status/{case.number}/?t=")
    token = url.split("?t=")[1]
    assert tokens.check_token(case_number=case.number, case_id=case.pk, token=token)
    # and the link opens the status page without any other proof
    assert client.get(url.replace("http://testserver", "")).status_code == 200


def test_english_slip(client, desks, case):
    client.force_login(desks["DISNAKER"])
    text, _ = pdf_text(client.get(slip_url(case) + "?lang=en").content)
    assert "Registration slip" in text and "Police desk (police clearance)" in text


def test_other_office_is_forbidden(client, case):
    client.force_login(factories.officer("LTSA-SBY", "DISNAKER"))
    resp = client.get(slip_url(case))
    assert resp.status_code == 403
    assert "Tidak diizinkan" in resp.content.decode()


def test_regional_monitor_may_not_print(client, case):
    client.force_login(factories.monitor())
    assert client.get(slip_url(case)).status_code == 403


def test_unknown_case_is_404(client, desks):
    client.force_login(desks["DISNAKER"])
    assert client.get("/status/slip/LTSA-IDM-2099-999999.pdf").status_code == 404


def test_anonymous_goes_to_login(client, case):
    resp = client.get(slip_url(case))
    assert resp.status_code == 302
    assert resp["Location"].startswith("/accounts/login/?next=/status/slip/")


def test_long_name_and_unusual_characters(desks, case):
    case.worker.name = "Siti Nurhaliza binti Abdurrahman Al-Habsyi Ṣāliḥ & <Keluarga>"
    case.worker.save()
    pdf = documents.slip_pdf(case, status_url="http://example.test/status/X/?t=abc")
    text, pages = pdf_text(pdf)
    assert pages == 1 and "Nurhaliza" in text and "&" in text


def test_public_base_url_is_used_for_the_qr_link(client, desks, case, settings):
    settings.PORTAL_PUBLIC_BASE_URL = "https://status.ltsa.example.go.id/"
    client.force_login(desks["DISNAKER"])
    with mock.patch.object(documents, "slip_pdf", wraps=documents.slip_pdf) as spy:
        client.get(slip_url(case))
    assert spy.call_args.kwargs["status_url"].startswith(f"https://status.ltsa.example.go.id/status/{case.number}/?t=")
