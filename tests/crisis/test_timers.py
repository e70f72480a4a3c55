"""Perban 6/2024 art. 30 closure rules, each on both sides of its deadline (explicit dates, WIB)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from satuatap.crisis import deadlines, services
from satuatap.crisis.constants import CLOSURE_RULES_BY_CODE, MIN_NOTICE_DAYS, Status
from satuatap.crisis.models import ClarificationState, Complaint
from satuatap.notify.models import Message
from tests.crisis.conftest import register, wib

pytestmark = pytest.mark.django_db


def run(day: dt.date, reference: str) -> services.TimerReport:
    return services.complaints_timers_run(today=day, now=wib(day.year, day.month, day.day, 8, 0),
                                          references=[reference])


def templates(reference: str) -> list[str]:
    return list(Message.objects.filter(ref=f"complaint:{reference}").order_by("id").values_list("template", flat=True))


def status_of(reference: str) -> str:
    return Complaint.objects.get(reference=reference).status


def test_documents_incomplete_closes_30_days_after_registration(agent):
    registered = register(now=wib(2026, 3, 2, 10, 0))
    ref = registered.complaint.reference
    services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor dan kontrak kerja.")
    # registered 2 March: the 30 days end on 1 April; warned 7 days before
    assert run(dt.date(2026, 3, 24), ref).warned == []
    assert run(dt.date(2026, 3, 25), ref).warned == [ref]
    assert run(dt.date(2026, 3, 25), ref).warned == []  # idempotent
    assert "complaint_closure_warning" in templates(ref)
    warning = Message.objects.get(ref=f"complaint:{ref}", template="complaint_closure_warning")
    assert "2 April 2026" in warning.body and "30 hari" in warning.body
    assert run(dt.date(2026, 4, 1), ref).closed == []
    assert status_of(ref) == Status.AWAITING_DOCUMENTS
    assert run(dt.date(2026, 4, 2), ref).closed == [ref]
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.status == Status.CLOSED and complaint.closure_rule == "documents_incomplete"
    assert "Perban BP2MI 6/2024 ps. 30" in complaint.closure_reason
    event = complaint.events.get(kind="auto_close")
    assert event.payload["rule"] == "documents_incomplete" and event.actor is None and event.public
    closed = Message.objects.get(ref=f"complaint:{ref}", template="complaint_closed")
    assert "30 hari" in closed.body and "Perban BP2MI 6/2024 ps. 30" in closed.body
    assert run(dt.date(2026, 4, 3), ref).closed == []  # idempotent
    # the complainant sees the warning and the closure with its rule
    page = Client().post("/crisis/status/", {"reference": ref, "secret": registered.secret}).content.decode()
    assert 'data-kind="closure_warned"' in page and 'data-kind="auto_close"' in page
    assert "berkas pengaduan tidak lengkap 30 hari sejak pengaduan dicatat (Perban BP2MI 6/2024 ps. 30)" in page


def test_no_clarification_counts_15_working_days_over_holidays(agent, holidays_2026):
    ref = register(now=wib(2026, 3, 10, 9, 0)).complaint.reference
    clarification = services.clarification_ask(
        actor=agent, reference=ref, company_name="PT Maju Jaya", company_email="legal@majujaya.example",
        question="Mohon jelaskan mengapa gaji belum dibayar.", now=wib(2026, 3, 16, 10, 0))
    # Monday 16 March + 15 working days, skipping Nyepi, Idul Fitri with cuti bersama and Good Friday
    assert clarification.due_on == dt.date(2026, 4, 14)
    rule = CLOSURE_RULES_BY_CODE["clarification_unanswered"]
    assert deadlines.rule_warn_from(rule, clarification.due_on) == dt.date(2026, 4, 9)
    # 15 weekdays counted without the holidays would end on 6 April: nothing happens then
    assert run(dt.date(2026, 4, 7), ref) == services.TimerReport()
    assert run(dt.date(2026, 4, 8), ref).warned == []
    assert run(dt.date(2026, 4, 9), ref).warned == [ref]
    assert run(dt.date(2026, 4, 14), ref).closed == []
    assert status_of(ref) == Status.AWAITING_CLARIFICATION
    assert run(dt.date(2026, 4, 15), ref).closed == [ref]
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.closure_rule == "clarification_unanswered"
    assert complaint.clarifications.get().state == ClarificationState.LAPSED


def test_an_answered_clarification_stops_the_timer(agent, holidays_2026):
    from satuatap.crisis import tokens

    ref = register(now=wib(2026, 3, 10, 9, 0)).complaint.reference
    clarification = services.clarification_ask(
        actor=agent, reference=ref, company_name="PT Maju Jaya", company_email="legal@majujaya.example",
        question="Mohon jelaskan mengapa gaji belum dibayar.", now=wib(2026, 3, 16, 10, 0))
    services.clarification_answer(token=tokens.clarification_token(clarification.pk),
                                  answer="Gaji sudah ditransfer tanggal 20 Maret.", answered_by_name="HRD")
    assert run(dt.date(2026, 4, 15), ref) == services.TimerReport()
    assert status_of(ref) == Status.IN_PROGRESS


def test_complainant_unreachable_closes_after_60_days(agent):
    ref = register().complaint.reference
    services.complaint_respond(actor=agent, reference=ref)
    services.complaint_mark_unreachable(actor=agent, reference=ref, note="Tiga kali ditelepon, tidak aktif.")
    since = deadlines.today_local(Complaint.objects.get(reference=ref).status_changed_at)
    last_day = since + dt.timedelta(days=60)
    assert run(last_day - dt.timedelta(days=8), ref).warned == []
    assert run(last_day - dt.timedelta(days=7), ref).warned == [ref]
    assert run(last_day, ref).closed == []
    assert run(last_day + dt.timedelta(days=1), ref).closed == [ref]
    assert Complaint.objects.get(reference=ref).closure_rule == "complainant_unreachable"


def test_contact_restored_stops_the_unreachable_timer(agent):
    ref = register().complaint.reference
    services.complaint_mark_unreachable(actor=agent, reference=ref, note="Nomor tidak aktif.")
    since = deadlines.today_local(Complaint.objects.get(reference=ref).status_changed_at)
    services.complaint_contact_restored(actor=agent, reference=ref)
    assert run(since + dt.timedelta(days=90), ref) == services.TimerReport()
    assert status_of(ref) == Status.IN_PROGRESS


def test_no_response_six_months_after_being_told_it_cannot_be_resolved(agent):
    ref = register().complaint.reference
    services.complaint_respond(actor=agent, reference=ref)
    services.complaint_declare_unresolvable(actor=agent, reference=ref,
                                            reason="Majikan tidak dapat dilacak di Hong Kong.")
    since = deadlines.today_local(Complaint.objects.get(reference=ref).status_changed_at)
    last_day = deadlines.add_months(since, 6)
    assert run(last_day - dt.timedelta(days=15), ref).warned == []
    assert run(last_day - dt.timedelta(days=14), ref).warned == [ref]
    assert run(last_day, ref).closed == []
    assert run(last_day + dt.timedelta(days=1), ref).closed == [ref]
    assert Complaint.objects.get(reference=ref).closure_rule == "no_response_unresolvable"


def test_a_missed_warning_postpones_the_closure(agent):
    ref = register(now=wib(2026, 3, 2, 10, 0)).complaint.reference
    services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor.")
    late = dt.date(2026, 4, 10)  # the timer did not run for weeks
    assert run(late, ref).warned == [ref]
    assert run(late + dt.timedelta(days=MIN_NOTICE_DAYS - 1), ref).closed == []
    assert run(late + dt.timedelta(days=MIN_NOTICE_DAYS), ref).closed == [ref]


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert deadlines.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert deadlines.add_months(dt.date(2026, 11, 23), 6) == dt.date(2027, 5, 23)


def test_first_response_targets(holidays_2026):
    urgent = register(now=wib(2026, 3, 16, 22, 0), category="death").complaint
    assert urgent.priority == "urgent"
    assert urgent.first_response_due_at == wib(2026, 3, 17, 2, 0)
    normal = register(now=wib(2026, 3, 16, 10, 0)).complaint
    assert normal.priority == "normal"
    # 2 working days after Monday 16 March: the 17th, then (holidays to the 24th) Wednesday the 25th
    assert normal.first_response_due_at == wib(2026, 3, 25, 10, 0)


def test_timers_command(agent, capsys):
    ref = register(now=wib(2026, 3, 2, 10, 0)).complaint.reference
    services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor.")
    call_command("crisis_timers", "--today", "2026-03-26")
    assert f"{ref}: closure warning" in capsys.readouterr().out
    call_command("crisis_timers", "--today", "2026-04-02")
    assert f"{ref}: closed" in capsys.readouterr().out
