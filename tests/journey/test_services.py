"""The journey engine through its services: every transition, legal and illegal."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.utils import timezone

from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.journey import services
from satuatap.journey.models import Case, CaseStatus, Event, Step, StepState
from satuatap.reference import services as reference_services
from satuatap.reference.models import ProcessDefinition
from satuatap.web.demo import JOURNEY_ORDER
from tests import factories

pytestmark = pytest.mark.django_db


def states(case: Case) -> dict[str, str]:
    return dict(case.steps.values_list("code", "state"))


def do(desks, case: Case, code: str, **outcome_overrides) -> services.Transition:
    step = case.steps.select_related("definition").get(code=code)
    actor = desks[step.agency_id]
    services.step_start(actor=actor, case_number=case.number, step_code=code)
    return services.step_complete(
        actor=actor,
        case_number=case.number,
        step_code=code,
        outcome=factories.outcome(step.definition.outcome_type, **outcome_overrides),
    )


@pytest.fixture
def case(desks, worker):
    return services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
        destination_country="HK",
    )


def test_open_case_pins_process_and_makes_registration_ready(case):
    s = states(case)
    assert s["REG"] == StepState.READY
    assert all(v == StepState.LOCKED for k, v in s.items() if k != "REG")
    assert case.number.startswith("LTSA-IDM-")
    assert case.process.code == "P2P"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["case_opened", "step_unlocked"]
    reg = case.steps.get(code="REG")
    assert reg.due_on is not None and reg.due_on > timezone.localdate()


def test_full_journey_each_desk_in_turn(desks, case):
    for code in JOURNEY_ORDER:
        result = do(desks, case, code)
        assert result.step.state == StepState.DONE
    case.refresh_from_db()
    assert case.status == CaseStatus.DEPARTED
    assert case.closed_at is not None
    s = states(case)
    assert all(s[c] == StepState.DONE for c in JOURNEY_ORDER)
    # every people action and every unlock left an event with who and which agency
    events = Event.objects.filter(case=case)
    assert events.filter(kind="step_completed").count() == len(JOURNEY_ORDER)
    done_med = events.get(kind="step_completed", step__code="MED")
    assert done_med.actor == desks["DINKES"] and done_med.agency_id == "DINKES" and done_med.office_id == "LTSA-IDM"
    assert list(events.filter(kind="case_status_changed").values_list("to_state", flat=True)) == [
        "ready_to_depart",
        "departed",
    ]


def test_a_step_definition_missing_from_the_cache_is_read_again(desks, case):
    # The in-process cache of a process version's step definitions may predate the rows (test data reloaded):
    # a transition then reads them again instead of failing.
    import time

    from satuatap.reference import cache

    cache._ttl_values[("stepdefs", case.process_id)] = (time.monotonic(), {})
    result = services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    assert result.step.definition.code == "REG" and result.step.state == StepState.IN_PROGRESS
    assert result.step.definition.pk in cache._ttl_values[("stepdefs", case.process_id)][1]


def test_parallel_steps_unlock_together(desks, case):
    result = do(desks, case, "REG")
    ready = {s.code for s in result.steps if s.state == StepState.READY}
    assert ready == {"SEL", "MED", "CERT", "SKCK", "BPJS", "BANK"}


def test_pa_waits_for_both_prerequisites(desks, case):
    do(desks, case, "REG")
    do(desks, case, "SEL")
    assert states(case)["PA"] == StepState.LOCKED
    do(desks, case, "MED")
    assert states(case)["PA"] == StepState.READY


def test_wrong_agency_gets_forbidden(desks, case):
    with pytest.raises(PermissionDenied) as exc:
        services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="REG")
    assert exc.value.code == "forbidden_wrong_desk"
    assert states(case)["REG"] == StepState.READY


def test_same_agency_other_office_gets_forbidden(case):
    other = factories.officer("LTSA-SBY", "DISNAKER")
    with pytest.raises(PermissionDenied):
        services.step_start(actor=other, case_number=case.number, step_code="REG")


def test_monitor_cannot_act(case):
    with pytest.raises(PermissionDenied):
        services.step_start(actor=factories.monitor(), case_number=case.number, step_code="REG")


def test_locked_step_cannot_start(desks, case):
    with pytest.raises(Conflict) as exc:
        services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="MED")
    assert exc.value.code == "invalid_transition"


def test_done_step_cannot_complete_twice(desks, case):
    do(desks, case, "REG")
    with pytest.raises(Conflict) as exc:
        services.step_complete(
            actor=desks["DISNAKER"], case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
        )
    assert exc.value.code == "invalid_transition"
    assert Event.objects.filter(case=case, kind="step_completed").count() == 1


def test_stale_version_conflicts(desks, case):
    reg = case.steps.get(code="REG")
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG", expected_version=reg.version)
    with pytest.raises(Conflict) as exc:
        services.step_complete(
            actor=desks["DISNAKER"],
            case_number=case.number,
            step_code="REG",
            outcome=factories.outcome("registration"),
            expected_version=reg.version,
        )
    assert exc.value.code == "stale_version"
    assert exc.value.details["version"] == reg.version + 1


def test_outcome_validated_per_step_type(desks, case):
    do(desks, case, "REG")
    services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="MED")
    with pytest.raises(ValidationFailed) as exc:
        services.step_complete(
            actor=desks["DINKES"], case_number=case.number, step_code="MED", outcome={"result": "fit"}
        )
    assert exc.value.code == "outcome_invalid"
    fields = {d["field"] for d in exc.value.details}
    assert "certificate_number" in fields
    with pytest.raises(ValidationFailed) as exc:
        services.step_complete(
            actor=desks["DINKES"],
            case_number=case.number,
            step_code="MED",
            outcome={
                "result": "fit",
                "certificate_number": "X1",
                "valid_until": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            },
        )
    assert exc.value.code == "outcome_expired"
    assert states(case)["MED"] == StepState.IN_PROGRESS


def test_tourist_visa_refused_by_the_rules_with_its_legal_basis(desks, case):
    from satuatap.placement.models import Decision

    for code in ("REG", "SEL", "MED", "PA", "PASS"):
        do(desks, case, code)
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="VISA")
    with pytest.raises(Conflict) as exc:
        services.step_complete(
            actor=desks["DISNAKER"],
            case_number=case.number,
            step_code="VISA",
            outcome={"visa_number": "T1", "visa_type": "tourist"},
        )
    assert exc.value.code == "rules_blocked"
    fired = {f["code"]: f for f in exc.value.details["fired"]}
    assert "VISA_TYPE" in fired and fired["VISA_TYPE"]["legal_basis"]
    assert states(case)["VISA"] == StepState.IN_PROGRESS
    assert Decision.objects.filter(case_ref=case.number, verdict="blocked").exists()


def test_every_completion_keeps_one_decision_of_the_rules_with_what_they_read(desks, case, django_assert_num_queries):
    """A completion's rule decision is written with the change itself (one statement on PostgreSQL): one row per
    completion, with the rule set version in force, the job order the case holds and the worker; a start writes
    none. The rules' inputs are read in one statement."""
    from satuatap.placement import rules as placement_rules
    from satuatap.placement import selectors as placement_selectors
    from satuatap.placement.models import Decision

    completions = Decision.objects.filter(case_ref=case.number, stage="step_complete")
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    assert not completions.exists()
    services.step_complete(actor=desks["DISNAKER"], case_number=case.number, step_code="REG",
                           outcome=factories.outcome("registration"))
    (decision,) = completions
    in_force = placement_rules.rules_in_force(on=timezone.localdate()).rule_set
    assert decision.verdict == "ok" and decision.pk is not None
    assert (decision.rule_set_id, decision.rule_set_version) == (in_force.pk, in_force.version)
    assert decision.job_order_id == placement_selectors.job_order_for_case(case_ref=case.number).pk
    assert decision.worker_id == case.worker_id and decision.actor_id == desks["DISNAKER"].pk

    step = case.steps.select_related("definition").get(code="SEL")
    services.step_start(actor=desks[step.agency_id], case_number=case.number, step_code="SEL")
    # the case lock, its steps, the rules' inputs, then every write in one statement (on PostgreSQL; elsewhere
    # the WITH's parts run one by one), inside the test's savepoint
    postgres = services.fastsql._connection().vendor == "postgresql"
    with django_assert_num_queries(6) if postgres else contextlib.nullcontext() as seen:
        services.step_complete(actor=desks[step.agency_id], case_number=case.number, step_code="SEL",
                               outcome=factories.outcome(step.definition.outcome_type))
    if postgres:
        sql = [q["sql"] for q in seen.captured_queries][1:-1]
        assert sql[-1].startswith("WITH ") and "INSERT INTO \"placement_decision\"" in sql[-1]
        assert "placement_ruleset" in sql[2] and "placement_joborder" in sql[2]
    assert completions.all().count() == 2


