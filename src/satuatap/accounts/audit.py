"""Recording reads of full personal records, with the reason rule (used by API operations and pages).

Writes of an entry are `services.audit_record`; the rule deciding when a reason is needed is
`selectors.full_record_read_needs_reason`. This module joins the two for the callers.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from satuatap.accounts import selectors, services
from satuatap.accounts.models import AuditAction, AuditEntry
from satuatap.core.errors import PermissionDenied

# API clients give the reason in this header (pages ask for it with a small form).
REASON_HEADER = "X-Access-Reason"
REASON_MIN_LENGTH = 10


# A case closed (departed or cancelled) this recently is still its office's daily work: follow-ups, the card,
# the first complaints after departure. Older closed cases are history: opening one needs a reason.
RECENTLY_CLOSED = dt.timedelta(days=30)
ACTIVE_CASE_STATES = frozenset({"open", "ready_to_depart"})


def case_in_daily_work(*, status: str, closed_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """An open or ready case, or one closed within RECENTLY_CLOSED (see selectors.full_record_read_needs_reason)."""
    if status in ACTIVE_CASE_STATES:
        return True
    return closed_at is None or (now or timezone.now()) - closed_at <= RECENTLY_CLOSED


class AccessReasonRequired(PermissionDenied):
    """The read is outside the reader's normal work and no reason was given: 428, give one and retry."""

    status = 428


def request_reason(request) -> str:
    return (request.headers.get(REASON_HEADER) or "").strip()


def reason_is_enough(reason: str) -> bool:
    return len((reason or "").strip()) >= REASON_MIN_LENGTH


# A reason given on a page's form holds for this session for a working day, per record (the user comes back to
# the record several times while doing the task the reason names); every opening is still recorded with it.
# The case page (web.views.case) keys its grants by case number.
REASON_SESSION_KEY = "satuatap_access_reasons"
REASON_VALID_SECONDS = 8 * 3600


def reason_grant(request, key: str, reason: str) -> None:
    """Remember in the session the reason given on a form for opening the record named `key`."""
    grants = dict(request.session.get(REASON_SESSION_KEY, {}))
    grants[key] = {"reason": reason.strip(), "at": dt.datetime.now(dt.UTC).timestamp()}
    request.session[REASON_SESSION_KEY] = grants


def reason_granted(request, key: str) -> str:
    """The reason given in this session for the record named `key`, while it holds; "" when none."""
    grant = request.session.get(REASON_SESSION_KEY, {}).get(key)
    if not grant or dt.datetime.now(dt.UTC).timestamp() - grant.get("at", 0) > REASON_VALID_SECONDS:
        return ""
    return grant.get("reason", "")


def record_full_read(
    *,
    request,
    actor,
    object_type: str,
    object_id: object,
    subject_worker_id: int | None,
    office_id: str | None,
    active: bool = True,
    reason: str | None = None,
    action: str = AuditAction.READ,
    details: dict | None = None,
) -> AuditEntry:
    """Record one read of a full personal record; refuse it when a reason is needed and none was given."""
    given = request_reason(request) if reason is None else reason.strip()
    if selectors.full_record_read_needs_reason(actor, office_id=office_id, active=active) and not reason_is_enough(
        given
    ):
        raise AccessReasonRequired(
            f"Data ini di luar pekerjaan rutin Anda: sebutkan alasan membukanya (minimal {REASON_MIN_LENGTH} "
            f"karakter, header {REASON_HEADER}). Alasan dicatat dalam log audit.",
            f"This record is outside your normal work: give the reason for opening it (at least "
            f"{REASON_MIN_LENGTH} characters, header {REASON_HEADER}). The reason is kept in the audit log.",
            code="access_reason_required",
            details={"header": REASON_HEADER, "min_length": REASON_MIN_LENGTH},
        )
    return services.audit_record(
        actor=actor, request=request, action=action, object_type=object_type, object_id=object_id,
        subject_worker_id=subject_worker_id, reason=given, details=details,
    )
