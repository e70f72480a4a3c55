"""Legality checks on the officers' pages: the case's placement rule decisions, the office head's override of a
flag (never of a block), the reasons of a refused step, and the flags of a refused case opening in the wizard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.core.errors import Conflict
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Step, StepState
from satuatap.placement import services as placement_services
from satuatap.placement.models import Company, Decision, DecisionOverride, JobOrder, JobOrderLink, ProblemEmployer
from satuatap.reference.models import Region
from satuatap.registry.models import Worker
from tests import factories
from tests.web.conftest import as_user, do_step
from tests.web.test_register import form_data

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1998, 3, 14)


@pytest.fixture
def district():
    return Region.objects.filter(parent_id="32.12").order_by("code").first()


@pytest.fixture
def nik(district):
    return factories.valid_nik(district.code, BIRTH, "P", serial=4321)


PROBLEM_BASIS = "UU 18/2017 ps. 10"  # PROBLEM_EMPLOYER (flag)
LICENCE_BASIS = "UU 18/2017 ps. 51–54"  # COMPANY_LICENCE (block)
ATTESTED_BASIS = "UU 18/2017 ps. 9–10 (verifikasi"  # JOB_ORDER_ATTESTED (block)
ASK_HEAD = "Minta kepala kantor meninjau tanda-tanda ini."
BEFORE_CARD = ("REG", "SEL", "MED", "CERT", "PA", "SKCK", "PASS", "BPJS", "VISA", "PK", "OPP")


def problem_job_order(number: str = "JO-TEST-PROBLEM") -> JobOrder:
    """A legal job order whose employer is on a mission's problem list: the PROBLEM_EMPLOYER flag."""
    jo = factories.job_order(number)
    problem_list(jo)
    return jo


def problem_list(jo: JobOrder) -> None:
    ProblemEmployer.objects.create(employer=jo.employer, listed_on=timezone.localdate() - dt.timedelta(days=10),
                                   reason="Upah tidak dibayar", mission="KJRI Hong Kong")


def unattested_job_order(number: str = "JO-TEST-UNATTESTED") -> JobOrder:
    """A job order the mission has not attested: the JOB_ORDER_ATTESTED block."""
    jo = factories.job_order(number)
    JobOrder.objects.filter(pk=jo.pk).update(attested=False, attested_on=None, attestation_ref="")
    return jo


def page(client, case) -> str:
    r = client.get(f"/cases/{case.number}/")
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start:html.index("</section>", start)]


def complete(client, case, code: str, **outcome):
    step = Step.objects.select_related("definition").get(case=case, code=code)
    data = {"expected_version": step.version}
    values = factories.outcome(step.definition.outcome_type, **outcome)
    for key, value in values.items():
        if value is True:
            data[f"{code.lower()}-complete-{key}"] = "on"
        elif value is not False:
            data[f"{code.lower()}-complete-{key}"] = value
    return client.post(f"/cases/{case.number}/steps/{code}/complete/", data)


def open_with_head_override(desks, worker, jo: JobOrder) -> Case:
    """Open a case on a flagged job order the way the office does: refused, the head overrides, opened."""
    with pytest.raises(Conflict) as exc:
        factories.open_case(desks["DISNAKER"], worker, job_order_number=jo.number)
    assert exc.value.code == "rules_flagged"
    decision = Decision.objects.get(pk=exc.value.details["decision"])
    placement_services.decision_override(actor=desks["HEAD"], decision=decision,
                                         reason="Kasus lama sudah diselesaikan KJRI, majikan membayar upah.")
    return factories.open_case(desks["DISNAKER"], worker, job_order_number=jo.number)


# --- the case page ---------------------------------------------------------------------------------------


