"""Rule sets are versioned data; office heads may override flags, never blocks."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from satuatap.core.errors import Conflict, PermissionDenied, ValidationFailed
from satuatap.placement import services
from satuatap.placement.models import Decision, DecisionOverride, PlacementEvent, Rule, RuleSet
from satuatap.placement.rules import rules_in_force
from satuatap.placement.services import DATA_DIR
from tests import factories
from tests.placement.builders import TODAY, evaluate, make_job_order

pytestmark = pytest.mark.usefixtures("placement_ref")


def _shipped() -> dict:
    return json.loads((DATA_DIR / "rules.json").read_text(encoding="utf-8"))


def _version(version: int, effective_from: dt.date, rules: list[dict]) -> dict:
    base = copy.deepcopy(_shipped()["rule_sets"][0])
    base.update(version=version, effective_from=effective_from.isoformat(), rules=rules)
    return {"rule_sets": [base]}


def _rule(rule_code: str, **changes) -> dict:
    rule = next(r for r in _shipped()["rule_sets"][0]["rules"] if r["code"] == rule_code)
    return {**copy.deepcopy(rule), **changes}


def test_loading_is_idempotent_and_command_runs():
    assert services.rule_sets_load() == {"total": 1, "created": 0, "updated": 0, "deleted": 0}
    assert services.job_titles_load()["created"] == 0
    out = StringIO()
    call_command("load_placement_reference", stdout=out)
    assert "Placement reference data loaded" in out.getvalue()
    assert RuleSet.objects.count() == 1 and Rule.objects.filter(rule_set__version=1).count() == 18


def test_the_zero_cost_list_has_the_ten_jobs():
    from satuatap.placement.models import JobTitle

    zero = set(JobTitle.objects.filter(zero_cost=True).values_list("code", flat=True))
    assert zero == {"DOMESTIC_WORKER", "BABYSITTER", "ELDERLY_CARER", "COOK", "FAMILY_DRIVER", "GARDENER",
                    "CHILD_CARER", "CLEANER", "FARM_WORKER", "FISHING_CREW"}


def test_a_loaded_version_never_changes():
    data = _version(1, dt.date(2024, 1, 1), [_rule("AGE_MIN", parameters={"min_age": 21})])
    with pytest.raises(Conflict) as exc:
        services.rule_sets_load(data=data)
    assert exc.value.code == "ruleset_version_changed"


@pytest.mark.parametrize(
    "rule",
    [
        {"code": "NO_SUCH_RULE"},
        {"severity": "warn"},
        {"stages": ["boarding"]},
        {"legal_basis": ""},
    ],
)
def test_invalid_rule_sets_are_refused(rule):
    bad = _rule("AGE_MIN", **rule)
    with pytest.raises(ValidationFailed) as exc:
        services.rule_sets_load(data=_version(9, TODAY, [bad]))
    assert exc.value.code == "ruleset_invalid"
    assert not RuleSet.objects.filter(version=9).exists()


def test_new_version_effective_next_month_does_not_apply_today():
    next_month = TODAY + dt.timedelta(days=30)
    stricter = [r for r in _shipped()["rule_sets"][0]["rules"] if r["code"] != "AGE_MIN"]
    stricter.append(_rule("AGE_MIN", parameters={"min_age": 21}))
    services.rule_sets_load(data=_version(2, next_month, stricter))
    assert RuleSet.objects.count() == 2  # beside the old one

    worker = factories.worker("32.12", birth_date=dt.date(2006, 1, 1))  # 20 years old
    jo = make_job_order(valid_to=dt.date(2026, 12, 31))
    today = evaluate(worker=worker, job_order=jo, on=TODAY)
    assert today.verdict == "ok" and today.rule_set_version == 1
    later = evaluate(worker=worker, job_order=jo, on=next_month)
    assert later.rule_set_version == 2 and {f["code"] for f in later.fired} == {"AGE_MIN"}
    # An older date still gets the older version, whatever was loaded since.
    assert rules_in_force(on=next_month - dt.timedelta(days=1)).rule_set.version == 1


def test_a_rule_with_its_own_effective_date_next_month_does_not_fire_today():
    rules = _shipped()["rule_sets"][0]["rules"]
    consent_later = [r if r["code"] != "FAMILY_CONSENT" else _rule(
        "FAMILY_CONSENT", effective_from=(TODAY + dt.timedelta(days=30)).isoformat()) for r in rules]
    services.rule_sets_load(data=_version(3, TODAY - dt.timedelta(days=1), consent_later))
    jo = make_job_order()
    today = evaluate(job_order=jo, has_family_consent=False, on=TODAY)
    assert today.rule_set_version == 3 and today.verdict == "ok"
    later = evaluate(job_order=jo, has_family_consent=False, on=TODAY + dt.timedelta(days=30))
    assert {f["code"] for f in later.fired} == {"FAMILY_CONSENT"}


def test_no_rule_set_in_force_before_the_first_version():
    from satuatap.core.errors import NotFound

    with pytest.raises(NotFound) as exc:
        rules_in_force(on=dt.date(2000, 1, 1))
    assert exc.value.code == "ruleset_missing"


# --- overrides ------------------------------------------------------------------------------------------


def _flagged(case_ref="CASE-OV-1") -> Decision:
    jo = make_job_order(regions=("32",))
    decision = evaluate(job_order=jo, office_regency_code="35.78", case_ref=case_ref)
    assert decision.verdict == "flagged" and not decision.proceed
    return decision


def test_office_head_overrides_a_flag_with_a_reason(head):
    decision = _flagged()
    override = services.decision_override(actor=head, decision=decision,
                                          reason="Calon PMI pindah domisili, sudah dicek.")
    decision.refresh_from_db()
    assert decision.override_id == override.pk and decision.proceed
    assert override.rule_codes == ["SIP2MI_OFFICE_REGION"]
    assert PlacementEvent.objects.filter(kind="decision_overridden", case_ref="CASE-OV-1").count() == 1
    services.decision_require_proceed(decision=decision)  # does not raise


def test_override_carries_to_later_evaluations_of_the_same_flags(head):
    decision = _flagged("CASE-OV-2")
    services.decision_override(actor=head, decision=decision, reason="Sudah diverifikasi kepala kantor.")
    again = evaluate(job_order=decision.job_order, office_regency_code="35.78", case_ref="CASE-OV-2")
    assert again.verdict == "flagged" and again.proceed and again.fired[0]["overridden"]
    # A new flag is not covered by the old override.
    other = evaluate(job_order=decision.job_order, office_regency_code="35.78", case_ref="CASE-OV-2",
                     destination_country="MY")
    assert not other.proceed


def test_a_block_can_never_be_overridden(head):
    decision = evaluate(job_order=make_job_order(attested=False))
    with pytest.raises(Conflict) as exc:
        services.decision_override(actor=head, decision=decision, reason="Saya yakin ini aman sekali.")
    assert exc.value.code == "override_block_refused"
    assert not DecisionOverride.objects.exists()


def test_only_the_office_head_with_a_written_reason(officer, head):
    decision = _flagged()
    with pytest.raises(PermissionDenied):
        services.decision_override(actor=officer, decision=decision, reason="Saya petugas loket saja.")
    with pytest.raises(PermissionDenied):
        services.decision_override(actor=factories.head("LTSA-SBY"), decision=decision, reason="Kantor lain ini.")
    with pytest.raises(ValidationFailed):
        services.decision_override(actor=head, decision=decision, reason="ok")
    services.decision_override(actor=head, decision=decision, reason="Alasan tertulis yang cukup.")
    with pytest.raises(Conflict) as exc:
        services.decision_override(actor=head, decision=decision, reason="Alasan tertulis yang cukup.")
    assert exc.value.code == "override_exists"


def test_an_ok_decision_has_nothing_to_override(head):
    with pytest.raises(Conflict) as exc:
        services.decision_override(actor=head, decision=evaluate(job_order=make_job_order()), reason="Tidak perlu.....")
    assert exc.value.code == "override_nothing"


def test_require_proceed_raises_with_every_reason():
    blocked = evaluate(job_order=make_job_order(attested=False), has_family_consent=False)
    with pytest.raises(Conflict) as exc:
        services.decision_require_proceed(decision=blocked)
    assert exc.value.code == "rules_blocked"
    assert {f["code"] for f in exc.value.details["fired"]} == {"JOB_ORDER_ATTESTED", "FAMILY_CONSENT"}
    with pytest.raises(Conflict) as exc:
        services.decision_require_proceed(decision=_flagged())
    assert exc.value.code == "rules_flagged"


def test_override_before_the_case_has_a_number_then_attach(head):
    """case_open is evaluated before the case exists (case_ref ""); the override follows the case once numbered."""
    worker = factories.worker("32.12")
    jo = make_job_order(regions=("32",))
    first = evaluate(worker=worker, job_order=jo, office_regency_code="35.78", case_ref="")
    assert first.verdict == "flagged" and not first.proceed
    services.decision_override(actor=head, decision=first, reason="Calon PMI pindah ke Surabaya, sudah dicek.")
    first.refresh_from_db()
    retry = evaluate(worker=worker, job_order=jo, office_regency_code="35.78", case_ref="")
    assert retry.proceed and retry.override_id == first.override_id
    # Another worker on the same job order is not covered.
    assert not evaluate(job_order=jo, office_regency_code="35.78", case_ref="").proceed
    services.decision_case_attach(decision=retry, case_ref="LTSA-IDM-2026-000042")
    assert set(Decision.objects.filter(pk__in=[first.pk, retry.pk]).values_list("case_ref", flat=True)) == {
        "LTSA-IDM-2026-000042"}
    later = evaluate(worker=worker, job_order=jo, office_regency_code="35.78", case_ref="LTSA-IDM-2026-000042",
                     stage="case_open")
    assert later.proceed
    with pytest.raises(Conflict):
        services.decision_case_attach(decision=retry, case_ref="OTHER-1")
