"""One candidate registered at the manpower desk and taken through the whole journey in a real browser.

Each step is started and completed by the officer of its own desk, logged in through the login form; the
candidate's public status page is checked at the end. Screenshots of each main page, in Indonesian (the
default) and English, go to tests/artifacts/.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from satuatap.journey.models import Case
from satuatap.web.demo import JOURNEY_ORDER, sample_outcome
from tests import factories
from tests.browser.conftest import shot
from tests.browser.helpers import (
    desk_officers,
    fill_outcome,
    job_order_number,
    login,
    logout,
    open_case,
    set_language,
)

pytestmark = pytest.mark.django_db(transaction=True)

BIRTH = dt.date(1998, 3, 14)
DISTRICT = "32.12.01"  # a district of Kabupaten Indramayu
MID_JOURNEY = "PA"  # the step at which the case page is photographed (in progress, its form open)


def test_login_page_in_both_languages(page: Page):
    page.goto(page.base + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Masuk petugas")
    expect(page.locator("label[for=id_username]")).to_be_visible()
    expect(page.locator("#login-submit")).to_have_text("Masuk")
    shot(page, "login-id")
    set_language(page, "en")
    expect(page.locator("h1")).to_have_text("Officer login")
    expect(page.locator("#login-submit")).to_have_text("Log in")
    shot(page, "login-en")
    set_language(page, "id")
    expect(page.locator("h1")).to_have_text("Masuk petugas")


def register_candidate(page: Page, nik: str) -> str:
    """Fill the registration wizard as the manpower desk; returns the number of the case it opens."""
    page.goto(page.base + "/register/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Daftarkan calon PMI")

    # English first (the switch reloads the page), with a NIK typed so the live check shows.
    set_language(page, "en")
    expect(page.locator("h1")).to_have_text("Register a candidate")
    page.fill("#id_nik", nik)
    expect(page.locator("#nik-status")).to_have_attribute("data-state", "valid")
    expect(page.locator("#nik-status")).to_contain_text("Valid NIK.")
    shot(page, "wizard-en")
    set_language(page, "id")
    expect(page.locator("h1")).to_have_text("Daftarkan calon PMI")

    # Typing the NIK checks it live and fills birth date, sex and region.
    page.fill("#id_nik", "3212")
    expect(page.locator("#nik-status")).to_have_attribute("data-state", "incomplete")
    page.fill("#id_nik", nik)
    expect(page.locator("#nik-status")).to_have_attribute("data-state", "valid")
    expect(page.locator("#id_birth_date")).to_have_value(BIRTH.isoformat())
    expect(page.locator("input[name=sex][value=P]")).to_be_checked()
    expect(page.locator("#id_province")).to_have_value("32")
    expect(page.locator("#id_regency")).to_have_value("32.12")
    expect(page.locator("#id_district")).to_have_value(DISTRICT)

    page.fill("#id_name", "Siti Rahayu")
    page.fill("#id_birth_place", "Indramayu")
    page.fill("#id_phone", "0812-3456-7890")
    page.select_option("#id_education", "sma")
    page.select_option("#id_marital_status", "single")
    page.fill("#id_address", "Dusun 3 RT 01/RW 02")
    page.fill("#id_consenter_name", "Sarinah")
    page.select_option("#id_relation", "mother")
    page.fill("#id_consent_date", timezone.localdate().isoformat())
    page.check("#id_village_head_acknowledged")
    page.fill("#id_village_head_name", "Kuwu Darma")
    page.select_option("#id_scheme", "P2P")
    page.select_option("#id_destination_country", "HK")
    if number := job_order_number():  # P to P needs a legal job order (the placement rules)
        page.fill("#id_job_order_number", number)
    shot(page, "wizard-id")

    page.click("#register-submit")
    opened = page.locator("#case-opened")
    expect(opened.or_(page.locator("#register-form [role=alert]").first)).to_be_visible()
    if not opened.count():
        errors = page.locator("#register-form [role=alert]").all_inner_texts()
        pytest.fail(f"registration refused: {errors}")
    expect(opened).to_contain_text("Siti Rahayu")
    number = page.locator("#opened-case-number").inner_text().strip()
    assert number.startswith("LTSA-IDM-"), number
    return number


def open_from_worklist(page: Page, number: str, code: str) -> None:
    """The officer's worklist lists the step waiting at their desk; its link leads to the step on the case page."""
    page.goto(page.base + "/desk/")
    row = page.locator(f"#worklist-table tr[data-case='{number}'][data-step='{code}']")
    expect(row).to_have_attribute("data-state", "ready")
    row.get_by_role("link", name=number).click()
    expect(page.locator("#case-number")).to_have_text(number)
    expect(page.locator(f"article#step-{code}")).to_have_attribute("data-state", "ready")


