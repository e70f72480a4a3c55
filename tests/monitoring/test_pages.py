"""Monitoring pages and API: who sees what, the office dashboard's numbers, statistics with filters, exports
and the yearly PDF report."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Step
from satuatap.monitoring import services
from tests import factories
from tests.monitoring.datagen import write_generated

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
LAG0 = dt.timedelta(0)


@pytest.fixture
def data(db):
    write_generated(cases=250, first_day=dt.date(2026, 1, 2), last_day=dt.date(2026, 11, 20), seed=21, now=NOW)
    services.rollup_run(lag=LAG0)
    services.rubric_load()
    services.offices_classify(month=dt.date(2026, 10, 1), today=dt.date(2026, 11, 25))


def _client(user, *, otp: bool = False) -> Client:
    c = Client()
    if otp:
        factories.otp_login(c, user)
    else:
        c.force_login(user)
    return c


@pytest.mark.django_db
def test_desk_officers_see_nothing_and_anonymous_users_log_in():
    officer = _client(factories.officer("LTSA-IDM", "DISNAKER"))
    for url in ("/monitoring/office/", "/monitoring/classification/", "/monitoring/statistics/",
                "/monitoring/reports/", "/monitoring/reports/2026.pdf",
                "/monitoring/statistics/export/placements-country.csv"):
        assert officer.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url
    assert officer.get("/api/v1/monitoring/statistics/placements?dim=country").status_code == 403
    assert officer.get("/api/v1/monitoring/offices/LTSA-IDM/dashboard").status_code == 403


@pytest.mark.django_db
def test_office_head_needs_the_second_factor_and_sees_only_their_office(data):
    head = factories.head("LTSA-IDM")
    assert _client(head).get("/monitoring/office/").status_code == 302  # to the TOTP step
    c = _client(head, otp=True)
    page = c.get("/monitoring/office/")
    assert page.status_code == 200
    assert b"chart-office-daily" in page.content and b"step-table" in page.content
    assert c.get("/monitoring/office/?office=LTSA-SBY").status_code == 403
    assert c.get("/monitoring/classification/LTSA-SBY/").status_code == 403
    assert c.get("/monitoring/statistics/").status_code == 403
    own = c.get("/monitoring/classification/LTSA-IDM/")
    assert own.status_code == 200 and b"criteria-table" in own.content
    assert c.get("/api/v1/monitoring/offices/LTSA-SBY/dashboard").status_code == 403


@pytest.mark.django_db
def test_office_dashboard_numbers_equal_the_raw_data(data):
    head = factories.head("LTSA-IDM")
    c = _client(head, otp=True)
    # a real case today at the office: registered and one step done today
    officer = factories.officer("LTSA-IDM", "DISNAKER")
    case = factories.open_case(officer, factories.worker())
    journey_services.step_complete(actor=officer, case_number=case.number, step_code="REG",
                                   outcome=factories.outcome("registration"))
    body = c.get("/api/v1/monitoring/offices/LTSA-IDM/dashboard?stuck_days=20").json()
    assert body["today_counts"]["registered"] == 1 and body["today_counts"]["steps_done"] == 1
    open_steps = Step.objects.filter(case__office_id="LTSA-IDM", state__in=("ready", "in_progress"),
                                     case__status__in=("open", "ready_to_depart"))
    assert body["backlog"] == open_steps.count()
    waiting = {s["code"]: s["waiting"] for s in body["steps"] if s["waiting"]}
    expected = {}
    for code in open_steps.values_list("code", flat=True):
        expected[code] = expected.get(code, 0) + 1
    assert waiting == expected
    stuck = Case.objects.filter(office_id="LTSA-IDM", status="open",
                                updated_at__lt=dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).count()
    assert body["stuck_total"] == stuck
    assert body["queue"] is None  # no queue data yet: shown as such, not as zero


@pytest.mark.django_db
def test_monitor_statistics_page_filters_and_exports(data):
    national = _client(factories.monitor())
    page = national.get("/monitoring/statistics/?year=2026")
    assert page.status_code == 200
    for marker in (b"chart-province-map", b"chart-placements-month", b"placements-country-table",
                   b"complaints-category-table"):
        assert marker in page.content
    departed = Case.objects.filter(status="departed", closed_at__year=2026).count()
    assert page.context["totals"][1] == departed
    hk = national.get("/monitoring/statistics/?year=2026&country=HK&sex=P").context["totals"][1]
    assert hk == Case.objects.filter(status="departed", closed_at__year=2026, destination_country="HK",
                                     worker__sex="P").count()
    exported = national.get("/monitoring/statistics/export/placements-country.csv?year=2026")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["country", "label", "registered", "departed", "cancelled"]
    assert sum(int(r[3]) for r in rows[1:]) == departed
    xlsx = national.get("/monitoring/statistics/export/placements-province.xlsx?year=2026&sex=L")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("province", "label", "registered")
    assert sum(v[3] for v in values[1:]) == Case.objects.filter(
        status="departed", closed_at__year=2026, worker__sex="L").count()
    assert national.get("/monitoring/statistics/export/nothing-here.csv").status_code == 404
    api = national.get("/api/v1/monitoring/statistics/placements?dim=sex&year=2026").json()
    assert sum(r[3] for r in api["rows"]) == departed


@pytest.mark.django_db
def test_province_monitor_sees_their_province_only(data):
    east_java = _client(factories.monitor("35"))
    page = east_java.get("/monitoring/statistics/?year=2026&province=33")  # asks for another province
    assert page.context["f"].effective_region() == "35"
    assert page.context["totals"][1] == Case.objects.filter(status="departed", closed_at__year=2026,
                                                            worker__province_id="35").count()
    ranking = east_java.get("/monitoring/classification/?month=2026-10")
    assert [r.office.regency_id[:2] for r in ranking.context["rows"]] == ["35"]
    assert east_java.get("/monitoring/classification/LTSA-IDM/").status_code == 403


@pytest.mark.django_db
def test_ranking_for_national_monitor_is_ordered_by_score(data):
    national = _client(factories.monitor())
    rows = national.get("/monitoring/classification/?month=2026-10").context["rows"]
    scores = [r.score for r in rows if r.score is not None]
    assert scores == sorted(scores, reverse=True) and len(rows) == 6
    api = national.get("/api/v1/monitoring/classifications?month=2026-10").json()
    assert [r["office"] for r in api] == [r.office_id for r in rows]
    assert {c["id"] for c in api[0]["criteria"]} >= {"desks_present", "sla_compliance"}


@pytest.mark.django_db
def test_yearly_report_pdf(data, tmp_path):
    national = _client(factories.monitor())
    assert b"report-2026" in national.get("/monitoring/reports/").content
    response = national.get("/monitoring/reports/2026.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Penempatan menurut negara tujuan" in text and "Pengaduan menurut kategori" in text
    assert "Kepulangan menurut negara" in text
    assert "Hong Kong" in text
    out = tmp_path / "r.pdf"
    call_command("yearly_report", "--year", "2026", "--output", str(out), "--no-rollup")
    assert out.read_bytes().startswith(b"%PDF")