def test_legality_section_lists_blocked_and_flagged_decisions_with_legal_basis(desks, worker):
    jo = problem_job_order()
    case = open_with_head_override(desks, worker, jo)
    # The company's licence is suspended after opening: completing any step is now blocked.
    Company.objects.filter(pk=jo.company_id).update(status="suspended", status_date=timezone.localdate(),
                                                    status_reason="Pembekuan oleh Kementerian")
    client = as_user(desks["DISNAKER"])
    journey_services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    r = complete(client, case, "REG")
    assert r.status_code == 409
    html = r.content.decode()
    error = html[html.index('id="step-REG-error"'):]
    error = error[:error.index("</div>")]
    assert "diblokir oleh aturan penempatan" in error
    assert 'id="step-REG-rules"' in error and 'data-rule="COMPANY_LICENCE"' in error and LICENCE_BASIS in error
    assert Step.objects.get(case=case, code="REG").state == StepState.IN_PROGRESS

    legality = section(page(as_user(desks["HEAD"]), case), "legality")
    blocked = Decision.objects.get(case_ref=case.number, verdict="blocked")
    flagged = list(Decision.objects.filter(case_ref=case.number, verdict="flagged").order_by("-evaluated_at", "-pk"))
    assert len(flagged) == 2  # the refused opening and the opening its override allowed
    # newest first: the blocked step completion, then the two case-opening decisions
    positions = [legality.index(f'id="decision-{d.pk}"') for d in (blocked, *flagged)]
    assert positions == sorted(positions)
    assert 'data-verdict="blocked"' in legality and 'data-verdict="flagged"' in legality
    assert "Diblokir" in legality and "Ditandai" in legality  # verdict badges in Indonesian
    assert 'data-rule="COMPANY_LICENCE"' in legality and LICENCE_BASIS in legality
    assert 'data-rule="PROBLEM_EMPLOYER"' in legality and PROBLEM_BASIS in legality
    assert "masuk daftar bermasalah KJRI Hong Kong" in legality  # the reason, in Indonesian
    assert f"versi {blocked.rule_set_version}" in legality
    # the override: who and why, on the decision it was made on and on the one it allowed
    for d in flagged:
        assert f'id="decision-{d.pk}-override"' in legality
    assert "Kasus lama sudah diselesaikan KJRI" in legality and desks["HEAD"].username in legality
    # nothing left to override: a block never, and these flags are overridden already
    assert "decision_override" not in legality and "/override/" not in legality


def test_legality_section_follows_the_language(desks, case):
    jo = JobOrder.objects.get(number=factories.job_order().number)
    problem_list(jo)
    decision = placement_services.case_rules_evaluate(
        stage="card", case_ref=case.number, worker=case.worker, scheme="P2P", destination_country="HK",
        office_regency_code="32.12", job_order=jo, on=timezone.localdate(), has_family_consent=True,
        active_case_elsewhere=False, office_code="LTSA-IDM",
    )
    assert decision.verdict == "flagged"
    client = as_user(desks["HEAD"])
    legality = section(page(client, case), "legality")
    assert "Pemeriksaan legalitas" in legality and "Kartu pekerja" in legality
    assert "masuk daftar bermasalah" in legality and "Dasar hukum:" in legality
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    legality = section(page(client, case), "legality")
    assert "Legality checks" in legality and "Worker card" in legality and "Flagged" in legality
    assert "is on the problem list of KJRI Hong Kong" in legality and "Legal basis:" in legality
    assert PROBLEM_BASIS in legality and f'id="override-{decision.pk}-form"' in legality
    # the case-opening decision that let the case open, with nothing fired
    assert "Case opening" in legality and "No rule fired." in legality


