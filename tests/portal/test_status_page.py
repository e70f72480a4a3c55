"""The public status page: lookup, signed links, checklist, fees, privacy, rate limit, language."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from satuatap.journey import services as journey_services
from satuatap.portal import tokens
from satuatap.web.demo import JOURNEY_ORDER
from tests import factories
from tests.portal.conftest import BIRTH_DATE, do

pytestmark = pytest.mark.django_db

LOOKUP = "/status/"
NOT_FOUND_ID = "Kami tidak menemukan kasus dengan nomor kasus dan tanggal lahir ini"


def lookup(client, number: str, birth: str, **extra):
    return client.post(LOOKUP, {"case_number": number, "birth_date": birth}, **extra)


def status_url(case) -> str:
    return tokens.status_path(case_number=case.number, case_id=case.pk)


def checklist(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="step-([A-Z]+)" class="[^"]*" data-status="([a-z]+)"', html))


def test_lookup_form_is_public_labelled_and_indonesian(client):
    resp = client.get(LOOKUP)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="status-lookup-form"' in html
    assert '<label for="id_case_number">Nomor kasus</label>' in html
    assert '<label for="id_birth_date">Tanggal lahir</label>' in html
    assert 'lang="id"' in html
    assert 'id="red-flags"' in html and "0800-1000" in html
    assert "no-store" in resp["Cache-Control"]


def test_right_birth_date_redirects_to_a_signed_link(client, case):
    resp = lookup(client, case.number.lower(), BIRTH_DATE.isoformat())
    assert resp.status_code == 302
    assert resp["Location"].startswith(f"/status/{case.number}/?t=")
    page = client.get(resp["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html
    assert "Halo, " + case.worker.name.split()[0] in html
    assert page["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("birth", ["17/05/1996", "17-05-1996"])
def test_day_month_year_typed_by_hand_is_accepted(client, case, birth):
    assert lookup(client, case.number, birth).status_code == 302


def test_wrong_birth_date_and_unknown_case_get_the_same_answer(client, case):
    wrong_date = lookup(client, case.number, "1996-05-18")
    no_case = lookup(client, "LTSA-IDM-2099-999999", BIRTH_DATE.isoformat())
    assert wrong_date.status_code == no_case.status_code == 200
    assert NOT_FOUND_ID in wrong_date.content.decode()

    def error_box(resp):
        return re.search(r'<div id="lookup-error".*?</div>', resp.content.decode(), re.S).group(0)

    assert error_box(wrong_date) == error_box(no_case)
    assert case.worker.name not in wrong_date.content.decode()


def test_case_number_alone_shows_nothing(client, case):
    resp = client.get(reverse("portal:status", kwargs={"case_number": case.number}))
    assert resp.status_code == 302
    assert resp["Location"] == f"/status/?case={case.number}"
    form = client.get(resp["Location"]).content.decode()
    assert f'value="{case.number}"' in form
    assert case.worker.name not in form


def test_forged_or_altered_token_refused(client, case, desks):
    url = status_url(case)
    altered = url[:-2] + ("xx" if not url.endswith("xx") else "yy")
    for bad in (altered, f"/status/{case.number}/?t=1abcde:forgedsignature", f"/status/{case.number}/?t=x"):
        resp = client.get(bad)
        assert resp.status_code == 403
        html = resp.content.decode()
        assert case.worker.name.split()[0] not in html and 'id="checklist"' not in html
        assert "Tautan ini tidak berlaku" in html
    # a token of another case does not open this one
    other_case = journey_services.case_open(
        job_order_number=factories.job_order().number, actor=desks["DISNAKER"], worker=factories.worker("32.12"),
                                            office_code="LTSA-IDM", scheme="P2P")
    token = status_url(other_case).split("?t=")[1]
    assert client.get(f"/status/{case.number}/?t={token}").status_code == 403


def test_checklist_states_after_some_steps(client, desks, case):
    do(desks, case, "REG")
    do(desks, case, "SEL")
    journey_services.step_start(actor=desks["POLRI"], case_number=case.number, step_code="SKCK")
    journey_services.step_reject(actor=desks["POLRI"], case_number=case.number, step_code="SKCK",
                                 reason="Pas foto latar merah belum ada")
    journey_services.step_start(actor=desks["BPJSTK"], case_number=case.number, step_code="BPJS")
    journey_services.step_waive(actor=desks["HEAD"], case_number=case.number, step_code="CERT",
                                reason="Sertifikat sudah ada dari penempatan sebelumnya")
    html = client.get(status_url(case)).content.decode()
    states = checklist(html)
    assert states["REG"] == "done" and states["SEL"] == "done"
    assert states["CERT"] == "waived"
    assert states["SKCK"] == "attention"
    assert states["BPJS"] == "next" and states["MED"] == "next" and states["BANK"] == "next"
    assert states["PA"] == "waiting" and states["DEP"] == "waiting"
    assert "Pas foto latar merah belum ada" in html  # the rejection reason is shown
    assert 'id="progress">3 dari 13 tahap selesai' in html
    # a waiting step says what it waits for
    pa = re.search(r'<li id="step-PA".*?</li>', html, re.S).group(0)
    assert "Pemeriksaan kesehatan dan psikologi" in pa


def test_next_step_shows_desk_what_to_bring_and_fee(client, desks, case):
    do(desks, case, "REG")
    html = client.get(status_url(case)).content.decode()
    skck = re.search(r'<article class="card st-next" id="next-SKCK">.*?</article>', html, re.S).group(0)
    assert "Loket Kepolisian (SKCK)" in skck
    assert "pas foto 4x6 latar merah" in skck
    assert "Rp30.000" in skck and "PP 76/2020" in skck
    bpjs = re.search(r'id="next-BPJS">.*?</article>', html, re.S).group(0)
    assert "Rp37.500" in bpjs and "Loket Jaminan Sosial Ketenagakerjaan" in bpjs
    assert "sekitar 1 hari kerja" in skck
    # a step still waiting is not among the next steps
    assert 'id="next-PASS"' not in html


def test_zero_cost_job_shows_free_with_the_legal_basis(client, desks, case):
    do(desks, case, "REG")
    with mock.patch("satuatap.portal.selectors.zero_cost_job_for_case", return_value=True):
        html = client.get(status_url(case)).content.decode()
    skck = re.search(r'id="next-SKCK">.*?</article>', html, re.S).group(0)
    assert "Gratis" in skck and "Rp30.000" in skck  # the official fee, said not to be charged
    assert "tidak dibebankan kepada Anda" in skck
    assert "Perban BP2MI 9/2020" in skck and "Permen P2MI 17/2025" in skck
    assert 'id="zero-cost-note"' in html


def test_no_nik_no_birth_date_no_health_details(client, desks, case):
    do(desks, case, "REG")
    journey_services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="MED")
    journey_services.step_reject(actor=desks["DINKES"], case_number=case.number, step_code="MED",
                                 reason="Tekanan darah tinggi, periksa ulang")
    html = client.get(status_url(case)).content.decode()
    worker = case.worker
    assert worker.nik not in html and worker.nik[6:12] not in html
    assert worker.name not in html  # only the first name
    assert "1996" not in html and "17 Mei" not in html
    assert "Tekanan darah" not in html
    assert checklist(html)["MED"] == "next"  # not "needs attention": only done / not done
    med = re.search(r'<li id="step-MED".*?</li>', html, re.S).group(0)
    assert "Belum selesai" in med


def test_expired_step_needs_attention(client, desks, case):
    do(desks, case, "REG")
    do(desks, case, "SKCK")
    skck = case.steps.get(code="SKCK")
    journey_services.steps_expire_due(today=skck.valid_until + dt.timedelta(days=1), case_numbers=[case.number])
    html = client.get(status_url(case)).content.decode()
    assert checklist(html)["SKCK"] == "attention"
    assert "tidak berlaku lagi" in html


def test_rate_limit_after_n_failures(client, case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 3
    for _ in range(3):
        assert lookup(client, case.number, "2000-01-01").status_code == 200
    blocked = lookup(client, case.number, BIRTH_DATE.isoformat())  # even the right answer
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.content.decode()
    assert int(blocked["Retry-After"]) == 600
    # another address is not affected
    assert lookup(client, case.number, BIRTH_DATE.isoformat(), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_forged_links_count_as_failures(client, case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 2
    for _ in range(2):
        assert client.get(f"/status/{case.number}/?t=forged").status_code == 403
    assert client.get(f"/status/{case.number}/?t=forged").status_code == 429
    # a real signed link still works: it cannot be guessed, so it is not throttled
    assert client.get(status_url(case)).status_code == 200


def test_malformed_date_is_a_field_error_not_a_failure(client, case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 1
    resp = lookup(client, case.number, "kemarin")
    assert resp.status_code == 200 and "17/05/1996" in resp.content.decode()
    assert lookup(client, case.number, BIRTH_DATE.isoformat()).status_code == 302


def test_english_by_the_language_switch(client, desks, case):
    do(desks, case, "REG")
    client.cookies["django_language"] = "en"
    html = client.get(status_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    assert "What to do next" in html
    assert "Police desk (police clearance)" in html
    assert "Police clearance (SKCK)" in html
    assert "Beware of illegal recruitment" in html
    assert "Rp30.000" in html  # Rupiah keeps the Indonesian format


def test_english_switch_with_set_language(client, case):
    url = status_url(case)
    assert "Yang perlu dilakukan" in client.get(url).content.decode()
    resp = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert resp.status_code == 302 and resp["Location"] == url
    html = client.get(url).content.decode()
    assert "What to do next" in html
    assert 'name="language" value="id"' in html  # and back again


def test_departed_case(client, desks, case):
    for code in JOURNEY_ORDER:
        do(desks, case, code)
    html = client.get(status_url(case)).content.decode()
    assert 'id="case-state"' in html
    assert "next-steps" not in html
    assert set(checklist(html).values()) <= {"done", "next"}  # BANK is optional and may still be open


def test_page_is_small(client, desks, case):
    do(desks, case, "REG")
    html = client.get(status_url(case)).content
    css = Path(finders.find("portal/portal.css")).read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 100_000


def test_cancelled_case_says_so_and_lists_no_next_step(client, desks, case):
    journey_services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="Calon mengundurkan diri")
    html = client.get(status_url(case)).content.decode()
    assert 'id="case-state"' in html and "dibatalkan" in html
    assert 'id="next-steps"' not in html
    assert "mengundurkan diri" not in html  # the office's reason stays internal


def test_unfit_medical_result_shows_only_done(client, desks, case):
    do(desks, case, "REG")
    journey_services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="MED")
    journey_services.step_complete(actor=desks["DINKES"], case_number=case.number, step_code="MED",
                                   outcome=factories.outcome("medical", result="unfit", valid_until=None,
                                                             note="hasil tidak layak"))
    html = client.get(status_url(case)).content.decode()
    assert checklist(html)["MED"] == "done"
    assert "unfit" not in html and "tidak layak" not in html and "MED-" not in html


def test_a_case_without_job_order_is_not_zero_cost(client, desks, case):
    from satuatap.portal import fees

    assert fees.zero_cost_job_for_case(case) is False
    do(desks, case, "REG")
    html = client.get(status_url(case)).content.decode()
    assert 'id="zero-cost-note"' not in html and "Rp30.000" in html


def test_status_page_query_count(client, desks, case, django_assert_max_num_queries):
    do(desks, case, "REG")
    url = status_url(case)
    # 4 for the case, its steps and its job order; +1 for the costs recorded in the fee ledger (one query)
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
