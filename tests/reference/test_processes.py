"""Process definitions are versioned and immutable: changed content needs a new version with an effective date."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from satuatap.core.errors import Conflict, NotFound, ValidationFailed
from satuatap.reference import selectors, services
from satuatap.reference.models import ProcessDefinition


def _shipped() -> dict:
    return json.loads((services.DATA_DIR / "processes.json").read_text(encoding="utf-8"))


def _p2p_v1() -> dict:
    return copy.deepcopy(next(p for p in _shipped()["processes"] if p["code"] == "P2P" and p["version"] == 1))


def _first_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@pytest.mark.django_db
def test_shipped_processes_are_loaded_with_their_hash():
    for p in _shipped()["processes"]:
        stored = ProcessDefinition.objects.get(code=p["code"], version=p["version"])
        assert stored.source_hash == services.process_source_hash(p)
        assert [s.code for s in stored.steps.order_by("sort_order")] == [s["code"] for s in p["steps"]]
    step = ProcessDefinition.objects.get(code="P2P", version=1).steps.get(code="SKCK")
    assert (step.agency_id, int(step.fee_amount)) == ("POLRI", 30000)


@pytest.mark.django_db
def test_loading_the_same_data_again_creates_nothing():
    counts = services.process_definition_load(data=_shipped())
    assert counts["created"] == 0


@pytest.mark.django_db
def test_changed_definition_with_the_same_version_is_refused():
    changed = _p2p_v1()
    changed["steps"][0]["sla_working_days"] = 5
    stored = ProcessDefinition.objects.get(code="P2P", version=1)

    with pytest.raises(Conflict) as exc:
        services.process_definition_load(data={"processes": [changed]})

    err = exc.value
    assert err.code == "process_version_changed"
    assert "versi baru" in err.message and "new version" in err.message_en
    assert err.details["suggested_version"] == 2
    stored.refresh_from_db()
    assert stored.source_hash == services.process_source_hash(_p2p_v1())
    assert stored.steps.get(code="REG").sla_working_days == 2


@pytest.mark.django_db
def test_new_version_loads_and_current_is_chosen_by_effective_date():
    today = dt.date(2026, 11, 23)
    next_month = _first_of_next_month(today)
    v2 = _p2p_v1()
    v2.update(version=2, effective_from=next_month.isoformat(), name="P to P (revisi)")
    v2["steps"][0]["sla_working_days"] = 1

    counts = services.process_definition_load(data={"processes": [_p2p_v1(), v2]})
    assert counts["created"] == 1

    assert selectors.process_current(scheme="P2P", on=today).version == 1
    assert selectors.process_current(scheme="P2P", on=next_month - dt.timedelta(days=1)).version == 1
    current = selectors.process_current(scheme="P2P", on=next_month)
    assert current.version == 2
    assert current.steps.get(code="REG").sla_working_days == 1
    assert selectors.process_current(scheme="G2G", on=next_month).code == "G2G"  # other schemes untouched


@pytest.mark.django_db
def test_same_effective_date_prefers_the_higher_version():
    v3 = _p2p_v1()
    v3["version"] = 3
    services.process_definition_load(data=v3)  # a single process dict is accepted too
    assert selectors.process_current(scheme="P2P", on=dt.date(2026, 1, 1)).version == 3


@pytest.mark.django_db
def test_no_process_in_force_is_not_found():
    with pytest.raises(NotFound) as exc:
        selectors.process_current(scheme="P2P", on=dt.date(2000, 1, 1))
    assert exc.value.code == "process_not_found"
    with pytest.raises(NotFound):
        selectors.process_get(code="P2P", version=99)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "detail"),
    [
        (lambda p: p["steps"][0].update(prerequisites=["DEP"]), "cycle"),
        (lambda p: p["steps"][1].update(agency="NOPE"), "unknown agency"),
        (lambda p: p["steps"][1].update(prerequisites=["XYZ"]), "unknown prerequisites"),
        (lambda p: p.update(scheme="ILLEGAL"), "unknown scheme"),
        (lambda p: p["steps"].append(copy.deepcopy(p["steps"][0])), "duplicate"),
    ],
)
def test_invalid_definitions_are_refused(mutate, detail):
    p = _p2p_v1()
    p["version"] = 7
    mutate(p)
    with pytest.raises(ValidationFailed) as exc:
        services.process_definition_load(data={"processes": [p]})
    assert exc.value.code == "process_definition_invalid"
    assert detail in exc.value.message_en
    assert not ProcessDefinition.objects.filter(code="P2P", version=7).exists()
