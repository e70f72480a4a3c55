"""The office-classification rubric: each boundary of every criterion and of the classes, versions that take
effect from their month without rewriting past results, and a hand-made office classified from its data."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from satuatap.core.errors import Conflict, ValidationFailed
from satuatap.journey.models import Case, Event
from satuatap.monitoring import rubric as rubric_mod
from satuatap.monitoring import selectors, services
from satuatap.monitoring.models import OfficeClassification, Rubric
from satuatap.monitoring.rubric import Metric
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Agency, Office
from tests import factories

RUBRIC = json.loads((services.DATA_DIR / "rubric.json").read_text())["rubrics"][0]
CRITERIA = {c["id"]: c for c in RUBRIC["criteria"]}


def _row(criterion_id: str, value):
    return rubric_mod.score_criterion(CRITERIA[criterion_id], Metric(value))


@pytest.mark.parametrize(
    "criterion_id, value, level",
    [
        ("desks_present", 8, "full"), ("desks_present", 7, "partial"), ("desks_present", 6, "partial"),
        ("desks_present", 5, "none"),
        ("sla_compliance", 0.9, "full"), ("sla_compliance", 0.8999, "partial"), ("sla_compliance", 0.75, "partial"),
        ("sla_compliance", 0.7499, "none"),
        ("median_days_to_ready", 14, "full"), ("median_days_to_ready", 14.1, "partial"),
        ("median_days_to_ready", 30, "partial"), ("median_days_to_ready", 30.1, "none"),
        ("median_queue_wait", 900, "full"), ("median_queue_wait", 901, "partial"),
        ("median_queue_wait", 1800, "partial"), ("median_queue_wait", 1801, "none"),
        ("open_days_share", 0.95, "full"), ("open_days_share", 0.9499, "partial"),
        ("open_days_share", 0.8, "partial"), ("open_days_share", 0.7999, "none"),
        ("complaint_handling", 0.9, "full"), ("complaint_handling", 0.8999, "partial"),
        ("complaint_handling", 0.7, "partial"), ("complaint_handling", 0.6999, "none"),
    ],
)
def test_each_criterion_boundary(criterion_id, value, level):
    row = _row(criterion_id, value)
    weight = CRITERIA[criterion_id]["weight"]
    assert row["level"] == level
    assert row["points"] == {"full": weight, "partial": weight / 2, "none": 0}[level]
    assert row["reason_id"] and row["reason_en"]


def test_missing_data_is_not_scored_and_does_not_count_against_the_office():
    row = _row("median_queue_wait", None)
    assert row["scored"] is False and row["points"] is None and "Tidak dinilai" in row["reason_id"]
    full = {c: Metric(CRITERIA[c]["full"]) for c in CRITERIA}
    full["median_queue_wait"] = Metric(None, "data antrean belum tersedia", "queue data not available yet")
    result = rubric_mod.classify(RUBRIC, full)
    assert result.score == Decimal("100.0") and result.klass == "optimal"


def _metrics_scoring(points_by_criterion: dict[str, str]) -> dict[str, Metric]:
    out = {}
    for cid, level in points_by_criterion.items():
        c = CRITERIA[cid]
        if level == "full":
            out[cid] = Metric(c["full"])
        elif level == "partial":
            out[cid] = Metric(c["partial"])
        else:
            worse = c["partial"] - 1 if c["direction"] == "higher" else c["partial"] + 1
            out[cid] = Metric(worse)
    return out


def test_class_boundaries():
    # weights: desks 20, sla 25, days 20, queue 10, open days 15, complaints 10 = 100
    exactly_80 = _metrics_scoring({"desks_present": "full", "sla_compliance": "full", "median_days_to_ready": "full",
                                   "median_queue_wait": "none", "open_days_share": "full",
                                   "complaint_handling": "none"})
    assert rubric_mod.classify(RUBRIC, exactly_80).score == Decimal("80.0")
    assert rubric_mod.classify(RUBRIC, exactly_80).klass == "optimal"
    below_80 = _metrics_scoring({"desks_present": "full", "sla_compliance": "full", "median_days_to_ready": "full",
                                 "median_queue_wait": "none", "open_days_share": "partial",
                                 "complaint_handling": "partial"})  # 20+25+20+0+7.5+5 = 77.5
    assert rubric_mod.classify(RUBRIC, below_80).klass == "optimal_sedang"
    exactly_60 = _metrics_scoring({"desks_present": "full", "sla_compliance": "full", "median_days_to_ready": "none",
                                   "median_queue_wait": "none", "open_days_share": "full",
                                   "complaint_handling": "none"})  # 20+25+15 = 60
    assert rubric_mod.classify(RUBRIC, exactly_60).klass == "optimal_sedang"
    below_60 = _metrics_scoring({"desks_present": "full", "sla_compliance": "full", "median_days_to_ready": "none",
                                 "median_queue_wait": "none", "open_days_share": "partial",
                                 "complaint_handling": "partial"})  # 20+25+7.5+5 = 57.5
    result = rubric_mod.classify(RUBRIC, below_60)
    assert result.score == Decimal("57.5") and result.klass == "belum_optimal"


def test_too_little_data_is_not_classified():
    only_desks = {"desks_present": Metric(8)}  # weight 20 < min_scored_weight 40
    result = rubric_mod.classify(RUBRIC, only_desks)
    assert result.klass == rubric_mod.NOT_CLASSIFIED and result.score is None


def test_invalid_rubric_is_refused():
    bad = copy.deepcopy(RUBRIC)
    bad["criteria"][0]["partial"] = 9  # partial better than full
    with pytest.raises(ValidationFailed):
        rubric_mod.validate(bad)
    with pytest.raises(ValidationFailed):
        rubric_mod.month_parse("2026-13")


# --- versions in the database --------------------------------------------------------------------------------

def _v2(month: str = "2026-11") -> dict:
    v2 = copy.deepcopy(RUBRIC)
    v2.update(version=2, effective_month=month, name="Rubrik 2026-11")
    for c in v2["criteria"]:
        if c["id"] == "desks_present":
            c["full"], c["partial"] = 7, 5  # desks count easier from November
    return v2


@pytest.mark.django_db
def test_loader_is_idempotent_and_refuses_a_changed_version():
    assert services.rubric_load()["created"] == 1
    assert services.rubric_load()["created"] == 0
    changed = copy.deepcopy(RUBRIC)
    changed["criteria"][0]["weight"] = 30
    with pytest.raises(Conflict) as err:
        services.rubric_load(data={"rubrics": [changed]})
    assert err.value.code == "rubric_version_changed"


def _office_without(*desks: str) -> Office:
    office = Office.objects.create(code=f"T-{'-'.join(desks) or 'ALL'}"[:20], name="LTSA Uji", regency_id="32.12")
    office.desks.set(Agency.objects.exclude(code__in=desks))
    return office


@pytest.mark.django_db
def test_rubric_change_takes_effect_from_its_month_without_rewriting_the_past():
    services.rubric_load()
    office = _office_without("IMIGRASI")  # 7 of 8 desks: partial under v1, full under v2
    october, november = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    [oct_v1] = services.offices_classify(month=october, office_ids=[office.code], today=dt.date(2026, 11, 30))
    services.rubric_load(data={"rubrics": [RUBRIC, _v2()]})
    [oct_again] = services.offices_classify(month=october, office_ids=[office.code], today=dt.date(2026, 11, 30))
    [nov] = services.offices_classify(month=november, office_ids=[office.code], today=dt.date(2026, 11, 30))
    assert oct_again.pk == oct_v1.pk and oct_again.rubric.version == 1
    desks_oct = next(c for c in oct_again.criteria if c["id"] == "desks_present")
    desks_nov = next(c for c in nov.criteria if c["id"] == "desks_present")
    assert desks_oct["level"] == "partial" and desks_oct["value"] == 7
    assert nov.rubric.version == 2 and desks_nov["level"] == "full"
    assert "IMIGRASI" in desks_oct["reason_id"]
    # a version that would take effect in a month already classified is refused
    with pytest.raises(Conflict) as err:
        services.rubric_load(data={"rubrics": [{**_v2("2026-10"), "version": 3}]})
    assert err.value.code == "rubric_effective_in_past"
    assert selectors.rubric_in_force(month=dt.date(2026, 12, 1)).version == 2
    assert selectors.rubric_in_force(month=october).version == 1


# --- a hand-made office classified from its own data ---------------------------------------------------------

def _event(case: Case, kind: str, at: dt.datetime, **kw) -> Event:
    return Event.objects.create(case=case, office_id=case.office_id, kind=kind, created_at=at, **kw)


@pytest.mark.django_db
def test_hand_made_office_classified_from_its_data():
    services.rubric_load()
    office = _office_without("IMIGRASI", "POLRI")  # 6 of 8 desks: partial
    tz = timezone.get_current_timezone()
    process = reference_selectors.process_current(scheme="P2P", on=dt.date(2026, 10, 1))
    case = Case.objects.create(number="T-CASE-1", worker=factories.worker(), office=office, scheme="P2P",
                               process=process, opened_at=dt.datetime(2026, 10, 1, 9, tzinfo=tz),
                               updated_at=dt.datetime(2026, 10, 1, 9, tzinfo=tz))
    _event(case, "case_opened", dt.datetime(2026, 10, 1, 9, tzinfo=tz), to_state="open")
    # activity on every working day of October 2026
    working = selectors._working_days(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    for day in working:
        _event(case, "note", dt.datetime.combine(day, dt.time(10), tz))
    # 10 steps completed, 1 late -> 90 % on time (full)
    step = case.steps.create(definition_id=case.process.steps.get(code="REG").pk, code="REG", agency_id="DISNAKER",
                             state="done", due_on=dt.date(2026, 10, 5))
    for i in range(10):
        _event(case, "step_completed", dt.datetime(2026, 10, 5 if i else 6, 11, tzinfo=tz), step=step)
    # ready to depart 20 days after registration (partial)
    _event(case, "case_status_changed", dt.datetime(2026, 10, 21, 9, tzinfo=tz), to_state="ready_to_depart")
    services.rollup_run(lag=dt.timedelta(0))
    [result] = services.offices_classify(month=dt.date(2026, 10, 1), office_ids=[office.code],
                                         today=dt.date(2026, 11, 15))
    levels = {c["id"]: c["level"] for c in result.criteria}
    assert levels == {"desks_present": "partial", "sla_compliance": "full", "median_days_to_ready": "partial",
                      "median_queue_wait": "no_data", "open_days_share": "full", "complaint_handling": "no_data"}
    # (10 + 25 + 10 + 15) / 80 = 75 %
    assert result.score == Decimal("75.0") and result.klass == "optimal_sedang"
    assert OfficeClassification.objects.filter(office=office).count() == 1


@pytest.mark.django_db
def test_classify_command_prints_each_office(capsys):
    call_command("classify_offices", "--month", "2026-10", "--office", "LTSA-IDM")
    out = capsys.readouterr().out
    assert "LTSA-IDM 2026-10 v1" in out
    assert Rubric.objects.count() >= 1
