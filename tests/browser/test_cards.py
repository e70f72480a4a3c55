"""E-KPMI cards in a real browser.

1. The static offline verifier (cards/static/cards/verifier.html) opened from disk in Chromium with the network
   cut: it loads the key file and the signed revocation list, then answers valid, tampered (bad signature),
   revoked and unknown key with Web Crypto's Ed25519, no server at all.
2. The worker's mobile card on a phone, and the checkpoint page where a posted officer verifies it and records
   the departure.

Screenshots in tests/artifacts/: cards-offline-valid, cards-offline-tampered, cards-mobile-id, cards-checkpoint-id,
cards-stopped-id, cards-abroad-id, cards-detail-id.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect

from satuatap.cards import keys, signing
from tests.browser.conftest import shot

VERIFIER = Path(__file__).resolve().parents[2] / "src" / "satuatap" / "cards" / "static" / "cards" / "verifier.html"
KEY = Ed25519PrivateKey.generate()
PHONE = {"width": 390, "height": 844}


def card_payload(**overrides) -> dict:
    today = dt.date.today()
    end = (today + dt.timedelta(days=700)).isoformat()
    data = {"v": 1, "n": "KPMI-IDM-2026-000042", "nm": "Siti Rahayu", "nik": "321201********07", "pp": "E7654321",
            "c": "TW", "e": "Formosa Care Ltd", "j": "Perawat lansia", "ce": end, "i": today.isoformat(), "x": end}
    data.update(overrides)
    return data


@pytest.fixture
def offline_page(browser, tmp_path):
    """The verifier, key file and revocation list copied to a folder and opened as file:// with no network."""
    shutil.copy(VERIFIER, tmp_path / "verifier.html")
    doc = signing.keys_document({"k-2026": KEY.public_key()}, issuer="satuatap", signing_key_id="k-2026")
    (tmp_path / "keys.json").write_text(json.dumps(doc))
    rl = signing.sign({"t": "rl", "iss": "satuatap", "d": dt.date.today().isoformat(), "r": ["KPMI-REVOKED-1"]},
                      private_key=KEY, key_id="k-2026")
    (tmp_path / "revocations.json").write_text(json.dumps({"token": rl}))
    context = browser.new_context(viewport={"width": 900, "height": 900}, locale="id-ID", offline=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto((tmp_path / "verifier.html").as_uri())
    page.set_input_files("#keys-file", str(tmp_path / "keys.json"))
    expect(page.locator("#keys-status")).to_contain_text("k-2026")
    page.set_input_files("#rl-file", str(tmp_path / "revocations.json"))
    expect(page.locator("#rl-status")).to_contain_text("1 kartu")
    yield page
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests  # nothing left the machine
    context.close()


def check(page: Page, token: str) -> tuple[str, str]:
    """Verify a token and wait for this answer (the previous one is cleared first, so it cannot be read again)."""
    page.evaluate("var r = document.getElementById('result'); r.textContent = ''; delete r.dataset.status;"
                  " delete r.dataset.reason;")
    page.fill("#token", token)
    page.click("#verify")
    expect(page.locator("#result-status")).to_be_visible()
    box = page.locator("#result")
    return box.get_attribute("data-status"), box.get_attribute("data-reason")


def test_offline_verifier_valid_and_tampered(offline_page: Page):
    page = offline_page
    token = signing.sign(card_payload(), private_key=KEY, key_id="k-2026")
    assert check(page, token) == ("valid", "ok")
    expect(page.locator("#result")).to_contain_text("Siti Rahayu")
    shot(page, "cards-offline-valid")
    # the camera button appears only where the browser reads QR codes itself
    has_detector = page.evaluate("'BarcodeDetector' in window && !!navigator.mediaDevices")
    assert page.locator("#scan").is_visible() == has_detector

    body, sig = token.split(".")
    data = json.loads(signing.b64url_decode(body))
    data["c"] = "SA"  # destination changed to a closed country
    tampered = signing.b64url_encode(json.dumps(data, separators=(",", ":")).encode()) + "." + sig
    assert check(page, tampered) == ("invalid", "bad_signature")
    expect(page.locator("#result")).not_to_contain_text("Siti Rahayu")  # a forged card's data is not shown
    shot(page, "cards-offline-tampered")


def _reopened(page: Page) -> Page:
    """The verifier opened again in another tab of the same browser profile. Chromium hands a page's
    localStorage writes to the browser process asynchronously, so a tab opened at once may not see them yet:
    open it again (for up to ~10 s) until it has read the remembered files back."""
    for _ in range(20):
        again = page.context.new_page()
        again.goto(page.url)
        again.wait_for_function("document.body.dataset.restored !== undefined")
        if again.evaluate("document.body.dataset.restored") == "yes":
            return again
        again.close()
        page.wait_for_timeout(500)
    raise AssertionError("the key file and the revocation list were not remembered")


def test_offline_verifier_revoked_expired_unknown_key(offline_page: Page):
    # the key file and the list are remembered by this computer: no need to load them again
    stored = offline_page.evaluate("[localStorage.getItem('satuatap-card-keys') !== null,"
                                   " localStorage.getItem('satuatap-card-revocations') !== null]")
    assert stored == [True, True]
    page = _reopened(offline_page)
    expect(page.locator("#keys-status")).to_contain_text("k-2026")
    expect(page.locator("#rl-status")).to_contain_text("1 kartu")
    revoked = signing.sign(card_payload(n="KPMI-REVOKED-1"), private_key=KEY, key_id="k-2026")
    assert check(page, revoked) == ("revoked", "revoked")
    past = dt.date.today() - dt.timedelta(days=1)
    expired = signing.sign(card_payload(i=(past - dt.timedelta(days=800)).isoformat(), x=past.isoformat()),
                           private_key=KEY, key_id="k-2026")
    assert check(page, expired) == ("expired", "expired")
    stranger = signing.sign(card_payload(), private_key=Ed25519PrivateKey.generate(), key_id="k-1999")
    assert check(page, stranger) == ("invalid", "unknown_key")
    assert check(page, "not a card") == ("invalid", "malformed")


# --- against the server ------------------------------------------------------------------------------------

@pytest.fixture
def carded(reference_data):
    """A case taken to CARD by the desks, a CGK checkpoint officer with a password, and the test key ring."""
    from satuatap.accounts import services as account_services
    from satuatap.accounts.models import Role
    from satuatap.cards import services as card_services
    from satuatap.cards.models import Card
    from satuatap.journey import services as journey_services
    from satuatap.web.demo import JOURNEY_ORDER
    from tests import factories

    ring = keys.KeyRing(private={"k-2026": KEY}, public={"k-2026": KEY.public_key()}, signing_key_id="k-2026")
    keys.use(ring)
    card_services.checkpoints_load()
    desks = {a: factories.officer("LTSA-IDM", a) for a in ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK",
                                                         "BP3MI", "BANK")}
    case = factories.open_case(desks["DISNAKER"], factories.worker("32.12"))
    for code in JOURNEY_ORDER[: JOURNEY_ORDER.index("CARD") + 1]:
        step = case.steps.select_related("definition").get(code=code)
        journey_services.step_complete(actor=desks[step.agency_id], case_number=case.number, step_code=code,
                                       outcome=factories.outcome(step.definition.outcome_type))
    officer = account_services.user_create(username="cp.cgk.browser", password="uji-bandara-2026",
                                           role=Role.CHECKPOINT_OFFICER)
    card_services.checkpoint_member_add(actor=None, user=officer, checkpoint_code="CGK")
    yield Card.objects.get(case=case), officer
    keys.reset()


