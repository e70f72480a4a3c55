"""The office head's page, and the language of the pages (Indonesian by default, English on request)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import timezone

from satuatap.journey.models import Step
from tests import factories
from tests.web.conftest import as_user, do_step

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "src" / "satuatap" / "web" / "locale"


def test_office_page_counts_backlog_and_overdue_per_desk(desks, case):
    do_step(desks, case, "REG")
    Step.objects.filter(case=case, code="MED").update(due_on=timezone.localdate() - dt.timedelta(days=2))
    r = as_user(desks["HEAD"]).get("/office/")
    html = r.content.decode()
    assert r.status_code == 200
    row = html[html.index('data-agency="DINKES"'):]
    row = row[: row.index("</tr>")]
    assert '<td class="num" data-col="backlog">1</td>' in row and '<strong class="overdue">1</strong>' in row
    assert 'data-agency="DISNAKER"' in html  # SEL and CERT waiting
    assert desks["DINKES"].username in html and 'id="staff-table"' in html
    assert "P2P" in html and 'id="process-table"' in html


def test_office_page_is_for_heads(desks):
    assert as_user(desks["DISNAKER"]).get("/office/").status_code == 403
    assert as_user(factories.monitor()).get("/office/").status_code == 403


def test_navigation_by_role(desks):
    html = as_user(desks["HEAD"]).get("/office/").content.decode()
    for nav in ("nav-desk", "nav-office", "nav-register", "nav-cases"):
        assert f'id="{nav}"' in html
    html = as_user(factories.monitor("32")).get("/cases/").content.decode()
    assert 'id="nav-cases"' in html and 'id="nav-desk"' not in html and 'id="nav-register"' not in html


def test_indonesian_by_default_and_english_by_the_switch(desks, case):
    client = as_user(desks["DISNAKER"])
    html = client.get("/desk/").content.decode()
    assert 'lang="id"' in html and "Daftar kerja" in html
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    assert r.status_code == 302 and r["Location"] == "/desk/"
    html = client.get("/desk/").content.decode()
    assert 'lang="en"' in html and "Worklist" in html and "Daftar kerja" not in html
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "Journey" in html and "Registration, ID, identity check" in html


def test_application_errors_follow_the_language(desks, case):
    client = as_user(desks["DISNAKER"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.post(f"/cases/{case.number}/steps/REG/reject/", {"expected_version": 99, "reg-reject-reason": "abc"})
    assert r.status_code == 409 and "was changed by someone else" in r.content.decode()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_catalogues_are_complete(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    ids = [m for m in catalog if m.id]
    assert ids
    assert not [m.id for m in ids if m.fuzzy]
    if lang == "id":
        missing = [m.id for m in ids if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
        assert not missing, missing[:10]