def test_head_overrides_a_flagged_card_decision_and_the_step_completes(desks, case):
    for code in BEFORE_CARD:
        do_step(desks, case, code)
    problem_list(JobOrder.objects.get(number=factories.job_order().number))  # listed after the case opened
    officer = as_user(desks["BP3MI"])
    journey_services.step_start(actor=desks["BP3MI"], case_number=case.number, step_code="CARD")
    r = complete(officer, case, "CARD")
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="step-CARD-rules"' in html and 'data-rule="PROBLEM_EMPLOYER"' in html and PROBLEM_BASIS in html
    assert 'id="step-CARD-rules-next"' in html and ASK_HEAD in html
    decision = Decision.objects.get(case_ref=case.number, stage="card", verdict="flagged")
    assert Step.objects.get(case=case, code="CARD").state == StepState.IN_PROGRESS

    # The desk officer sees the flagged decision but no override form.
    legality = section(page(officer, case), "legality")
    assert f'id="decision-{decision.pk}"' in legality and f'id="override-{decision.pk}-form"' not in legality

    head = as_user(desks["HEAD"])
    legality = section(page(head, case), "legality")
    assert f'id="override-{decision.pk}-form"' in legality
    assert f'action="/cases/{case.number}/decisions/{decision.pk}/override/#decision-{decision.pk}"' in legality
    assert f'name="override-{decision.pk}-reason"' in legality
    url = f"/cases/{case.number}/decisions/{decision.pk}/override/"

    # Errors of the service stay next to the form, in Indonesian.
    r = head.post(url, {f"override-{decision.pk}-reason": "singkat"})
    assert r.status_code == 422
    assert f'id="decision-{decision.pk}-error"' in r.content.decode()
    assert "Alasan tertulis wajib diisi (minimal 10 karakter)." in r.content.decode()
    r = head.post(url, {f"override-{decision.pk}-reason": ""})
    assert r.status_code == 422 and f'id="id_override-{decision.pk}-reason_error"' in r.content.decode()
    # A desk officer who posts anyway is refused by the service.
    r = officer.post(url, {f"override-{decision.pk}-reason": "Saya petugas loket, bukan kepala."})
    html = r.content.decode()
    assert r.status_code == 403 and f'id="decision-{decision.pk}-error"' in html
    assert "Hanya kepala kantor tempat keputusan dibuat yang dapat mengesampingkan tanda." in html
    assert not DecisionOverride.objects.filter(decision=decision).exists()

    r = head.post(url, {f"override-{decision.pk}-reason": "Sudah dicek KJRI: sengketa upah selesai."})
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/#decision-{decision.pk}"
    override = DecisionOverride.objects.get(decision=decision)
    assert override.actor == desks["HEAD"] and override.rule_codes == ["PROBLEM_EMPLOYER"]
    html = page(head, case)
    assert "Tanda dikesampingkan dan alasan Anda dicatat." in html
    legality = section(html, "legality")
    assert f'id="decision-{decision.pk}-override"' in legality and "sengketa upah selesai" in legality
    assert f'id="override-{decision.pk}-form"' not in legality
    # An override is made once.
    r = head.post(url, {f"override-{decision.pk}-reason": "Sekali lagi, alasan yang sama."})
    assert r.status_code == 409 and "sudah dikesampingkan" in r.content.decode()

    r = complete(officer, case, "CARD")
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Step.objects.get(case=case, code="CARD").state == StepState.DONE
    latest = Decision.objects.filter(case_ref=case.number, stage="card").order_by("-evaluated_at", "-pk").first()
    assert latest.proceed and latest.override_id == override.pk


def test_a_head_never_sees_an_override_form_for_a_block(desks, case):
    Company.objects.filter(pk=factories.job_order().company_id).update(status="revoked")
    journey_services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    r = complete(as_user(desks["DISNAKER"]), case, "REG")
    assert r.status_code == 409 and 'id="step-REG-rules-next"' not in r.content.decode()  # nobody to ask
    decision = Decision.objects.get(case_ref=case.number, verdict="blocked")
    head = as_user(desks["HEAD"])
    legality = section(page(head, case), "legality")
    assert f'id="decision-{decision.pk}"' in legality and f'id="override-{decision.pk}-form"' not in legality
    r = head.post(f"/cases/{case.number}/decisions/{decision.pk}/override/",
                  {f"override-{decision.pk}-reason": "Tolong loloskan saja kasus ini."})
    assert r.status_code == 409 and "tidak dapat dikesampingkan" in r.content.decode()


