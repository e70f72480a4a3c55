"""Reads of complaints: the agents' queue and complaint page, the complainant's status page, the company's form
and the company portal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from satuatap.accounts.models import Role, User
from satuatap.core.errors import ApplicationError, NotAuthenticated, NotFound, PermissionDenied
from satuatap.crisis import deadlines, rulesets, tokens
from satuatap.crisis.access import CRISIS_AGENCIES, require_crisis_agent, user_company_id
from satuatap.crisis.complainant_secret import secret_matches
from satuatap.crisis.constants import OPEN_STATUSES, PRIORITY_RANK, Status
from satuatap.crisis.matching import MatchCandidate, match_candidates, worker_left_procedurally
from satuatap.crisis.models import (
    ClarificationRequest,
    ClarificationState,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
)
from satuatap.crisis.ruledata import CrisisRules
from satuatap.notify import selectors as notify_selectors
from satuatap.notify.models import Message
from satuatap.placement import selectors as placement_selectors
from satuatap.placement.models import Company


def _complaints() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "country", "matched_worker", "assigned_to", "match_confirmed_by", "created_by", "channel_key", "company",
        "job_order", "rule_set",
    )


def complaint_get(*, user: User, reference: str) -> Complaint:
    """A complaint, for a crisis agent."""
    require_crisis_agent(user)
    complaint = _complaints().filter(reference=(reference or "").strip().upper()).first()
    if complaint is None:
        raise NotFound(f"Pengaduan {reference} tidak ditemukan.", f"Complaint {reference} not found.",
                       code="complaint_not_found")
    return complaint


def complaint_for_complainant(*, reference: str, secret: str) -> Complaint:
    """The complaint whose reference and secret both fit; one answer for a wrong reference or a wrong secret."""
    complaint = Complaint.objects.filter(reference=(reference or "").strip().upper()).first()
    if not secret_matches(complaint.secret_hash if complaint else None, secret):
        raise NotFound("Nomor pengaduan atau kode rahasia salah.", "Wrong reference number or secret code.",
                       code="complaint_not_found")
    return complaint


def complaint_events(*, complaint: Complaint, public_only: bool = False) -> list[ComplaintEvent]:
    """The complaint's timeline, oldest first; `public_only` for the complainant's status page."""
    qs = complaint.events.select_related("actor").order_by("id")
    if public_only:
        qs = qs.filter(public=True)
    return list(qs)


def complaint_attachments(*, complaint: Complaint) -> list[ComplaintAttachment]:
    """The complaint's files, in the order they arrived."""
    return list(complaint.attachments.order_by("uploaded_at", "id"))


def complaint_attachment_get(*, user: User, reference: str, attachment_id: int) -> ComplaintAttachment:
    """One file of a complaint, for a crisis agent."""
    complaint = complaint_get(user=user, reference=reference)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Lampiran tidak ditemukan.", "Attachment not found.", code="attachment_not_found")
    return attachment


def complaint_clarifications(*, complaint: Complaint) -> list[ClarificationRequest]:
    """The clarification requests sent to companies about this complaint, oldest first."""
    return list(complaint.clarifications.select_related("asked_by", "company").order_by("asked_at", "id"))


@dataclass(frozen=True)
class PlacementChecks:
    """What placement says today about the complaint's registered company and job order (None when not linked)."""

    company: placement_selectors.CompanyCheck | None
    job_order: placement_selectors.JobOrderCheck | None
    problem: str = ""  # why a check could not be made (e.g. no placement rule set loaded)


def complaint_placement_checks(*, complaint: Complaint) -> PlacementChecks:
    """The linked company's licence status and the linked job order's legality, as the public verification says."""
    company_check = job_order_check = None
    problem = ""
    try:
        if complaint.company_id is not None:
            company_check = placement_selectors.public_company_check(company_id=complaint.company_id)
        if complaint.job_order_id is not None:
            job_order_check = placement_selectors.public_job_order_check(number=complaint.job_order.number)
    except ApplicationError as exc:
        problem = exc.message_en
    return PlacementChecks(company=company_check, job_order=job_order_check, problem=problem)


def placement_companies() -> list[Company]:
    """Registered placement companies, for an agent linking a complaint to one."""
    return list(Company.objects.only("pk", "name", "licence_number", "status").order_by("name", "pk")[:2000])


def complaint_messages(*, complaint: Complaint) -> list[Message]:
    """The outbox messages about this complaint (to the complainant and the company), with delivery state."""
    return notify_selectors.messages_for_ref(ref=f"complaint:{complaint.reference}")


