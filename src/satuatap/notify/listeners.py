"""Step notifications to candidates, fed by the journey's after-commit hook (`journey.services.on_case_change`).

NOTE (integration point, to be decided): the issue wants every message written in the same transaction as
the change that causes it. For step changes the only hook the journey offers today runs AFTER its commit,
so these rows are written in their own short transaction here. A crash between the journey's commit and
this function loses the SMS (the step change itself is safe). Moving the call inside the journey's
transaction (before `transaction.on_commit` in `journey.services._save`) would close that gap; the dedupe
key per event makes either placement safe against double sending.
"""

from __future__ import annotations

import logging

from django.db import transaction

from satuatap.journey.models import Event
from satuatap.journey.services import CaseChange
from satuatap.notify import services
from satuatap.notify.models import Channel

log = logging.getLogger(__name__)

# event kind -> message template
STEP_TEMPLATES = {"step_completed": "step_completed", "step_rejected": "step_rejected"}


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0][:40]


def on_step_change(change: CaseChange) -> None:
    """Queue an SMS to the worker for each step completed or rejected in this change."""
    if not STEP_TEMPLATES.keys() & set(change.kinds):
        return
    events = (
        Event.objects.filter(pk__in=change.event_ids, kind__in=STEP_TEMPLATES.keys())
        .select_related("step__definition", "case__worker", "case__office")
        .order_by("id")
    )
    with transaction.atomic():
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
                    "office": event.case.office.name,
                },
                language="id",
                ref=f"case:{event.case.number}",
                dedupe_key=f"journey-event:{event.pk}:sms",
            )
