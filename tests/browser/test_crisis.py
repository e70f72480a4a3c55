"""The Crisis Center in a real browser: a family member reports lost contact on the public form from a phone,
follows the complaint on the status page, and a crisis agent finds it at the top of the queue and takes it up.

The form's error path (a wrong-type attachment) and its English version are checked too. Screenshots go to
tests/artifacts/: complaint-form-id, complaint-received-id, complaint-form-error-id, complaint-form-en,
complaint-status-id, crisis-queue-id, crisis-complaint-id.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.crisis import services as crisis_services
from satuatap.crisis.constants import IntakeChannel
from satuatap.reference.models import Agency, Office
from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
AGENT = "cc.info.idm"
AGENT_PASSWORD = "uji-krisis-2026"
DESCRIPTION = (
    "Sejak tiga minggu anak saya Rina tidak bisa dihubungi. Terakhir ia bilang majikannya mengambil ponselnya "
    "dan ia tidak boleh keluar rumah."
)
REFERENCE_RE = re.compile(r"^PGD-\d{4}-\d{6}$")


@pytest.fixture(autouse=True)
def crisis_setup(settings, tmp_path):
    # Messages to the complainant are delivered at once (no worker); console deliveries and uploads go to tmp.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    # The public form is rate-limited per address in the (process-wide) cache: start each test with a clean slate.
    cache.clear()
    yield
    cache.clear()


def fill_lost_contact_report(page: Page) -> None:
    """What a mother in Indramayu types about her daughter working in Malaysia."""
    form = page.locator("#complaint-form")
    form.locator("input[name=complainant_type][value=family]").check()
    page.select_option("#id_complainant_relation", "parent")
    page.fill("#id_complainant_name", "Sumiati")
    page.fill("#id_complainant_phone", "0812-3456-7890")
    page.fill("#id_worker_name", "Rina Marlina")
    page.fill("#id_worker_passport", "C1234567")
    page.select_option("#id_country", "MY")
    page.fill("#id_employer", "Tan Ah Kow, Johor Bahru")
    page.fill("#id_company", "PT Maju Bersama Sejahtera")
    page.select_option("#id_category", "lost_contact")
    page.fill("#id_description", DESCRIPTION)


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone's screen (no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


def switch_language(page: Page, code: str) -> None:
    page.select_option("#lang-select", code)
    page.click("#lang-submit")
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_public_form_refuses_a_wrong_file_and_keeps_what_was_typed(page: Page):
    page.set_viewport_size(PHONE)
    page.goto(page.base + "/crisis/report/")
    expect(page.locator("h1")).to_have_text("Laporkan masalah ke Crisis Center")
    fill_lost_contact_report(page)
    # a "photo" that is really a text file
    page.set_input_files(
        "#id_attachments",
        files=[
            {"name": "foto-paspor.png", "mimeType": "image/png", "buffer": b"bukan gambar, hanya teks biasa\n"},
        ],
    )
    page.click("#complaint-submit")

    expect(page.locator("#form-errors")).to_have_text(
        "Periksa isian yang ditandai di bawah. Isian Anda tetap tersimpan."
    )
    attachment_error = page.locator("#field-attachments .errorlist")
    expect(attachment_error).to_contain_text(
        "“foto-paspor.png”: Jenis berkas tidak diterima. Unggah PDF, JPEG atau PNG."
    )
    expect(attachment_error).to_contain_text("Pilih berkas itu lagi")
    expect(page.locator("#field-attachments")).to_have_class(re.compile(r"\bfield-error\b"))
    # everything typed is still there
    expect(page.locator("#id_description")).to_have_value(DESCRIPTION)
    expect(page.locator("input[name=complainant_type][value=family]")).to_be_checked()
    expect(page.locator("#id_complainant_relation")).to_have_value("parent")
    expect(page.locator("#id_complainant_name")).to_have_value("Sumiati")
    expect(page.locator("#id_complainant_phone")).to_have_value("0812-3456-7890")
    expect(page.locator("#id_worker_name")).to_have_value("Rina Marlina")
    expect(page.locator("#id_country")).to_have_value("MY")
    expect(page.locator("#id_category")).to_have_value("lost_contact")
    assert_fits_phone(page)
    attachment_error.scroll_into_view_if_needed()
    shot(page, "complaint-form-error-id")

    # the same form in English
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Report a problem to the Crisis Center")
    expect(page.locator("#field-complainant_type legend")).to_have_text("Who is filing this complaint?")
    expect(page.locator("label[for=id_description]")).to_contain_text("Tell us what happened")
    expect(page.locator("#id_category option[value=lost_contact]")).to_have_text("Lost contact")
    expect(page.locator("#complaint-submit")).to_have_text("Send complaint")
    assert_fits_phone(page)
    shot(page, "complaint-form-en")


def test_complaint_from_public_form_to_agent(page: Page):
    # An older complaint of normal priority is already waiting in the queue.
    normal = crisis_services.complaint_register(
        channel=IntakeChannel.WEB_FORM,
        data=crisis_services.ComplaintInput(
            complainant_type="worker",
            complainant_name="Dewi Lestari",
            worker_name="Dewi Lestari",
            category="wages_unpaid",
            description="Gaji saya belum dibayar selama tiga bulan.",
            complainant_phone="0813-1111-2222",
            country="HK",
        ),
    ).complaint
    assert normal.priority == "normal"

    # 1. A family member files the complaint from a phone.
    page.set_viewport_size(PHONE)
    page.goto(page.base + "/crisis/report/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Laporkan masalah ke Crisis Center")
    expect(page.locator("#field-complainant_type legend")).to_have_text("Siapa yang mengadu?")
    fill_lost_contact_report(page)
    expect(page.locator("#id_category")).to_have_value("lost_contact")
    assert_fits_phone(page)
    shot(page, "complaint-form-id")
    page.click("#complaint-submit")

    expect(page.locator("h1")).to_have_text("Pengaduan Anda sudah diterima")
    reference = page.locator("#complaint-reference").inner_text().strip()
    secret = page.locator("#complaint-secret").inner_text().strip()
    assert REFERENCE_RE.match(reference), reference
    assert reference != normal.reference
    assert len(secret) >= 8, secret
    assert_fits_phone(page)
    shot(page, "complaint-received-id")

    # 2. The complainant follows it on the status page.
    page.click("#status-link")
    expect(page.locator("h1")).to_have_text("Pantau pengaduan Anda")
    page.fill("#id_reference", reference)
    page.fill("#id_secret", secret)
    page.click("#status-submit")
    status = page.locator("#complaint-status")
    expect(status.locator("h2")).to_have_text(reference)
    expect(page.locator("#current-status")).to_have_text("Tercatat")
    expect(status).to_contain_text("Putus hubungan komunikasi")
    expect(page.locator("#status-stages li")).to_have_count(1)
    expect(page.locator("#status-stages li[data-kind=registered]")).to_contain_text("Pengaduan tercatat")
    assert_fits_phone(page)
    shot(page, "complaint-status-id")

    # 3. A crisis agent (complaints & information desk) logs in and opens the queue.
    account_services.user_create(
        username=AGENT,
        password=AGENT_PASSWORD,
        role=Role.DESK_OFFICER,
        office=Office.objects.get(code="LTSA-IDM"),
        agency=Agency.objects.get(code="INFO"),
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + "/crisis/queue/")
    expect(page.locator("#login-form")).to_be_visible()  # not logged in: sent to the login page first
    page.fill("#id_username", AGENT)
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#current-user")).to_contain_text(AGENT)
    expect(page).to_have_url(re.compile(r"/crisis/queue/$"))
    expect(page.locator("h1")).to_have_text("Antrean pengaduan")

    rows = page.locator("#agent-queue tbody tr[data-reference]")
    expect(rows).to_have_count(2)
    # the new urgent complaint comes first although the normal one is older
    expect(rows.nth(0)).to_have_attribute("data-reference", reference)
    expect(rows.nth(1)).to_have_attribute("data-reference", normal.reference)
    urgent_row = rows.nth(0)
    expect(urgent_row.locator("td").nth(1)).to_have_text("Mendesak")
    expect(urgent_row.locator("td").nth(2)).to_have_text("Putus hubungan komunikasi")
    expect(urgent_row.locator("td").nth(3)).to_have_text("Tercatat")
    expect(urgent_row.locator("td").nth(4)).to_have_text("Rina Marlina")
    expect(urgent_row.locator("td").nth(5)).to_have_text("Malaysia")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("Biasa")
    # a fresh complaint is neither overdue nor due within the hour
    expect(page.locator("#queue-breached tbody tr[data-reference]")).to_have_count(0)
    shot(page, "crisis-queue-id")

    # 4. The agent opens the complaint and takes it up (first response) with a note to the complainant.
    urgent_row.get_by_role("link", name=reference).click()
    detail = page.locator("#complaint-detail")
    expect(detail).to_have_attribute("data-reference", reference)
    expect(page.locator("#complaint-priority")).to_have_text("Mendesak")
    expect(page.locator("#complaint-status")).to_have_text("Tercatat")
    expect(page.locator("#first-response")).to_have_text("—")
    expect(page.locator("#complaint-people")).to_contain_text("Sumiati (Anggota keluarga: Orang tua)")
    expect(page.locator("#complaint-people")).to_contain_text("+6281234567890")
    expect(page.locator("#complaint-facts")).to_contain_text(DESCRIPTION)

    note = "Kami sudah menghubungi KBRI Kuala Lumpur untuk mencari Rina."
    respond_form = page.locator("#action-respond")
    expect(respond_form).to_be_hidden()  # folded away until its summary is clicked
    page.locator("#complaint-actions details", has=respond_form).locator("summary").click()
    expect(respond_form).to_be_visible()
    respond_form.locator("textarea[name=reason]").fill(note)
    respond_form.get_by_role("button").click()

    expect(page.locator(".messages")).to_contain_text("Selesai.")
    expect(page.locator("#complaint-status")).to_have_text("Sedang ditangani")
    expect(page.locator("#first-response")).not_to_have_text("—")
    expect(page.locator("#complaint-facts")).to_contain_text(AGENT)  # taken up by the agent: assigned to them
    respond_event = page.locator("#complaint-timeline li[data-kind=respond]")
    expect(respond_event).to_have_count(1)
    expect(respond_event).to_contain_text(note)
    expect(respond_event).to_contain_text(AGENT)
    expect(page.locator("#complaint-timeline li[data-kind=registered]")).to_have_count(1)
    # the complainant was told by SMS when it was registered and when it was taken up, each message sent once
    messages = page.locator("#complaint-messages tbody tr[data-state]")
    expect(messages).to_have_count(2)
    expect(page.locator("#complaint-messages tbody tr[data-state=sent]")).to_have_count(2)
    expect(messages.first).to_contain_text("+6281234567890")
    shot(page, "crisis-complaint-id")

    # 5. The complainant sees the new stage and the agent's note.
    page.goto(page.base + "/crisis/status/")
    page.fill("#id_reference", reference)
    page.fill("#id_secret", secret)
    page.click("#status-submit")
    expect(page.locator("#current-status")).to_have_text("Sedang ditangani")
    expect(page.locator("#status-stages li")).to_have_count(2)
    expect(page.locator("#status-stages li[data-kind=respond]")).to_contain_text("Sedang ditangani")
    expect(page.locator("#status-stages li[data-kind=respond]")).to_contain_text(note)
