"""The card pages as officers and workers use them."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from satuatap.cards.models import Card
from tests import factories
from tests.cards.conftest import checkpoint_officer

pytestmark = pytest.mark.django_db


def test_worker_mobile_card_and_pdf(client, carded_case):
    card = Card.objects.get(case=carded_case)
    r = client.get(f"/cards/c/{card.token}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert carded_case.worker.name in html and "<svg" in html and card.number in html
    assert carded_case.worker.nik not in html
    pdf = client.get(f"/cards/c/{card.token}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert card.number in text and "FOTO" in text
    # a token that is not exactly the card's is not a way in
    # (a different ending: a fixed "AA" was the real ending of one token in 4,096, which failed CI once)
    other_end = "AB" if not card.token.endswith("AB") else "BA"
    assert client.get(f"/cards/c/{card.token[:-2]}{other_end}/").status_code == 404


def test_checkpoint_page_verifies_and_records(client, carded_case, checkpoints):
    officer = checkpoint_officer("CGK")
    client.force_login(officer)
    card = Card.objects.get(case=carded_case)
    r = client.post("/cards/checkpoint/", {"token": card.token, "action": "verify"})
    assert r.status_code == 200 and 'data-reason="ok"' in r.content.decode()
    forged = card.token[:-3] + ("abc" if not card.token.endswith("abc") else "abd")
    r = client.post("/cards/checkpoint/", {"token": forged, "action": "verify"})
    assert 'data-reason="bad_signature"' in r.content.decode() or 'data-reason="malformed"' in r.content.decode()
    r = client.post("/cards/checkpoint/", {"token": card.token, "action": "depart", "checkpoint": "CGK",
                                           "flight_or_vessel": "GA 890"})
    assert 'data-outcome="departed"' in r.content.decode()
    r = client.post("/cards/checkpoint/", {"token": card.token, "action": "depart", "checkpoint": "CGK",
                                           "flight_or_vessel": "GA 890"})
    html = r.content.decode()  # the same card again: stopped, shown as such (not as a green "valid")
    assert 'data-outcome="stopped"' in html and "status-invalid" in html and "KEBERANGKATAN DICEGAH" in html
    r = client.post("/cards/checkpoint/", {"action": "stop", "checkpoint": "CGK", "person_name": "Tanpa Kartu"})
    assert r.status_code == 302
    assert "Tanpa Kartu" in client.get("/cards/stopped/").content.decode()


def test_staff_card_page_and_revoke(client, carded_case, desks):
    from tests.factories import otp_login

    card = Card.objects.get(case=carded_case)
    client.force_login(desks["DISNAKER"])
    r = client.get(f"/cards/card/{card.number}/")
    assert r.status_code == 200 and "revoke-form" not in r.content.decode()  # only those who may revoke see it
    client.force_login(desks["BP3MI"])
    r = client.get(f"/cards/card/{card.number}/")
    assert r.status_code == 200 and "revoke-form" in r.content.decode()
    assert client.get(f"/cards/card/{card.number}/pdf/")["Content-Type"] == "application/pdf"
    client.force_login(factories.officer("LTSA-SBY", "BP3MI"))
    assert client.get(f"/cards/card/{card.number}/").status_code == 404
    otp_login(client, desks["HEAD"])
    client.post(f"/cards/card/{card.number}/revoke/", {"reason": "Dokumen palsu"})
    card.refresh_from_db()
    assert card.status == "revoked"
    assert "Dokumen palsu" in client.get(f"/cards/card/{card.number}/").content.decode()


def test_abroad_page_and_csv(client, carded_case, checkpoints, desks):
    from satuatap.cards import services

    officer = checkpoint_officer("CGK")
    card = Card.objects.get(case=carded_case)
    assert services.departure_record(actor=officer, checkpoint_code="CGK", token=card.token,
                                     flight_or_vessel="CX1").departed
    client.force_login(desks["DISNAKER"])
    r = client.get("/cards/abroad/")
    assert r.status_code == 200 and 'id="abroad-total">1<' in r.content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/cards/abroad.csv").content.decode("utf-8-sig"))))
    assert rows[0][0] == "case_number" and rows[1][0] == carded_case.number and rows[1][3] == "HK"
    client.post(f"/cards/abroad/{carded_case.number}/return/")
    assert 'id="abroad-total">0<' in client.get("/cards/abroad/").content.decode()
    client.force_login(officer)
    assert client.get("/cards/abroad/").status_code == 403


def test_offline_kit_downloads(client, desks):
    client.force_login(desks["BP3MI"])
    assert client.get("/cards/offline/").status_code == 200
    r = client.get("/cards/verifier.html?download=1")
    assert r.status_code == 200 and b"crypto.subtle" in b"".join(r.streaming_content)
    assert "attachment" in client.get("/cards/keys/download/")["Content-Disposition"]
    assert client.get("/cards/revocations.json").json()["revoked"] == []


def test_company_users_and_auditors_are_not_officers(client, carded_case):
    """A placement company's user (created with the monitor role) never gets a monitor's reach here."""
    from satuatap.accounts import services as account_services
    from satuatap.accounts.models import Role
    from satuatap.placement.models import Company, CompanyMembership

    company_user = account_services.user_create(username="pt.hrd", password=None, role=Role.MONITOR)
    CompanyMembership.objects.create(user=company_user, company=Company.objects.first())
    auditor = account_services.user_create(username="aud.1", password=None, role=Role.AUDITOR)
    card = Card.objects.get(case=carded_case)
    for user in (company_user, auditor):
        factories.otp_login(client, user)  # past the second factor: refused for who they are
        for url in ("/cards/checkpoint/", "/cards/abroad/", "/cards/abroad.csv", "/cards/", "/cards/stopped/"):
            assert client.get(url).status_code == 403, (user.username, url)
        r = client.post("/api/v1/cards/verify", {"token": card.token}, content_type="application/json")
        assert r.status_code == 403
        assert client.get("/api/v1/cards/abroad").status_code == 403
        assert client.get(f"/api/v1/cards/{card.number}").status_code == 404


def test_case_card_tag_shows_the_card_to_those_who_read_it(rf, carded_case, desks):
    from django.template import Context, Template

    card = Card.objects.get(case=carded_case)
    tpl = Template("{% load cards_tags %}{% case_card case %}")
    request = rf.get("/")
    request.user = desks["DISNAKER"]
    html = tpl.render(Context({"request": request, "case": carded_case}))
    assert card.number in html and f"/cards/card/{card.number}/" in html
    request.user = factories.officer("LTSA-SBY", "BP3MI")
    assert card.number not in tpl.render(Context({"request": request, "case": carded_case}))
