"""The desk worklist: my agency's ready / in-progress steps at my office, oldest first, overdue marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.journey import services
from satuatap.journey.models import Step
from tests import factories
from tests.web.conftest import as_user, do_step

pytestmark = pytest.mark.django_db


def open_case(desks, **kwargs):
    worker = factories.worker("32.12", **kwargs)
    return services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
    )


def rows(html: str) -> int:
    return html.count("<tr ") - html.count("<tr>")


def test_only_my_agencys_ready_steps_at_my_office(desks, case):
    # REG is ready: the manpower desk sees it, the health desk does not (MED is still locked)
    html = as_user(desks["DISNAKER"]).get("/desk/").content.decode()
    assert f'data-case="{case.number}" data-step="REG"' in html
    html = as_user(desks["DINKES"]).get("/desk/").content.decode()
    assert case.number not in html and 'id="worklist-empty"' in html
    do_step(desks, case, "REG")
    html = as_user(desks["DINKES"]).get("/desk/").content.decode()
    assert f'data-case="{case.number}" data-step="MED"' in html
    assert 'data-step="SKCK"' not in html  # the police desk's step
    # another office's officer sees nothing of Indramayu
    other = factories.officer("LTSA-SBY", "DINKES")
    assert case.number not in as_user(other).get("/desk/").content.decode()


def test_oldest_first_and_overdue_marked(desks):
    first, second = open_case(desks), open_case(desks)
    today = timezone.localdate()
    Step.objects.filter(case=second, code="REG").update(
        ready_at=timezone.now() - dt.timedelta(days=10), due_on=today - dt.timedelta(days=3)
    )
    html = as_user(desks["DISNAKER"]).get("/desk/").content.decode()
    assert html.index(second.number) < html.index(first.number)
    assert f'data-case="{second.number}" data-step="REG" data-state="ready" data-overdue="true"' in html
    assert f'data-case="{first.number}" data-step="REG" data-state="ready">' in html
    assert "Terlambat" in html
    html = as_user(desks["DISNAKER"]).get("/desk/?overdue=on").content.decode()
    assert second.number in html and first.number not in html


def test_in_progress_steps_stay_and_state_filter(desks, case):
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    client = as_user(desks["DISNAKER"])
    assert 'data-state="in_progress"' in client.get("/desk/").content.decode()
    assert case.number not in client.get("/desk/?state=ready").content.decode()
    assert case.number in client.get("/desk/?state=in_progress").content.decode()


def test_search_by_nik_name_and_case_number(desks):
    a = open_case(desks)
    b = open_case(desks)
    client = as_user(desks["DISNAKER"])
    for q in (a.worker.nik, a.worker.name, a.number, a.number[-6:]):
        html = client.get("/desk/", {"q": q}).content.decode()
        assert a.number in html and b.number not in html, q
    assert 'id="worklist-empty"' in client.get("/desk/", {"q": "tidak-ada-nama-ini"}).content.decode()


def test_htmx_gets_only_the_table_fragment(desks, case):
    client = as_user(desks["DISNAKER"])
    r = client.get("/desk/", {"q": case.worker.name}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html and 'id="worklist-table"' in html
    assert "HX-Request" in r["Vary"]
    full = client.get("/desk/").content.decode()
    assert 'hx-trigger="every 30s"' in full and "delay:400ms" in full and 'id="worklist"' in full


def test_nik_masked_for_desks_that_do_not_need_it(desks, case):
    do_step(desks, case, "REG")
    html = as_user(desks["DINKES"]).get("/desk/").content.decode()
    assert case.worker.nik not in html and case.worker.nik[:6] + "********" in html
    html = as_user(desks["DISNAKER"]).get("/desk/").content.decode()
    assert case.worker.nik in html


def test_head_sees_every_desk_and_can_filter(desks, case):
    do_step(desks, case, "REG")
    client = as_user(desks["HEAD"])
    html = client.get("/desk/").content.decode()
    assert 'data-step="MED"' in html and 'data-step="SKCK"' in html
    html = client.get("/desk/?agency=POLRI").content.decode()
    assert 'data-step="SKCK"' in html and 'data-step="MED"' not in html


def test_monitor_goes_to_the_read_only_case_list(desks, case):
    monitor = factories.monitor("32")
    client = as_user(monitor)
    r = client.get("/desk/")
    assert r.status_code == 302 and r["Location"] == "/cases/"
    html = client.get("/cases/").content.decode()
    assert case.number in html and case.worker.nik not in html
    assert "Jawa Barat" in html
    east_java = factories.monitor("35")
    assert case.number not in as_user(east_java).get("/cases/").content.decode()
