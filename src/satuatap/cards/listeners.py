"""The journey engine tells the cards app about case changes inside the change's own transaction
(`journey.services.on_case_change_in_transaction`), so every path that completes CARD (API, case page, demo)
issues the card, a cancelled case's card is revoked, and a completed DEP keeps where the worker went, all
atomically with the change: if signing fails, the step is not completed."""

from __future__ import annotations

from satuatap.cards import services
from satuatap.journey.models import Event
from satuatap.journey.services import CaseChange

CARD_OUTCOMES = ("card", "departure")


def on_case_change(change: CaseChange) -> None:
    kinds = set(change.kinds)
    if "step_completed" in kinds:
        events = (Event.objects.filter(pk__in=change.event_ids, kind="step_completed",
                                       step__definition__outcome_type__in=CARD_OUTCOMES)
                  .select_related("step__definition", "actor").order_by("id"))
        for event in events:
            if event.step.definition.outcome_type == "card":
                services.card_issue(case_id=change.case_id, actor=event.actor,
                                    blank_serial=str(event.step.outcome.get("card_number", "")))
            else:
                services.abroad_record(case_id=change.case_id, outcome=event.step.outcome)
    if "step_relocked" in kinds:
        # A prerequisite of CARD was rejected or expired after issuance (e.g. the medical certificate): the card
        # no longer stands on its checks, so it is revoked; completing CARD again issues a new one.
        relocked = (Event.objects.filter(pk__in=change.event_ids, kind="step_relocked",
                                         step__definition__outcome_type="card").select_related("actor").first())
        if relocked is not None:
            services.cards_revoke_for_case(case_id=change.case_id, actor=relocked.actor,
                                           reason="Langkah CARD dibuka ulang: prasyarat ditolak atau kedaluwarsa / "
                                                  "CARD step reopened: a prerequisite was rejected or expired")
    if "case_status_changed" in kinds:
        cancelled = (Event.objects.filter(pk__in=change.event_ids, kind="case_status_changed", to_state="cancelled")
                     .select_related("actor").first())
        if cancelled is not None:
            services.cards_revoke_for_case(case_id=change.case_id, actor=cancelled.actor,
                                           reason=f"Kasus dibatalkan / case cancelled: {cancelled.reason}"[:2000])