def complaint_match_candidates(*, complaint: Complaint) -> list[MatchCandidate]:
    """Registry workers the complaint may be about, for the agent to confirm (NIK, passport, name + birth date)."""
    return match_candidates(nik=complaint.worker_nik, passport=complaint.worker_passport,
                            name=complaint.worker_name, birth_date=complaint.worker_birth_date)


def complaint_procedural_now(*, complaint: Complaint) -> bool | None:
    """Whether the matched worker left through the system, as the journey says today (None without a match)."""
    if complaint.matched_worker_id is None:
        return None
    return worker_left_procedurally(complaint.matched_worker)


def crisis_agents_list() -> list[User]:
    """Active crisis agents (desk officers of the complaints desk or BP3MI), for assignment."""
    return list(User.objects.filter(is_active=True, role=Role.DESK_OFFICER, agency_id__in=CRISIS_AGENCIES)
                .order_by("username")[:500])


# --- the company portal ----------------------------------------------------------------------------------

def require_company_user(user: User | None) -> int:
    """The company id of a placement-company user; NotAuthenticated / PermissionDenied otherwise."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.", "Authentication required.")
    company_id = user_company_id(user)
    if company_id is None or not user.is_active:
        raise PermissionDenied("Hanya pengguna perusahaan penempatan yang dapat membuka halaman ini.",
                               "Only placement-company users may open this page.", code="forbidden_not_company_user")
    return company_id


def _company_requests(company_id: int) -> QuerySet[ClarificationRequest]:
    # complaint facts the company needs (no complainant details, no NIK): see the portal templates
    return ClarificationRequest.objects.filter(company_id=company_id).select_related(
        "company", "complaint", "complaint__country", "complaint__job_order")


def company_clarifications(*, user: User, open_only: bool = True, limit: int = 200) -> list[ClarificationRequest]:
    """The clarification requests addressed to the user's company: open ones soonest due first, else newest first."""
    company_id = require_company_user(user)
    qs = _company_requests(company_id)
    if open_only:
        qs = qs.filter(state=ClarificationState.OPEN).order_by("due_on", "asked_at", "id")
    else:
        qs = qs.exclude(state=ClarificationState.OPEN).order_by("-asked_at", "-id")
    return list(qs[:limit])


def company_clarification_get(*, user: User, clarification_id: int) -> ClarificationRequest:
    """One clarification request, for a user of the company it is addressed to (PermissionDenied for others)."""
    company_id = require_company_user(user)
    clarification = ClarificationRequest.objects.filter(pk=clarification_id).only("pk", "company_id").first()
    if clarification is None:
        raise NotFound("Permintaan klarifikasi tidak ditemukan.", "Clarification request not found.",
                       code="clarification_not_found")
    if clarification.company_id != company_id:
        raise PermissionDenied("Permintaan klarifikasi ini ditujukan kepada perusahaan lain.",
                               "This clarification request is addressed to another company.",
                               code="forbidden_other_company")
    return _company_requests(company_id).get(pk=clarification_id)


def clarification_by_token(*, token: str) -> ClarificationRequest | None:
    """The clarification request a company's signed link points at, or None for a bad link."""
    clarification_id = tokens.clarification_id_from_token(token)
    if clarification_id is None:
        return None
    return ClarificationRequest.objects.select_related("complaint").filter(pk=clarification_id).first()


# --- the agents' queue -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    complaint: Complaint
    due_at: dt.datetime | None  # the next deadline: first response, clarification answer, or automatic closure
    due_kind: str  # "first_response" | "clarification" | the closure rule's code | ""
    time_left: dt.timedelta | None
    breached: bool
    breaching_soon: bool


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]  # every open complaint, most urgent and least time left first
    breached: list[QueueItem]  # first response overdue
    breaching_soon: list[QueueItem]  # first response due within the priority's warning window
    monitored: list[QueueItem]  # referred to another agency, still followed


def _next_deadline(complaint: Complaint, open_clarification_due: dt.date | None,
                   rules: CrisisRules) -> tuple[dt.datetime | None, str]:
    if complaint.first_responded_at is None and complaint.status == Status.REGISTERED:
        return complaint.first_response_due_at, "first_response"
    if complaint.status == Status.AWAITING_CLARIFICATION and open_clarification_due is not None:
        return deadlines.end_of_day(open_clarification_due), "clarification"
    rule = rules.closure_by_status.get(complaint.status)
    if rule is not None and rule.anchor != "clarification_asked":
        anchor_at = complaint.registered_at if rule.anchor == "registered" else complaint.status_changed_at
        last_day = deadlines.rule_last_day(rule, deadlines.today_local(anchor_at))
        return deadlines.end_of_day(last_day), rule.code
    return None, ""