def test_a_decision_of_another_case_is_not_found(desks, case):
    other = factories.open_case(desks["DISNAKER"], factories.worker("32.12", birth_date=dt.date(1992, 8, 9)))
    decision = Decision.objects.filter(case_ref=other.number).first()
    r = as_user(desks["HEAD"]).post(f"/cases/{case.number}/decisions/{decision.pk}/override/",
                                    {f"override-{decision.pk}-reason": "Alasan yang cukup panjang."})
    assert r.status_code == 404


# --- the registration wizard and opening a case for a known worker --------------------------------------


def test_wizard_flagged_the_head_overrides_and_the_case_opens_with_the_typed_data(desks, nik, district):
    jo = problem_job_order()
    data = form_data(nik, district, job_order_number=jo.number, name="Siti Aminah", address="Blok Kliwon RT 03")
    head = as_user(desks["HEAD"])
    r = head.post("/register/", data)
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="rules-result"' in html and 'data-verdict="flagged"' in html
    assert 'data-rule="PROBLEM_EMPLOYER"' in html and PROBLEM_BASIS in html and "Upah tidak dibayar" in html
    assert 'id="override-submit"' in html and 'name="override_reason"' in html
    assert 'name="override_codes" value="PROBLEM_EMPLOYER"' in html
    assert 'name="override_decision"' not in html  # the refused attempt was rolled back with the registration
    assert 'value="Siti Aminah"' in html and 'value="Blok Kliwon RT 03"' in html  # the typed data is kept
    assert ASK_HEAD not in html
    # a refused opening rolls the whole registration back: nothing half-written
    assert not Worker.objects.filter(nik=nik).exists()

    # The reason is required, and checked by the service (at least 10 characters); the flags stay shown.
    r = head.post("/register/", {**data, "action": "override", "override_codes": "PROBLEM_EMPLOYER",
                                 "override_reason": ""})
    html = r.content.decode()
    assert r.status_code == 409 and 'id="id_override_reason_error"' in html and 'id="rules-result"' in html
    r = head.post("/register/", {**data, "action": "override", "override_codes": "PROBLEM_EMPLOYER",
                                 "override_reason": "pendek"})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="override-error"' in html and "minimal 10 karakter" in html
    assert 'data-rule="PROBLEM_EMPLOYER"' in html and 'value="Siti Aminah"' in html
    assert not Worker.objects.filter(nik=nik).exists() and not DecisionOverride.objects.exists()

    r = head.post("/register/", {**data, "action": "override", "override_codes": "PROBLEM_EMPLOYER",
                                 "override_reason": "Majikan sudah melunasi upah, dicek KJRI Hong Kong."})
    assert r.status_code == 302, r.content.decode()[:3000]
    worker = Worker.objects.get(nik=nik)
    assert worker.name == "Siti Aminah" and worker.address == "Blok Kliwon RT 03" and worker.phone == "+6281234567890"
    case = Case.objects.get(worker=worker)
    assert r["Location"] == f"/register/done/{case.number}/"
    assert case.destination_country == "HK" and case.scheme == "P2P"
    assert JobOrderLink.objects.filter(case_ref=case.number, job_order=jo, released_at__isnull=True).exists()
    override = DecisionOverride.objects.get()
    assert override.case_ref == case.number and override.actor == desks["HEAD"]
    assert override.rule_codes == ["PROBLEM_EMPLOYER"] and "KJRI Hong Kong" in override.reason
    assert set(Decision.objects.filter(worker=worker).values_list("case_ref", flat=True)) == {case.number}
    # and the case page shows the override
    legality = section(page(head, case), "legality")
    assert "Majikan sudah melunasi upah" in legality and 'data-verdict="flagged"' in legality