@pytest.mark.django_db(transaction=True)
def test_mobile_card_and_checkpoint_departure(page: Page, carded):
    card, officer = carded
    page.set_viewport_size(PHONE)
    page.goto(page.base + f"/cards/c/{card.token}/")
    expect(page.locator("#card-number")).to_have_text(card.number)
    expect(page.locator("#card-qr svg")).to_be_visible()
    expect(page.locator("#card-status")).to_have_class("ekpmi-status status-valid")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "cards-mobile-id")

    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", "uji-bandara-2026")
    page.click("#login-submit")
    page.goto(page.base + "/cards/checkpoint/")
    # The camera path's decoder (vendored jsQR, used where the browser has no BarcodeDetector) reads the printed
    # card's QR code back to the exact token.
    qr = segno.make(card.token, error="m").png_data_uri(scale=4, border=4)
    decoded = page.evaluate("""async (src) => {
        const img = new Image(); img.src = src; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        return await window.satuatapDecodeQR(ctx.getImageData(0, 0, c.width, c.height));
    }""", qr)
    assert decoded == card.token
    page.fill("#token", decoded)
    page.click("#verify-submit")
    expect(page.locator("#verdict-reason")).to_have_attribute("data-reason", "ok")
    page.fill("#flight", "CI 762")
    page.click("#depart-submit")
    expect(page.locator("#departure-outcome")).to_have_attribute("data-outcome", "departed")
    shot(page, "cards-checkpoint-id")
    card.case.refresh_from_db()
    assert card.case.status == "departed"
    page.goto(page.base + "/cards/stopped/")
    from satuatap.cards.models import AttemptOutcome, DepartureAttempt

    stopped = DepartureAttempt.objects.filter(outcome=AttemptOutcome.STOPPED).count()
    expect(page.locator("#stopped-total")).to_have_text(str(stopped))  # the page counts what was recorded
    shot(page, "cards-stopped-id")

    # the regency's manpower desk: where its people are, and the card in the register
    from satuatap.accounts import services as account_services
    from satuatap.accounts.models import Role
    from satuatap.reference.models import Agency, Office

    account_services.user_create(username="b.idm.disnaker.cards", password="uji-kartu-2026", role=Role.DESK_OFFICER,
                                 office=Office.objects.get(code="LTSA-IDM"), agency=Agency.objects.get(code="DISNAKER"))
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "b.idm.disnaker.cards")
    page.fill("#id_password", "uji-kartu-2026")
    page.click("#login-submit")
    page.goto(page.base + "/cards/abroad/")
    expect(page.locator("#abroad-total")).to_have_text("1")
    expect(page.locator("#abroad-list")).to_contain_text(card.case.number)
    shot(page, "cards-abroad-id")
    page.goto(page.base + f"/cards/card/{card.number}/")
    expect(page.locator("#card-number")).to_have_text(card.number)
    shot(page, "cards-detail-id")


def test_verifier_served_by_the_server_runs_under_its_csp(browser, live_server, tmp_path):
    """Served at /cards/verifier.html with a Content-Security-Policy allowing only its own script (by hash)."""
    doc = signing.keys_document({"k-2026": KEY.public_key()}, issuer="satuatap", signing_key_id="k-2026")
    (tmp_path / "keys.json").write_text(json.dumps(doc))
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(live_server.url + "/cards/verifier.html")
    assert "sha256-" in response.headers["content-security-policy"]
    page.set_input_files("#keys-file", str(tmp_path / "keys.json"))
    expect(page.locator("#keys-status")).to_contain_text("k-2026")
    assert check(page, signing.sign(card_payload(), private_key=KEY, key_id="k-2026")) == ("valid", "ok")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
