"""The journey engine tells the cards app about case changes inside the change's own transaction
(`journey.services.on_case_change_in_transaction`), so every path that completes CARD (API, case page, demo)
issues the card, a reopened CARD step or a cancelled case revokes it, and a completed DEP needs a valid card and
keeps where the worker went, all atomically with the change: if signing fails or the card was revoked, the step
is not completed.

The journey hands over its event rows (with step and definition attached), so a change that concerns no card
costs no query here.
"""

from __future__ import annotations

from satuatap.cards import services
from satuatap.journey.models import Event
from satuatap.journey.services import CaseChange

KINDS = frozenset({"step_completed", "step_relocked", "case_status_changed"})
CARD_OUTCOMES = ("card", "departure")


def _events(change: CaseChange) -> list[Event]:
    if change.events:
        return [e for e in change.events if e.kind in KINDS]
    return list(Event.objects.filter(pk__in=change.event_ids, kind__in=KINDS)
                .select_related("step__definition", "actor").order_by("id"))


def _outcome_type(event: Event) -> str:
    return event.step.definition.outcome_type if event.step is not None else ""


def on_case_change(change: CaseChange) -> None:
    if not KINDS.intersection(change.kinds):
        return
    # Inside the change's transaction the journey hands over the case it holds locked and its steps.
    locked = {"case": change.events[0].case, "steps": change.steps} if change.events and change.steps else {}
    for event in _events(change):
        kind, outcome_type = event.kind, _outcome_type(event)
        if kind == "step_completed" and outcome_type == "card":
            services.card_issue(case_id=change.case_id, actor=event.actor,
                                blank_serial=str(event.step.outcome.get("card_number", "")), **locked)
        elif kind == "step_completed" and outcome_type == "departure":
            services.departure_require_card(case_id=change.case_id)
            services.abroad_record(case_id=change.case_id, outcome=event.step.outcome, **locked)
        elif kind == "step_relocked" and outcome_type == "card":
            # A prerequisite of CARD expired after issuance (e.g. the medical certificate): the card no longer
            # stands on its checks, so it is revoked; completing CARD again issues a new one.
            services.cards_revoke_for_case(case_id=change.case_id, actor=event.actor,
                                           reason="Langkah CARD dibuka ulang: prasyarat kedaluwarsa / "
                                                  "CARD step reopened: a prerequisite expired")
        elif kind == "case_status_changed" and event.to_state == "cancelled":
            services.cards_revoke_for_case(case_id=change.case_id, actor=event.actor,
                                           reason=f"Kasus dibatalkan / case cancelled: {event.reason}"[:2000])
