"""Step notifications to candidates, written inside the journey's own transaction
(`journey.services.on_case_change_in_transaction`): the message row exists exactly when the step change does
(transactional outbox); delivery is queued after commit by `notify.services.message_queue`. The dedupe key
per event keeps a retried change from queuing the same message twice.
"""

from __future__ import annotations

import logging

from satuatap.journey.models import Event
from satuatap.journey.services import CaseChange
from satuatap.notify import services
from satuatap.notify.models import Channel
from satuatap.reference import selectors as reference_selectors

log = logging.getLogger(__name__)

# event kind -> message template
STEP_TEMPLATES = {"step_completed": "step_completed", "step_rejected": "step_rejected"}


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0][:40]


def on_step_change(change: CaseChange) -> None:
    """Queue an SMS to the worker for each step completed or rejected in this change."""
    if not STEP_TEMPLATES.keys() & set(change.kinds):
        return
    if change.events:  # inside the transaction the journey hands over its rows: nothing to read again
        events = [e for e in change.events if e.kind in STEP_TEMPLATES]
    else:
        events = list(
            Event.objects.filter(pk__in=change.event_ids, kind__in=STEP_TEMPLATES.keys())
            .select_related("step__definition", "case__worker")
            .order_by("id")
        )
    for event in events:
        worker = event.case.worker
        if not worker.phone or event.step is None:
            continue
        definition = event.step.definition
        services.message_queue(
            channel=Channel.SMS,
            recipient=worker.phone,
            template=STEP_TEMPLATES[event.kind],
            context={
                "name": _first_name(worker.name),
                "case_number": event.case.number,
                "step_code": event.step.code,
                "step_name_id": definition.name_id,
                "step_name_en": definition.name_en,
                "reason": event.reason,
                "office": reference_selectors.office_info(event.case.office_id).name,
            },
            language="id",
            ref=f"case:{event.case.number}",
            dedupe_key=f"journey-event:{event.pk}:sms",
        )
