"""The company portal: a placement company's users see the clarification requests addressed to their company
(and no other), with the facts needed to answer and no personal data of the complainant, and answer them there;
the complaint then moves on exactly as after an answer through the signed link."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.crisis import services, tokens
from satuatap.crisis.models import ClarificationRequest, ComplaintEvent
from satuatap.placement.models import CompanyMembership
from tests.crisis.conftest import register
from tests.placement.builders import make_company, make_job_order

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
NIK = "3212015708960003"


def company_user(company, *, role: str = "monitor", **kwargs):
    user = account_services.user_create(username=f"p3mi{next(_seq)}", password=None, role=role,
                                        first_name="Budi", last_name="HRD", **kwargs)
    CompanyMembership.objects.create(user=user, company=company)
    return user


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _asked(agent, company, **overrides):
    """A complaint about the company's worker, taken up and sent to the company for clarification."""
    result = register(company=company.licence_number, worker_nik=NIK, country="SA", employer="Al Noor Trading",
                      **overrides)
    reference = result.complaint.reference
    services.complaint_respond(actor=agent, reference=reference)
    clarification = services.clarification_ask(actor=agent, reference=reference, company_name=company.name,
                                               company_email="legal@example.test",
                                               question="Mohon jelaskan mengapa gaji belum dibayar.")
    assert clarification.company == company
    return result, clarification


@pytest.fixture
def two_companies():
    mine = make_job_order().company
    theirs = make_company()
    return mine, theirs


def test_company_user_sees_only_their_company_requests(agent, two_companies):
    mine, theirs = two_companies
    (own, own_request) = _asked(agent, mine)
    (other, other_request) = _asked(agent, theirs)
    client = _login(company_user(mine))

    page = client.get("/crisis/company/").content.decode()
    listed = re.findall(r'<tr data-request="(\d+)"', page.split('id="company-open-requests"')[1].split("</table>")[0])
    assert listed == [str(own_request.pk)]
    assert own.complaint.reference in page and other.complaint.reference not in page
    assert own_request.due_on.strftime("%Y") in page

    page = client.get(f"/crisis/company/requests/{own_request.pk}/").content.decode()
    assert 'id="company-answer-form"' in page
    for fact in ("Al Noor Trading", "Gaji belum dibayar selama empat bulan", "Mohon jelaskan mengapa",
                 "Arab Saudi", own.complaint.get_category_display()):
        assert fact in page, fact
    for personal in (NIK, "Sumiati", "+6281234567890", "0812"):
        assert personal not in page, personal

    # another company's request: 403, on the page and on an answer
    r = client.get(f"/crisis/company/requests/{other_request.pk}/")
    assert r.status_code == 403 and 'id="forbidden"' in r.content.decode()
    r = client.post(f"/crisis/company/requests/{other_request.pk}/",
                    {"answered_by_name": "Budi", "answer": "Jawaban untuk perusahaan lain."})
    assert r.status_code == 403
    other_request.refresh_from_db()
    assert other_request.state == "open"
    assert client.get("/crisis/company/requests/999999/").status_code == 404


def test_company_user_answers_in_the_portal_and_the_complainant_sees_it(agent, two_companies):
    mine, _ = two_companies
    user = company_user(mine)
    result, request_ = _asked(agent, mine)
    client = _login(user)
    url = f"/crisis/company/requests/{request_.pk}/"

    r = client.post(url, {"answered_by_name": "Budi, HRD", "answer": "short"})
    assert r.status_code == 200 and 'id="field-answer"' in r.content.decode()
    request_.refresh_from_db()
    assert request_.state == "open"

    r = client.post(url, {"answered_by_name": "Budi, HRD", "answer": "Gaji sudah kami transfer hari ini."})
    assert r.status_code == 302 and r.url == url
    page = client.get(url).content.decode()
    assert 'id="clarification-answered"' in page and "Gaji sudah kami transfer hari ini." in page
    request_.refresh_from_db()
    assert request_.state == "answered" and request_.answered_by_name == "Budi, HRD"
    complaint = result.complaint
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    event = ComplaintEvent.objects.get(complaint=complaint, kind="clarification_answered")
    assert event.actor == user and event.payload["via"] == "portal"
    assert event.from_status == "awaiting_clarification" and event.to_status == "in_progress"
    listing = client.get("/crisis/company/").content.decode()
    assert f'data-request="{request_.pk}" data-state="answered"' in listing
    # answered once: a second answer is refused, the first kept
    client.post(url, {"answered_by_name": "Budi", "answer": "Jawaban kedua yang tidak dipakai."})
    request_.refresh_from_db()
    assert request_.answer == "Gaji sudah kami transfer hari ini."

    # the complainant's status page shows the answer stage
    r = Client().post("/crisis/status/", {"reference": complaint.reference, "secret": result.secret})
    stages = re.findall(r'<li data-kind="([a-z_]+)"', r.content.decode())
    assert stages == ["registered", "respond", "ask_clarification", "clarification_answered"]
    assert user.username not in r.content.decode()


def test_the_signed_link_still_answers_a_request_addressed_to_a_registered_company(agent, two_companies):
    mine, _ = two_companies
    result, request_ = _asked(agent, mine)
    r = Client().post(f"/crisis/clarification/{tokens.clarification_token(request_.pk)}/",
                      {"answered_by_name": "Budi, HRD", "answer": "Gaji sudah kami transfer kemarin."})
    assert 'id="clarification-answered"' in r.content.decode()
    request_.refresh_from_db()
    assert request_.state == "answered"
    event = ComplaintEvent.objects.get(complaint=result.complaint, kind="clarification_answered")
    assert event.payload["via"] == "link" and event.actor is None


def test_service_refuses_a_user_of_another_company(agent, two_companies):
    mine, theirs = two_companies
    _, request_ = _asked(agent, mine)
    with pytest.raises(Exception) as exc:
        services.clarification_answer(actor=company_user(theirs), clarification_id=request_.pk,
                                      answer="Jawaban dari perusahaan lain.", answered_by_name="X Y")
    assert exc.value.code == "forbidden_other_company"
    with pytest.raises(Exception) as exc:
        services.clarification_answer(actor=agent, clarification_id=request_.pk,
                                      answer="Jawaban dari petugas, bukan perusahaan.", answered_by_name="X Y")
    assert exc.value.code == "forbidden_not_company_user"
    assert ClarificationRequest.objects.get(pk=request_.pk).state == "open"


def test_anonymous_users_go_to_login_and_others_are_refused(agent, two_companies):
    mine, _ = two_companies
    _, request_ = _asked(agent, mine)
    anonymous = Client()
    for url in ("/crisis/company/", f"/crisis/company/requests/{request_.pk}/"):
        r = anonymous.get(url)
        assert r.status_code == 302 and r.url.startswith("/accounts/login/?next=")
    staff = _login(agent)  # a crisis agent is not a company user
    assert staff.get("/crisis/company/").status_code == 403
    assert staff.get(f"/crisis/company/requests/{request_.pk}/").status_code == 403


def test_a_company_user_is_never_a_crisis_agent(two_companies):
    from satuatap.reference.models import Agency, Office

    mine, _ = two_companies
    user = company_user(mine, role="desk_officer", office=Office.objects.get(code="LTSA-IDM"),
                        agency=Agency.objects.get(code="INFO"))
    client = _login(user)
    assert client.get("/crisis/queue/").status_code == 403
    assert client.get("/crisis/company/").status_code == 200
