"""Outcome forms generated from the journey's pydantic models, and the DAG layout of the case page."""

from __future__ import annotations

import random

import pytest
from django import forms
from django.utils import timezone

from satuatap.journey.outcomes import OUTCOME_TYPES, validate_outcome
from satuatap.web import dag
from satuatap.web.demo import sample_outcome
from satuatap.web.forms import outcome_form_class


def as_post(outcome: dict, form_class) -> dict:
    """What a browser would send for this outcome (ticks as "on", lists as repeated keys)."""
    data = {}
    for name, value in outcome.items():
        if name not in form_class.base_fields:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


@pytest.mark.parametrize("outcome_type", sorted(OUTCOME_TYPES))
def test_every_outcome_type_round_trips_through_its_form(outcome_type):
    today = timezone.localdate()
    sample = sample_outcome(outcome_type, random.Random(3), today)
    form_class = outcome_form_class(outcome_type)
    assert "note" in form_class.base_fields
    assert set(sample) <= set(form_class.base_fields), outcome_type
    form = form_class(as_post(sample, form_class))
    assert form.is_valid(), form.errors
    clean = validate_outcome(outcome_type, form.outcome(), today=today)
    for key, value in sample.items():
        assert clean.data[key] == (sorted(value) if isinstance(value, list) else value)


def test_field_kinds_follow_the_schema():
    med = outcome_form_class("medical").base_fields
    assert isinstance(med["result"], forms.ChoiceField) and isinstance(med["result"].widget, forms.RadioSelect)
    assert isinstance(med["valid_until"], forms.DateField) and not med["valid_until"].required
    assert med["certificate_number"].required and med["certificate_number"].max_length == 100
    reg = outcome_form_class("registration").base_fields
    assert isinstance(reg["identity_checked"], forms.BooleanField) and reg["identity_checked"].required
    bpjs = outcome_form_class("bpjs").base_fields
    assert isinstance(bpjs["programs"], forms.MultipleChoiceField) and bpjs["programs"].initial == ["JKK", "JKM"]
    assert outcome_form_class("contract").base_fields["contract_months"].max_value == 60
    assert outcome_form_class("visa").base_fields["visa_type"].initial == "work"


def test_dag_depths_and_layout():
    items = [("REG", [], "r"), ("SEL", ["REG"], "s"), ("MED", ["REG"], "m"), ("PA", ["SEL", "MED"], "p"),
             ("OPP", ["MED", "PA"], "o"), ("X", ["UNKNOWN"], "x")]
    assert dag.depths({c: p for c, p, _ in items}) == {"REG": 0, "SEL": 1, "MED": 1, "PA": 2, "OPP": 3, "X": 0}
    graph = dag.layout(items)
    nodes = {n.code: n for n in graph.nodes}
    assert (nodes["SEL"].row, nodes["MED"].row) == (0, 1) and nodes["X"].row == 1
    assert graph.columns == 4 and graph.rows == 2
    assert len(graph.edges) == 6  # the unknown prerequisite draws nothing
    assert graph.width > nodes["OPP"].x and graph.height > nodes["MED"].y
    assert all(e.path.startswith("M") for e in graph.edges)


def test_dag_survives_a_cycle():
    assert set(dag.depths({"A": ["B"], "B": ["A"]})) == {"A", "B"}
