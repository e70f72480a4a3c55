"""What the browser tests do again and again: log in and out, switch the language, fill a step's outcome form."""

from __future__ import annotations

import inspect

from playwright.sync_api import Page, expect

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role, User
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case
from satuatap.reference.models import Office
from satuatap.registry.models import Worker
from tests import factories

PASSWORD = "uji-peramban-2026"
OFFICE = "LTSA-IDM"


def desk_officers(office_code: str = OFFICE, password: str = PASSWORD) -> dict[str, User]:
    """One desk officer per agency that has a desk at the office, with a known password (no TOTP enrolled)."""
    office = Office.objects.get(code=office_code)
    return {
        agency.code: account_services.user_create(
            username=f"b.{office_code.split('-')[1].lower()}.{agency.code.lower()}", password=password,
            role=Role.DESK_OFFICER, office=office, agency=agency,
        )
        for agency in office.desks.all().order_by("sort_order")
    }


def job_order_number() -> str:
    """A legal job order for Hong Kong when case opening is checked against job orders (the placement rules)."""
    if "job_order_number" in inspect.signature(journey_services.case_open).parameters and hasattr(
            factories, "job_order"):
        return factories.job_order().number
    return ""


def open_case(actor: User, worker: Worker) -> Case:
    """A P2P case for Hong Kong opened at LTSA-IDM through the journey service, on a legal job order if needed."""
    extra = {"job_order_number": number} if (number := job_order_number()) else {}
    return journey_services.case_open(actor=actor, worker=worker, office_code=OFFICE, scheme="P2P",
                                      destination_country="HK", **extra)


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form; a desk officer lands on the worklist."""
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    expect(page.locator("#current-user")).to_contain_text(username)


def logout(page: Page) -> None:
    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#current-user")).to_have_count(0)


def set_language(page: Page, code: str) -> None:
    """Switch the language with the page's own control and wait for the page to come back in it."""
    if page.locator("#lang-switch").count():  # the candidates' portal: one button naming the other language
        page.click(f"#lang-switch button[value='{code}']")
    else:  # the officers' pages: a select and a button
        page.select_option("#lang-select", code)
        page.click("#lang-submit")
    expect(page.locator("html")).to_have_attribute("lang", code)


def fill_outcome(page: Page, code: str, outcome: dict) -> None:
    """Fill the Complete form of step `code` (fields `<code>-complete-<name>`) with the outcome values."""
    form = page.locator(f"#complete-{code}-form")
    expect(form).to_be_visible()
    for name, value in outcome.items():
        field = f"{code.lower()}-complete-{name}"
        if isinstance(value, bool):
            form.locator(f"#id_{field}").set_checked(value)
        elif isinstance(value, list):  # check boxes, one per allowed value
            boxes = form.locator(f"input[type=checkbox][name='{field}']")
            expect(boxes.first).to_be_visible()
            for i in range(boxes.count()):
                box = boxes.nth(i)
                box.set_checked(box.get_attribute("value") in value)
        elif form.locator(f"input[type=radio][name='{field}']").count():
            form.locator(f"input[type=radio][name='{field}'][value='{value}']").check()
        elif form.locator(f"select#id_{field}").count():
            form.locator(f"#id_{field}").select_option(str(value))
        else:
            form.locator(f"#id_{field}").fill(str(value))