def test_case_without_legal_job_order_or_consent_is_refused(desks):
    w = factories.worker("32.12", consent=False)
    with pytest.raises(Conflict) as exc:
        services.case_open(actor=desks["DISNAKER"], worker=w, office_code="LTSA-IDM", scheme="P2P")
    codes = {f["code"] for f in exc.value.details["fired"]}
    assert {"JOB_ORDER_REQUIRED", "FAMILY_CONSENT"} <= codes
    assert not Case.objects.filter(worker=w).exists()


def test_opening_takes_a_job_order_place_and_cancelling_releases_it(desks, worker):
    jo = factories.job_order("JO-TEST-QUOTA", positions=1)
    case = services.case_open(
        actor=desks["DISNAKER"], worker=worker, office_code="LTSA-IDM", scheme="P2P", job_order_number=jo.number
    )
    jo.refresh_from_db()
    assert jo.positions_used == 1 and case.destination_country == "HK"
    other = factories.worker("32.12", birth_date=dt.date(1991, 2, 3))
    with pytest.raises(Conflict) as exc:
        services.case_open(
            actor=desks["DISNAKER"], worker=other, office_code="LTSA-IDM", scheme="P2P", job_order_number=jo.number
        )
    assert exc.value.code == "rules_blocked"  # quota full
    services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="Calon mengundurkan diri")
    jo.refresh_from_db()
    assert jo.positions_used == 0


