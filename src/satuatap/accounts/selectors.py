"""Reads for accounts, and the role rules other apps ask about a user."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from satuatap.accounts.models import AuditEntry, Role, User


def user_is_company_user(user: User | None) -> bool:
    """A placement company's user (an active membership in placement): never an officer, whatever their role.

    Read through the reverse one-to-one relation so accounts need not import placement; company users are
    created with a harmless role (often monitor) and must not inherit that role's reach.
    """
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    cached = getattr(user, "_placement_company_id", None)
    if cached is not None:
        return bool(cached)
    try:
        membership = user.company_membership
    except ObjectDoesNotExist:
        return False
    return bool(membership.is_active)


def user_is_admin(user: User) -> bool:
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def user_can_act_for(user: User, *, office_id: str, agency_id: str) -> bool:
    """A desk officer acts only for their own agency at their own office."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.DESK_OFFICER
        and user.office_id == office_id
        and user.agency_id == agency_id
    )


def user_is_checkpoint_officer(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.CHECKPOINT_OFFICER


def user_heads_office(user: User, *, office_id: str) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.OFFICE_HEAD and user.office_id == office_id


def user_can_read_office(user: User, *, office_id: str, office_region_code: str) -> bool:
    """Office staff read their office; monitors read offices in their region (or all when national)."""
    if not (user.is_authenticated and user.is_active) or user_is_company_user(user):
        return False
    if user_is_admin(user):
        return True
    if user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD):
        return user.office_id == office_id
    if user.role == Role.MONITOR:
        return user.region_id is None or office_region_code.startswith(user.region_id)
    return False


def users_list(*, office_id: str | None = None):
    qs = User.objects.select_related("office", "agency", "region").order_by("username")
    if office_id:
        qs = qs.filter(office_id=office_id)
    return qs


# Agencies whose desk work needs the full identity number (registration and civil registration).
FULL_NIK_AGENCIES = frozenset({"DISNAKER", "DUKCAPIL"})
# Health outcome details are for the health desk and the office head only (UU 27/2022: health data is specific);
# a medical step's outcome, its rejection reason and its events' reasons are hidden from everyone else.
HEALTH_AGENCIES = frozenset({"DINKES"})


def user_sees_full_nik(user: User) -> bool:
    if not getattr(user, "is_authenticated", False) or user_is_company_user(user):
        return False
    if user_is_admin(user) or user.role == Role.OFFICE_HEAD:
        return True
    return user.role == Role.DESK_OFFICER and user.agency_id in FULL_NIK_AGENCIES


def user_sees_health_details(user: User) -> bool:
    """The health desk and the office head (and the worker, on their own status page and export); not admins:
    running the system is no reason to read medical results (UU 27/2022 art. 4: health data is specific)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user_is_company_user(user):
        return False
    if user.role == Role.OFFICE_HEAD:
        return True
    return user.role == Role.DESK_OFFICER and user.agency_id in HEALTH_AGENCIES


# The Crisis Center is staffed from the complaints & information desk (BP3MI/KP2MI) and BP3MI itself.
CRISIS_AGENCIES = frozenset({"INFO", "BP3MI"})


def user_is_crisis_desk(user: User | None) -> bool:
    """An active admin, or a desk officer of a Crisis Center agency (INFO or BP3MI)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user_is_admin(user) or (user.role == Role.DESK_OFFICER and user.agency_id in CRISIS_AGENCIES)


# --- audit log ---------------------------------------------------------------------------------------------------

def user_reads_audit(user: User | None) -> bool:
    """Auditors (and admins) search and export the audit log; nobody else sees it."""
    return bool(user is not None and user.is_authenticated and user.is_active and not user_is_company_user(user)
                and (user.role == Role.AUDITOR or user_is_admin(user)))


def full_record_read_needs_reason(user: User, *, office_id: str | None, active: bool) -> bool:
    """Whether opening a named personal record (a case or a worker) is outside the reader's normal work.

    The rule: a desk officer reading a case of their own office, or a worker's record (`office_id=None`: not
    bound to an office; identity desks look workers up all day), is normal work (a case passes through every
    desk); so is an office head reading an active case (open or ready to depart) of their office or a worker's
    record ("active" = open, ready to depart, or closed less than 30 days ago: audit.case_in_daily_work).
    Everything else that the scope rules still allow needs a written reason, kept in the audit log: an office
    head opening a case closed longer ago, a monitor opening any named record (monitors work with statistics),
    an admin opening one. Records outside a user's office or region are refused before this question arises.
    """
    if user_is_admin(user):
        return True
    if user.role == Role.DESK_OFFICER:
        return office_id is not None and user.office_id != office_id
    if user.role == Role.OFFICE_HEAD:
        return office_id is not None and (user.office_id != office_id or not active)
    return True


def audit_entries(
    *,
    username: str | None = None,
    worker_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries matching every given filter, newest first; dates are local (Asia/Jakarta) days, inclusive."""
    qs = AuditEntry.objects.all()
    if username:
        qs = qs.filter(username__iexact=username.strip())
    if worker_id:
        qs = qs.filter(subject_worker_id=worker_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    if action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if q:
        term = q.strip()
        qs = qs.filter(Q(object_id=term) | Q(username__iexact=term) | Q(path__icontains=term)
                       | Q(reason__icontains=term))
    return qs.order_by("-at", "-id")


AUDIT_CSV_COLUMNS = ("id", "at", "username", "role", "office", "agency", "client_address", "action",
                     "object_type", "object_id", "subject_worker_id", "reason", "method", "path")


def audit_csv_rows(entries) -> Iterator[str]:
    """The entries as CSV text, header first, one chunk per row (for a streaming response); times in local time."""
    buf = io.StringIO()
    writer = csv.writer(buf)

    def flush() -> str:
        out = buf.getvalue()
        buf.seek(0)
        buf.truncate(0)
        return out

    writer.writerow(AUDIT_CSV_COLUMNS)
    yield flush()
    for e in entries.iterator(chunk_size=2000):
        writer.writerow([
            e.pk, timezone.localtime(e.at).isoformat(timespec="seconds"), e.username, e.role, e.office_id,
            e.agency_id, e.client_address, e.action, e.object_type, e.object_id,
            e.subject_worker_id if e.subject_worker_id is not None else "", _csv_safe(e.reason), e.method,
            _csv_safe(e.path),
        ])
        yield flush()


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