def test_wizard_override_covers_only_the_flags_the_head_was_shown(desks, nik, district):
    jo = problem_job_order()
    data = form_data(nik, district, job_order_number=jo.number)
    r = as_user(desks["HEAD"]).post("/register/", {**data, "action": "override", "override_codes": "SOMETHING_ELSE",
                                                   "override_reason": "Alasan tertulis yang panjang."})
    html = r.content.decode()
    assert r.status_code == 409 and 'name="override_codes" value="PROBLEM_EMPLOYER"' in html
    assert not Worker.objects.filter(nik=nik).exists() and not DecisionOverride.objects.exists()


def test_wizard_flagged_for_a_desk_officer_says_ask_the_head(desks, nik, district):
    jo = problem_job_order()
    client = as_user(desks["DISNAKER"])
    r = client.post("/register/", form_data(nik, district, job_order_number=jo.number))
    html = r.content.decode()
    assert r.status_code == 409 and 'id="rules-result"' in html and 'data-rule="PROBLEM_EMPLOYER"' in html
    assert 'id="ask-head"' in html and ASK_HEAD in html
    assert 'id="override-submit"' not in html and 'name="override_reason"' not in html
    # posting an override anyway is refused by the service; nothing is written
    r = client.post("/register/", {**form_data(nik, district, job_order_number=jo.number), "action": "override",
                                   "override_codes": "PROBLEM_EMPLOYER", "override_reason": "Saya yang memutuskan."})
    html = r.content.decode()
    assert r.status_code == 403 and 'id="override-error"' in html
    assert "Hanya kepala kantor tempat keputusan dibuat yang dapat mengesampingkan tanda." in html
    assert 'id="override-submit"' not in html and 'value="Siti Rahayu"' in html
    assert not Worker.objects.filter(nik=nik).exists() and not DecisionOverride.objects.exists()


def test_wizard_blocked_shows_reasons_with_legal_basis_and_no_override(desks, nik, district):
    jo = unattested_job_order()
    r = as_user(desks["HEAD"]).post("/register/", form_data(nik, district, job_order_number=jo.number))
    html = r.content.decode()
    assert r.status_code == 409 and 'data-verdict="blocked"' in html
    assert 'data-rule="JOB_ORDER_ATTESTED"' in html and ATTESTED_BASIS in html
    assert 'id="rules-blocked-note"' in html and 'id="override-submit"' not in html and ASK_HEAD not in html
    assert 'id="id_job_order_number_error"' in html


def test_open_for_a_known_worker_flagged_then_overridden_by_the_head(desks):
    worker = factories.worker("32.12", birth_date=dt.date(1994, 1, 20))
    jo = problem_job_order()
    url = f"/register/workers/{worker.pk}/open/"
    data = {"scheme": "P2P", "destination_country": "HK", "job_order_number": jo.number}

    r = as_user(desks["DISNAKER"]).post(url, data)
    html = r.content.decode()
    assert r.status_code == 409 and 'data-rule="PROBLEM_EMPLOYER"' in html and ASK_HEAD in html
    assert 'id="override-submit"' not in html

    head = as_user(desks["HEAD"])
    r = head.post(url, data)
    html = r.content.decode()
    refused = Decision.objects.filter(worker=worker, verdict="flagged").order_by("-pk").first()
    assert r.status_code == 409 and f'name="override_decision" value="{refused.pk}"' in html
    assert 'id="override-submit"' in html and PROBLEM_BASIS in html

    r = head.post(url, {**data, "action": "override", "override_decision": refused.pk,
                        "override_codes": "PROBLEM_EMPLOYER", "override_reason": "x"})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="override-error"' in html and 'data-rule="PROBLEM_EMPLOYER"' in html

    r = head.post(url, {**data, "action": "override", "override_decision": refused.pk,
                        "override_codes": "PROBLEM_EMPLOYER", "override_reason": "Sudah diverifikasi KJRI Hong Kong."})
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get(worker=worker, status="open")
    assert r["Location"] == f"/register/done/{case.number}/"
    refused.refresh_from_db()
    assert refused.override is not None and refused.override.case_ref == case.number
    assert refused.case_ref == case.number