def test_reject_requires_reason_and_can_be_retried(desks, case):
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    with pytest.raises(ValidationFailed):
        services.step_reject(actor=desks["DISNAKER"], case_number=case.number, step_code="REG", reason=" ")
    services.step_reject(actor=desks["DISNAKER"], case_number=case.number, step_code="REG", reason="KK tidak dibawa")
    reg = case.steps.get(code="REG")
    assert reg.state == StepState.REJECTED and reg.reason == "KK tidak dibawa"
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    do_complete = services.step_complete(
        actor=desks["DISNAKER"], case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
    )
    assert do_complete.step.state == StepState.DONE


def test_rejected_step_keeps_case_from_card(desks, case):
    for code in JOURNEY_ORDER[: JOURNEY_ORDER.index("OPP") + 1]:
        if code == "SKCK":
            continue
        do(desks, case, code)
    services.step_start(actor=desks["POLRI"], case_number=case.number, step_code="SKCK")
    services.step_reject(actor=desks["POLRI"], case_number=case.number, step_code="SKCK", reason="catatan")
    assert states(case)["CARD"] == StepState.LOCKED


def test_unfit_medical_blocks_card_and_dependents(desks, case):
    do(desks, case, "REG")
    do(desks, case, "SEL")
    do(desks, case, "MED", result="unfit", valid_until=None)
    med = case.steps.get(code="MED")
    assert med.state == StepState.DONE and med.blocks_case
    assert states(case)["PA"] == StepState.LOCKED  # MED done but unfit: PA never unlocks
    # a re-examination is possible; a fit result then unlocks PA
    do(desks, case, "MED")
    assert states(case)["PA"] == StepState.READY
    assert Event.objects.filter(case=case, kind="step_rechecked").count() == 1


def test_waive_only_by_office_head_with_reason_and_never_card(desks, case):
    with pytest.raises(PermissionDenied):
        services.step_waive(actor=desks["POLRI"], case_number=case.number, step_code="SKCK", reason="tidak perlu")
    with pytest.raises(ValidationFailed):
        services.step_waive(actor=desks["HEAD"], case_number=case.number, step_code="SKCK", reason="")
    result = services.step_waive(
        actor=desks["HEAD"], case_number=case.number, step_code="SKCK", reason="Negara tujuan tidak mensyaratkan SKCK"
    )
    assert result.step.state == StepState.WAIVED
    with pytest.raises(Conflict) as exc:
        services.step_waive(actor=desks["HEAD"], case_number=case.number, step_code="CARD", reason="buru-buru")
    assert exc.value.code == "waive_not_allowed"


def test_waiving_a_prerequisite_unlocks_dependents(desks, case):
    do(desks, case, "REG")
    do(desks, case, "SEL")
    services.step_waive(actor=desks["HEAD"], case_number=case.number, step_code="MED", reason="diperiksa di RS X")
    assert states(case)["PA"] == StepState.READY


def test_office_without_desk_head_records_step(db):
    """LTSA Nunukan has no immigration desk: the head records the passport done elsewhere."""
    head = factories.head("LTSA-NNK")
    desks = {a: factories.officer("LTSA-NNK", a) for a in ("DISNAKER", "DINKES")}
    w = factories.worker("65.03")
    case = services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=w,
        office_code="LTSA-NNK",
        scheme="P2P",
    )
    for code in ("REG", "SEL", "MED", "PA"):
        step = case.steps.select_related("definition").get(code=code)
        services.step_complete(
            actor=desks[step.agency_id],
            case_number=case.number,
            step_code=code,
            outcome=factories.outcome(step.definition.outcome_type),
        )
    result = services.step_complete(
        actor=head,
        case_number=case.number,
        step_code="PASS",
        outcome=factories.outcome("passport"),
        note="Kantor Imigrasi Nunukan",
    )
    assert result.step.state == StepState.DONE
    ev = Event.objects.get(case=case, kind="step_completed", step__code="PASS")
    assert ev.payload["recorded_external"] is True
    # but the head may not do a step whose desk is present
    with pytest.raises(PermissionDenied):
        services.step_start(actor=head, case_number=case.number, step_code="BPJS")


