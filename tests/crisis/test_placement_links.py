"""Complaints linked to placement's companies and job orders: resolved at registration from what was typed,
set or confirmed by an agent, and shown on the complaint page with the licence status and job order legality."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from satuatap.core.errors import ValidationFailed
from satuatap.crisis import services
from satuatap.crisis.models import Complaint, ComplaintEvent
from tests.crisis.conftest import register
from tests.placement.builders import make_company, make_job_order

pytestmark = pytest.mark.django_db


def _legal_job_order(**kwargs):
    today = timezone.localdate()
    kwargs.setdefault("valid_from", today - dt.timedelta(days=30))
    kwargs.setdefault("valid_to", today + dt.timedelta(days=300))
    return make_job_order(**kwargs)


def test_registration_links_the_company_by_licence_number():
    company = make_company()
    complaint = register(company=f"  {company.licence_number} ").complaint
    assert complaint.company == company and complaint.job_order is None
    assert complaint.company_name == company.licence_number  # what was typed is kept
    event = ComplaintEvent.objects.get(complaint=complaint, kind="placement_resolved")
    assert event.payload["method"] == "licence_number" and event.payload["company_id"] == company.pk
    assert not event.public


def test_registration_links_the_job_order_and_its_company_by_number():
    jo = _legal_job_order()
    complaint = register(company="PT Salah Ingat", job_order_number=jo.number).complaint
    assert complaint.job_order == jo and complaint.company == jo.company
    assert complaint.company_name == "PT Salah Ingat" and complaint.job_order_number == jo.number


def test_registration_links_by_exact_company_name_ignoring_case_only():
    company = make_company(name="PT Cahaya Abadi Sentosa")
    assert register(company="pt cahaya abadi  SENTOSA").complaint.company == company
    assert register(company="Cahaya Abadi").complaint.company is None  # part of a name is not enough
    make_company(name="PT Kembar Jaya")
    make_company(name="PT KEMBAR JAYA")
    ambiguous = register(company="PT Kembar Jaya").complaint
    assert ambiguous.company is None  # two companies answer to the name: the agent decides
    assert not ComplaintEvent.objects.filter(complaint=ambiguous, kind="placement_resolved").exists()


def test_unknown_job_order_number_links_nothing():
    complaint = register(company="PT Tidak Ada", job_order_number="JO-NOPE-1").complaint
    assert complaint.company is None and complaint.job_order is None


def test_agent_links_company_and_job_order_and_sees_licence_and_legality(agent):
    complaint = register(company="PT Tidak Ada").complaint
    company = make_company()
    illegal = _legal_job_order(attested=False)  # not attested by the mission: not legal
    staff = Client()
    staff.force_login(agent)
    url = f"/crisis/complaints/{complaint.reference}/"

    page = staff.get(url).content.decode()
    assert 'id="placement-panel"' in page and 'id="action-placement"' in page and company.licence_number in page

    staff.post(url + "act/placement/", {"company": company.pk, "job_order_number": ""})
    complaint.refresh_from_db()
    assert complaint.company == company and complaint.job_order is None
    page = staff.get(url).content.decode()
    assert 'data-legal="yes"' in page and company.get_status_display() in page

    # the job order brings its company
    staff.post(url + "act/placement/", {"company": "", "job_order_number": illegal.number})
    complaint.refresh_from_db()
    assert complaint.job_order == illegal and complaint.company == illegal.company
    page = staff.get(url).content.decode()
    job_order_cell = page.split('id="placement-job-order"')[1].split("</dd>")[0]
    assert illegal.number in job_order_cell and 'data-legal="no"' in job_order_cell
    events = list(ComplaintEvent.objects.filter(complaint=complaint, kind="placement_linked").order_by("id"))
    assert len(events) == 2 and events[1].actor == agent
    assert events[1].payload["before"] == {"company_id": company.pk, "job_order_id": None}
    assert events[1].payload["job_order"] == illegal.number

    # a job order of another company is refused; nothing changes
    r = staff.post(url + "act/placement/", {"company": company.pk, "job_order_number": illegal.number}, follow=True)
    assert "perusahaan lain" in r.content.decode()
    complaint.refresh_from_db()
    assert complaint.job_order == illegal and complaint.company == illegal.company

    # neither given: both links removed
    staff.post(url + "act/placement/", {"company": "", "job_order_number": ""})
    complaint.refresh_from_db()
    assert complaint.company is None and complaint.job_order is None


def test_link_service_checks_its_inputs(agent, other_officer):
    complaint = register().complaint
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_link_placement(actor=agent, complaint=complaint, job_order_number="JO-NOPE-2")
    assert exc.value.code == "job_order_not_found"
    with pytest.raises(Exception) as exc:
        services.complaint_link_placement(actor=other_officer, complaint=complaint, company_id=make_company().pk)
    assert exc.value.code == "forbidden_not_crisis_agent"
    assert Complaint.objects.get(pk=complaint.pk).company_id is None


def test_clarification_request_goes_to_the_linked_company(agent):
    jo = _legal_job_order()
    complaint = register(company="", job_order_number=jo.number).complaint
    services.complaint_respond(actor=agent, reference=complaint.reference)
    asked = services.clarification_ask(actor=agent, reference=complaint.reference, company_name="",
                                       company_email="legal@example.test", question="Mohon penjelasan gaji pekerja.")
    assert asked.company == jo.company and asked.company_name == jo.company.name
    # the page's form offers the registered company's name, which finds it again
    other = register(company=jo.company.licence_number).complaint
    asked = services.clarification_ask(actor=agent, reference=other.reference, company_name=jo.company.name,
                                       company_email="legal@example.test", question="Mohon penjelasan gaji pekerja.")
    assert asked.company == jo.company
    # a name two companies share: the one the agent linked is asked
    twin, _ = make_company(name="PT Nama Sama"), make_company(name="PT Nama Sama")
    fourth = register(company="PT Nama Sama").complaint
    assert fourth.company is None
    services.complaint_link_placement(actor=agent, complaint=fourth, company_id=twin.pk)
    asked = services.clarification_ask(actor=agent, reference=fourth.reference, company_name="PT Nama Sama",
                                       company_email="legal@example.test", question="Mohon penjelasan gaji pekerja.")
    assert asked.company == twin
    # a company that is not registered is asked through the signed link only
    third = register(company="PT Tidak Terdaftar").complaint
    asked = services.clarification_ask(actor=agent, reference=third.reference, company_name="PT Tidak Terdaftar",
                                       company_email="legal@example.test", question="Mohon penjelasan gaji pekerja.")
    assert asked.company is None