def complaints_queue(*, user: User, now: dt.datetime | None = None, mine: bool = False,
                     category: str | None = None) -> Queue:
    """Open complaints sorted by urgency, then time left; with the breached and breaching-soon first responses."""
    require_crisis_agent(user)
    now = now or timezone.now()
    qs = _complaints().filter(status__in=OPEN_STATUSES)
    if mine:
        qs = qs.filter(assigned_to=user)
    if category:
        qs = qs.filter(category=category)
    complaints = list(qs)
    clarification_due = dict(
        ClarificationRequest.objects.filter(complaint__in=complaints, state=ClarificationState.OPEN)
        .values_list("complaint_id", "due_on")
    )
    items = []
    rules_by_key: dict[int | dt.date, CrisisRules] = {}
    for complaint in complaints:
        # its own version; registered before versions were recorded on complaints, the one of its date
        key = complaint.rule_set_id or deadlines.today_local(complaint.registered_at)
        rules = rules_by_key.get(key)
        if rules is None:
            rules = rules_by_key[key] = rulesets.rules_for_complaint(complaint)
        due_at, kind = _next_deadline(complaint, clarification_due.get(complaint.pk), rules)
        time_left = due_at - now if due_at is not None else None
        first_response_pending = kind == "first_response"
        breached = first_response_pending and time_left is not None and time_left < dt.timedelta(0)
        soon_window = rules.first_response_targets[complaint.priority].breaching_soon
        breaching_soon = first_response_pending and not breached and time_left is not None and time_left <= soon_window
        items.append(QueueItem(complaint, due_at, kind, time_left, breached, breaching_soon))
    far = dt.timedelta(days=100000)
    items.sort(key=lambda i: (PRIORITY_RANK[i.complaint.priority], i.time_left if i.time_left is not None else far,
                              i.complaint.registered_at))
    return Queue(
        items=items,
        breached=[i for i in items if i.breached],
        breaching_soon=[i for i in items if i.breaching_soon],
        monitored=[i for i in items if i.complaint.status == Status.REFERRED],
    )


def complaints_list(*, user: User, status: str | None = None, priority: str | None = None,
                    category: str | None = None, q: str | None = None) -> QuerySet[Complaint]:
    """Complaints for crisis agents, newest first; q matches reference, names, NIK or passport."""
    require_crisis_agent(user)
    qs = _complaints()
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if category:
        qs = qs.filter(category=category)
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(Q(reference__iexact=term) | Q(worker_nik=term) | Q(worker_passport__iexact=term)
                       | Q(worker_name__icontains=term) | Q(complainant_name__icontains=term))
    return qs.order_by("-registered_at", "-id")


def complaint_statistics(*, user: User, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Complaint counts for crisis agents and monitors: total, procedural or not (did the worker leave through
    the system), by category, status and country; registration dates between `since` and `until` inclusive."""
    # Placement companies' users may hold a monitor role; they are not monitors here.
    if not (user.is_authenticated and user.role in (Role.MONITOR, Role.ADMIN) and user_company_id(user) is None):
        require_crisis_agent(user)
    qs = Complaint.objects.all()
    if since:
        qs = qs.filter(registered_at__date__gte=since)
    if until:
        qs = qs.filter(registered_at__date__lte=until)

    def counts(field: str) -> dict[str, int]:
        rows = qs.values(field).annotate(n=Count("id")).order_by(field)
        return {"" if row[field] is None else str(row[field]): row["n"] for row in rows}

    procedural = counts("procedural")
    return {
        "total": qs.count(),
        "procedural": {"yes": procedural.get("True", 0), "no": procedural.get("False", 0),
                       "unknown": procedural.get("", 0)},
        "by_category": counts("category"),
        "by_status": counts("status"),
        "by_country": counts("country"),
    }


def closure_rule_of(complaint: Complaint, code: str):
    """The closure rule named `code` in the rule-set version this complaint follows (None for an agent's own
    closure), so its wording and legal basis are the ones in force when it was registered."""
    return rulesets.rules_for_complaint(complaint).closure_by_code.get(code or "")