def test_expiry_reopens_step_and_dependents(desks, case):
    for code in ("REG", "SEL", "MED", "PA", "PASS"):
        do(desks, case, code)
    med = case.steps.get(code="MED")
    later = med.valid_until + dt.timedelta(days=1)
    result = services.steps_expire_due(today=later, case_numbers=[case.number])
    assert result == {case.number: ["MED"]}
    s = states(case)
    assert s["MED"] == StepState.EXPIRED
    assert s["PA"] == StepState.LOCKED and s["PASS"] == StepState.LOCKED  # depended on MED: reopened
    assert s["REG"] == StepState.DONE and s["SEL"] == StepState.DONE  # unrelated: kept
    assert Event.objects.filter(case=case, kind="step_relocked").count() >= 2
    # the expired step can be done again, and then its dependents unlock
    do(desks, case, "MED")
    assert states(case)["PA"] == StepState.READY


def test_one_active_case_per_worker(desks, case, worker):
    with pytest.raises(Conflict) as exc:
        services.case_open(
            job_order_number=factories.job_order().number,
            actor=desks["DISNAKER"],
            worker=worker,
            office_code="LTSA-IDM",
            scheme="P2P",
        )
    assert exc.value.code == "case_active_exists"
    services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="Calon mengundurkan diri")
    again = services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    assert again.status == CaseStatus.OPEN


def test_cancelled_case_is_frozen(desks, case):
    services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="Calon mengundurkan diri")
    with pytest.raises(Conflict) as exc:
        services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    assert exc.value.code == "case_closed"


def test_only_manpower_desk_or_head_opens_case(desks, worker):
    with pytest.raises(PermissionDenied):
        services.case_open(
            job_order_number=factories.job_order().number,
            actor=desks["DINKES"],
            worker=worker,
            office_code="LTSA-IDM",
            scheme="P2P",
        )
    with pytest.raises(NotFound):
        services.case_open(
            job_order_number=factories.job_order().number,
            actor=desks["DISNAKER"],
            worker=worker,
            office_code="NOPE",
            scheme="P2P",
        )
    with pytest.raises(ValidationFailed):
        services.case_open(
            job_order_number=factories.job_order().number,
            actor=desks["DISNAKER"],
            worker=worker,
            office_code="LTSA-IDM",
            scheme="XYZ",
        )


def test_open_case_is_pinned_to_its_process_version(desks, case, worker):
    """A new version of the process does not change a case that started on the old one."""
    import json
    from pathlib import Path

    import satuatap.reference

    path = Path(satuatap.reference.__file__).parent / "data" / "processes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    p2p = json.loads(json.dumps(next(p for p in data["processes"] if p["code"] == "P2P")))
    p2p["version"] = 2
    p2p["effective_from"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    p2p["steps"] = [s for s in p2p["steps"] if s["code"] != "BANK"]
    reference_services.process_definition_load(data={"processes": [p2p]})
    assert ProcessDefinition.objects.filter(code="P2P", version=2).exists()
    case.refresh_from_db()
    assert case.process.version == 1
    assert "BANK" in states(case)
    do(desks, case, "REG")  # still works on v1
    other = factories.worker("32.12", birth_date=dt.date(1990, 1, 2), sex="L")
    newer = services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=other,
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    assert newer.process.version == 2 and "BANK" not in states(newer)


def test_events_are_append_only(case):
    event = case.events.first()
    event.reason = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_case_version_increments_on_each_change(desks, case):
    v = Case.objects.get(pk=case.pk).version
    do(desks, case, "REG")
    assert Case.objects.get(pk=case.pk).version == v + 2  # start + complete
    assert Step.objects.get(case=case, code="REG").version == 4  # created 1, unlock, start, complete


def test_validity_period_from_process_data_when_the_outcome_has_none(desks, case):
    from satuatap.reference.models import StepDefinition

    reg_def = case.steps.get(code="REG").definition
    StepDefinition.objects.filter(pk=reg_def.pk).update(validity_days=30)
    from satuatap.reference.cache import ttl_cache_clear

    ttl_cache_clear()
    try:
        result = do(desks, case, "REG")
        assert result.step.valid_until == timezone.localdate() + dt.timedelta(days=30)
    finally:
        ttl_cache_clear()
