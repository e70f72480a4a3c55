"""The Crisis Center's targets and closure rules as versioned data (house rule 2): the shipped version gives the
deadlines the constants gave, a later version counts only for complaints registered from its date, loading is
idempotent and a changed version is refused."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from satuatap.core.errors import Conflict, ValidationFailed
from satuatap.crisis import deadlines, ruledata, rulesets, selectors, services
from satuatap.crisis.models import Complaint, CrisisRuleSet
from tests.crisis.conftest import register, wib

pytestmark = pytest.mark.django_db

PERBAN = "Perban BP2MI 6/2024 ps. 30"


def shipped_entry() -> dict:
    return copy.deepcopy(ruledata.shipped_data()["rule_sets"][0])


def with_version_2(effective_from: str = "2026-06-01") -> dict:
    """The shipped file plus a version 2: shorter targets and periods from `effective_from`."""
    v2 = shipped_entry()
    v2.update(version=2, effective_from=effective_from, name="Uji versi 2 / test version 2")
    v2["first_response_targets"]["urgent"]["amount"] = 2
    v2["first_response_targets"]["normal"]["amount"] = 1
    v2["clarification_working_days"] = 10
    v2["min_notice_days"] = 5
    documents = next(r for r in v2["closure_rules"] if r["code"] == "documents_incomplete")
    documents.update(amount=20, reason_id="berkas pengaduan tidak lengkap 20 hari sejak pengaduan dicatat",
                     reason_en="the documents were still incomplete 20 days after the complaint was registered")
    return {"rule_sets": [shipped_entry(), v2]}


def run(day: dt.date, reference: str) -> services.TimerReport:
    return services.complaints_timers_run(today=day, now=wib(day.year, day.month, day.day, 8, 0),
                                          references=[reference])


# --- the shipped version is the former constants ---------------------------------------------------------

def test_shipped_version_holds_the_former_constants():
    services.crisis_rules_load()
    row = CrisisRuleSet.objects.get()
    assert (row.version, row.effective_from, row.legal_basis) == (1, dt.date(2024, 1, 1), PERBAN)
    rules = rulesets.rules_of(row)
    urgent, normal = rules.first_response_targets["urgent"], rules.first_response_targets["normal"]
    assert (urgent.amount, urgent.unit, urgent.breaching_soon) == (4, "hours", dt.timedelta(hours=1))
    assert (normal.amount, normal.unit, normal.breaching_soon) == (2, "working_days", dt.timedelta(hours=8))
    assert (rules.min_notice_days, rules.clarification_working_days) == (3, 15)
    closure = [(r.code, r.status, r.anchor, r.amount, r.unit, r.warn_before, r.warn_unit) for r in rules.closure_rules]
    assert closure == [
        ("documents_incomplete", "awaiting_documents", "registered", 30, "days", 7, "days"),
        ("clarification_unanswered", "awaiting_clarification", "clarification_asked", 15, "working_days", 3,
         "working_days"),
        ("complainant_unreachable", "unreachable", "status_changed", 60, "days", 7, "days"),
        ("no_response_unresolvable", "cannot_resolve", "status_changed", 6, "months", 14, "days"),
    ]
    assert {r.legal_basis for r in rules.closure_rules} == {PERBAN}


def test_registration_loads_the_shipped_version_on_first_use_and_records_it():
    assert not CrisisRuleSet.objects.exists()
    complaint = register(now=wib(2026, 3, 16, 22, 0), category="death").complaint
    assert complaint.rule_set.version == 1
    assert complaint.first_response_due_at == wib(2026, 3, 17, 2, 0)
    assert complaint.events.get(kind="registered").payload["rule_set_version"] == 1


# --- a later version -------------------------------------------------------------------------------------

def test_a_later_version_changes_first_response_only_from_its_date():
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    # 31 May 23:00 WIB is still version 1 (4 hours); 1 June 00:30 WIB (31 May 17:30 UTC) is version 2 (2 hours)
    before = register(now=wib(2026, 5, 31, 23, 0), category="death").complaint
    after = register(now=dt.datetime(2026, 5, 31, 17, 30, tzinfo=dt.UTC), category="death").complaint
    assert (before.rule_set.version, after.rule_set.version) == (1, 2)
    assert before.first_response_due_at == wib(2026, 6, 1, 3, 0)
    assert after.first_response_due_at == wib(2026, 6, 1, 2, 30)
    # normal: 2 working days under version 1, 1 under version 2 (Friday 29 May → Tuesday 2 June; Monday 1 June
    # is Pancasila Day only if the reference data says so, so compare with the same arithmetic)
    normal_before = register(now=wib(2026, 5, 29, 10, 0)).complaint
    normal_after = register(now=wib(2026, 6, 5, 10, 0)).complaint
    assert normal_before.first_response_due_at == dt.datetime.combine(
        deadlines.reference_selectors.working_days_add(dt.date(2026, 5, 29), 2), dt.time(10, 0),
        tzinfo=deadlines.TZ)
    assert normal_after.first_response_due_at == dt.datetime.combine(
        deadlines.reference_selectors.working_days_add(dt.date(2026, 6, 5), 1), dt.time(10, 0),
        tzinfo=deadlines.TZ)


def test_a_complaint_keeps_its_version_when_recategorized_after_a_new_one(agent):
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    ref = register(now=wib(2026, 5, 31, 10, 0)).complaint.reference  # normal, version 1
    services.complaint_recategorize(actor=agent, reference=ref, category="death", reason="Pekerja meninggal dunia.")
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.first_response_due_at == wib(2026, 5, 31, 14, 0)  # 4 hours (version 1), not 2
    assert complaint.events.get(kind="recategorized").payload["rule_set_version"] == 1


def test_a_later_version_changes_closure_only_for_complaints_registered_from_its_date(agent):
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    old = register(now=wib(2026, 5, 29, 10, 0)).complaint.reference
    registered_new = register(now=wib(2026, 6, 1, 10, 0))
    new = registered_new.complaint.reference
    for ref in (old, new):
        services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor.")
    # version 2: 20 days from 1 June end on 21 June, warned 7 days before, closed the day after
    assert run(dt.date(2026, 6, 13), new).warned == []
    assert run(dt.date(2026, 6, 14), new).warned == [new]
    assert run(dt.date(2026, 6, 21), new).closed == []
    assert run(dt.date(2026, 6, 22), new).closed == [new]
    closed_new = Complaint.objects.get(reference=new)
    assert closed_new.status == "closed" and "20 hari" in closed_new.closure_reason
    assert closed_new.events.get(kind="auto_close").payload["rule_set_version"] == 2
    # the complainant's status page gives the reason in version 2's words, not the first version's
    page = Client().post("/crisis/status/", {"reference": new, "secret": registered_new.secret}).content.decode()
    assert "20 hari" in page and "30 hari" not in page
    # version 1 for the complaint registered on 29 May: 30 days end on 28 June, warned from the 21st
    assert run(dt.date(2026, 6, 14), old) == services.TimerReport()
    assert run(dt.date(2026, 6, 20), old).warned == []
    assert run(dt.date(2026, 6, 21), old).warned == [old]
    assert run(dt.date(2026, 6, 28), old).closed == []
    assert run(dt.date(2026, 6, 29), old).closed == [old]
    closed_old = Complaint.objects.get(reference=old)
    assert closed_old.closure_rule == "documents_incomplete" and "30 hari" in closed_old.closure_reason
    assert closed_old.events.get(kind="auto_close").payload["rule_set_version"] == 1
    assert closed_old.events.get(kind="closure_warned").payload["rule_set_version"] == 1


def test_a_missed_warning_waits_the_notice_of_the_complaints_version(agent):
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    ref = register(now=wib(2026, 6, 1, 10, 0)).complaint.reference
    services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor.")
    late = dt.date(2026, 7, 10)
    assert run(late, ref).warned == [ref]
    assert run(late + dt.timedelta(days=4), ref).closed == []  # version 2: 5 days' notice, not 3
    assert run(late + dt.timedelta(days=5), ref).closed == [ref]
    complaint = Complaint.objects.get(reference=ref)
    assert "20 hari" in complaint.closure_reason and PERBAN in complaint.closure_reason
    assert complaint.events.get(kind="auto_close").payload["rule_set_version"] == 2


def test_clarification_period_and_queue_follow_the_complaints_version(agent):
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    old = register(now=wib(2026, 5, 29, 10, 0)).complaint.reference
    registered_new = register(now=wib(2026, 6, 1, 10, 0))
    new = registered_new.complaint.reference
    asked = {}
    for ref in (old, new):
        asked[ref] = services.clarification_ask(
            actor=agent, reference=ref, company_name="PT Maju Jaya", company_email="legal@majujaya.example",
            question="Mohon jelaskan mengapa gaji belum dibayar.", now=wib(2026, 6, 8, 10, 0))
    add = deadlines.reference_selectors.working_days_add
    assert asked[old].due_on == add(dt.date(2026, 6, 8), 15)
    assert asked[new].due_on == add(dt.date(2026, 6, 8), 10)
    # the queue's closure deadline for documents follows each complaint's own version
    docs_old = register(now=wib(2026, 5, 29, 11, 0)).complaint.reference
    docs_new = register(now=wib(2026, 6, 1, 11, 0)).complaint.reference
    for ref in (docs_old, docs_new):
        services.complaint_documents_request(actor=agent, reference=ref, note="Kirim salinan paspor.")
    queue = selectors.complaints_queue(user=agent, now=wib(2026, 6, 10, 8, 0))
    due = {i.complaint.reference: i.due_at for i in queue.items}
    assert due[docs_old] == deadlines.end_of_day(dt.date(2026, 6, 28))
    assert due[docs_new] == deadlines.end_of_day(dt.date(2026, 6, 21))


def test_a_complaint_without_a_recorded_version_follows_its_registration_date():
    services.crisis_rules_load(data=with_version_2("2026-06-01"))
    complaint = register(now=wib(2026, 6, 2, 10, 0)).complaint
    Complaint.objects.filter(pk=complaint.pk).update(rule_set=None)  # registered before versions were recorded
    complaint.refresh_from_db()
    assert rulesets.rules_for_complaint(complaint).version == 2
    # before the first version's date there is no earlier one: the first version
    assert rulesets.rules_on(dt.date(2023, 5, 1)).version == 1


# --- loading ---------------------------------------------------------------------------------------------

def test_loading_the_same_file_twice_changes_nothing(capsys):
    assert services.crisis_rules_load() == {"total": 1, "created": 1, "updated": 0, "deleted": 0}
    first = CrisisRuleSet.objects.get()
    assert services.crisis_rules_load() == {"total": 1, "created": 0, "updated": 0, "deleted": 0}
    call_command("load_crisis_rules")
    assert "0 loaded now" in capsys.readouterr().out
    again = CrisisRuleSet.objects.get()
    assert (again.pk, again.source_hash, again.loaded_at) == (first.pk, first.source_hash, first.loaded_at)
    assert first.source_hash == ruledata.source_hash(shipped_entry())
    # a new version loads beside the old one, and loading that file again is idempotent too
    assert services.crisis_rules_load(data=with_version_2())["created"] == 1
    assert services.crisis_rules_load(data=with_version_2())["created"] == 0
    assert list(CrisisRuleSet.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_a_changed_file_with_the_same_version_is_refused(tmp_path):
    services.crisis_rules_load()
    changed = {"rule_sets": [shipped_entry()]}
    changed["rule_sets"][0]["first_response_targets"]["urgent"]["amount"] = 3
    with pytest.raises(Conflict) as refused:
        services.crisis_rules_load(data=changed)
    assert refused.value.code == "crisis_rules_version_changed"
    assert "version 1 is already loaded with different content" in refused.value.message_en
    assert "versi baru" in refused.value.message
    assert CrisisRuleSet.objects.get().first_response_targets["urgent"]["amount"] == 4
    # the command says so too, and loads nothing else of the file
    changed["rule_sets"].append(with_version_2()["rule_sets"][1])
    path = tmp_path / "crisis_rules.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(CommandError, match="crisis_rules_version_changed"):
        call_command("load_crisis_rules", "--file", str(path))
    assert CrisisRuleSet.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    (lambda e: e.update(effective_from="1 Juni 2026"), "effective_from"),
    (lambda e: e["first_response_targets"].pop("normal"), "first_response_targets"),
    (lambda e: e["first_response_targets"]["urgent"].update(unit="minutes"), "first_response_targets.urgent.unit"),
    (lambda e: e["closure_rules"][0].update(status="closed"), "closure_rules.documents_incomplete.status"),
    (lambda e: e["closure_rules"][1].update(status="awaiting_documents"), "closure_rules.status"),
    (lambda e: e["closure_rules"][2].update(legal_basis=""), "closure_rules.complainant_unreachable.legal_basis"),
    (lambda e: e.update(min_notice_days=-1), "min_notice_days"),
])
def test_an_invalid_version_is_refused_and_nothing_is_loaded(change, field):
    data = with_version_2()
    change(data["rule_sets"][1])
    with pytest.raises(ValidationFailed) as invalid:
        services.crisis_rules_load(data=data)
    assert invalid.value.code == "crisis_rules_invalid"
    assert invalid.value.details["version"] == 2 and invalid.value.details["field"] == field
    assert not CrisisRuleSet.objects.exists()