def test_candidate_registered_and_taken_through_the_journey(page: Page, browser):
    officers = desk_officers()
    nik = factories.valid_nik(DISTRICT, BIRTH, "P", serial=4321)
    rng = random.Random(2026)
    today = timezone.localdate()

    login(page, officers["DISNAKER"].username)
    expect(page).to_have_url(page.base + "/desk/")
    number = register_candidate(page, nik)
    case = Case.objects.get(number=number)
    assert case.worker.nik == nik and case.worker.birth_date == BIRTH and case.worker.sex == "P"
    assert case.worker.district_id == DISTRICT

    # The new case waits at the manpower desk.
    page.goto(page.base + "/desk/")
    expect(page.locator("h1")).to_contain_text("Daftar kerja")
    expect(page.locator(f"#worklist-table tr[data-case='{number}'][data-step='REG']")).to_be_visible()
    shot(page, "worklist-id")
    set_language(page, "en")
    expect(page.locator("h1")).to_contain_text("Worklist")
    expect(page.locator(f"#worklist-table tr[data-case='{number}'][data-step='REG']")).to_be_visible()
    shot(page, "worklist-en")
    set_language(page, "id")

    steps = {s.code: s for s in case.steps.select_related("definition")}
    assert set(JOURNEY_ORDER) == set(steps)
    current = "DISNAKER"
    for code in JOURNEY_ORDER:
        step = steps[code]
        if step.agency_id != current:
            logout(page)
            login(page, officers[step.agency_id].username)
            current = step.agency_id
        open_from_worklist(page, number, code)
        page.click(f"#start-{code}")
        card = page.locator(f"article#step-{code}")
        expect(card).to_have_attribute("data-state", "in_progress")
        expect(page.locator(".messages")).to_contain_text(f"Langkah {code} dimulai")

        if code == MID_JOURNEY:
            expect(page.locator("#journey-h")).to_have_text("Alur layanan")
            expect(card.locator(".badge").first).to_have_text("Sedang diproses")
            shot(page, "case-id")
            set_language(page, "en")
            expect(page.locator("#journey-h")).to_have_text("Journey")
            expect(card.locator(".badge").first).to_have_text("In progress")
            expect(page.locator(f"#complete-{code}")).to_have_text("Complete step")
            shot(page, "case-en")
            set_language(page, "id")

        fill_outcome(page, code, sample_outcome(step.definition.outcome_type, rng, today))
        page.click(f"#complete-{code}")
        expect(card).to_have_attribute("data-state", "done")
        expect(card.locator(".badge").first).to_have_text("Selesai")
        expect(card.locator("dl.meta")).to_contain_text(officers[step.agency_id].username)
        expect(page.locator(f"svg#journey-dag a[data-node='{code}']")).to_have_class("node state-done")

    expect(page.locator("#case-status")).to_have_text("Sudah berangkat")
    case.refresh_from_db()
    assert case.status == "departed"
    assert set(case.steps.values_list("state", flat=True)) == {"done"}
    logout(page)

    # The candidate's status page, found by case number and date of birth.
    page.goto(page.base + "/status/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Cek status penempatan Anda")
    expect(page.locator("label[for=id_birth_date]")).to_have_text("Tanggal lahir")
    page.fill("#id_case_number", number)
    page.fill("#id_birth_date", BIRTH.isoformat())
    shot(page, "lookup-id")
    with page.expect_navigation() as navigation:
        page.click("#lookup-submit")
    assert navigation.value.status == 200, f"POST /status/ answered {navigation.value.status}"
    status_url = page.url
    expect(page.locator("#case-number")).to_have_text(number)
    expect(page.locator("h1")).to_have_text("Halo, Siti")
    expect(page.locator("#checklist > li")).to_have_count(len(JOURNEY_ORDER))
    for code in JOURNEY_ORDER:
        expect(page.locator(f"li#step-{code}")).to_have_attribute("data-status", "done")
        expect(page.locator(f"li#step-{code} .label")).to_have_text("Selesai")
    expect(page.locator("li[data-status]:not([data-status=done])")).to_have_count(0)
    required = sum(not st.definition.optional for st in steps.values())  # BANK is optional: not counted
    expect(page.locator("#progress")).to_have_text(f"{required} dari {required} tahap selesai")
    expect(page.locator("#case-state")).to_contain_text("Keberangkatan Anda telah dicatat")
    shot(page, "status-id")

    # In English, chosen with the portal's own language switch (an English browser alone still gets Indonesian).
    english = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        en = english.new_page()
        en.goto(status_url)
        expect(en.locator("html")).to_have_attribute("lang", "id")
        with en.expect_navigation():
            en.click("#lang-switch button[value=en]")
        expect(en.locator("html")).to_have_attribute("lang", "en")
        expect(en.locator("#checklist-title")).to_have_text("All steps")
        for code in JOURNEY_ORDER:
            expect(en.locator(f"li#step-{code} .label")).to_have_text("Done")
        shot(en, "status-en")
        en.goto(page.base + "/status/")
        expect(en.locator("h1")).to_have_text("Check your placement status")
        shot(en, "lookup-en")
    finally:
        english.close()

    # The same page on a phone: one column, nothing wider than the screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                                has_touch=True, device_scale_factor=1)
    try:
        mobile = phone.new_page()
        mobile.goto(status_url)
        expect(mobile.locator("html")).to_have_attribute("lang", "id")
        expect(mobile.locator("li#step-DEP")).to_have_attribute("data-status", "done")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        shot(mobile, "status-phone-id")
    finally:
        phone.close()


def portal_case() -> Case:
    """A freshly opened case at LTSA-IDM (made directly through the services)."""
    return open_case(factories.officer("LTSA-IDM", "DISNAKER"), factories.worker("32.12", birth_date=BIRTH))




def test_status_lookup_form_in_a_browser(page: Page):
    case = portal_case()
    page.goto(page.base + "/status/")
    page.fill("#id_case_number", case.number)
    page.fill("#id_birth_date", BIRTH.isoformat())
    with page.expect_navigation() as navigation:
        page.click("#lookup-submit")
    assert navigation.value.status == 200, f"POST /status/ answered {navigation.value.status}"
    expect(page.locator("#case-number")).to_have_text(case.number)
    expect(page.locator("li#step-REG")).to_have_attribute("data-status", "next")


def test_portal_language_switch(page: Page):
    page.goto(page.base + "/status/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    with page.expect_navigation() as navigation:
        page.click("#lang-switch button[value=en]")
    assert navigation.value.status == 200, f"POST /i18n/setlang/ answered {navigation.value.status}"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Check your placement status")
