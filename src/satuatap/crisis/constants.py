"""The Crisis Center's vocabulary, and the shapes of its first-response targets and closure rules.

The targets and closure rules themselves are versioned data (data/crisis_rules.json, loaded into
CrisisRuleSet by `load_crisis_rules`): a new rule is a new version with its effective date and legal basis,
and a complaint follows the version in force on its registration date (crisis.rulesets). The names
FIRST_RESPONSE_TARGETS, CLOSURE_RULES, CLOSURE_RULES_BY_STATUS, CLOSURE_RULES_BY_CODE, MIN_NOTICE_DAYS and
CLARIFICATION_WORKING_DAYS are still exported, read from the earliest shipped version (see `__getattr__`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Complaint categories in use at the Crisis Center (DOMAIN.md)."""

    WANTS_REPATRIATION = "wants_repatriation", _("Wants to be repatriated")
    WAGES_UNPAID = "wages_unpaid", _("Wages unpaid")
    DEPORTED = "deported", _("Deported")
    FAILED_DEPARTURE = "failed_departure", _("Failed departure")
    DEATH = "death", _("Death")
    JOB_FRAUD = "job_fraud", _("Job fraud")
    PREGNANT = "pregnant", _("Pregnant or with a child")
    SICK = "sick", _("Sick")
    SOCIAL_SECURITY_CLAIM = "social_security_claim", _("Social-security claim")
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    NOT_AS_CONTRACT = "not_as_contract", _("Work not as in the contract")
    EMPLOYER_VIOLENCE = "employer_violence", _("Violence by the employer")
    DEPRESSION = "depression", _("Depression")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    SEXUAL_HARASSMENT = "sexual_harassment", _("Sexual harassment")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


# Life and safety first: these categories are urgent (issue 7).
URGENT_CATEGORIES = frozenset({
    Category.DEATH, Category.EMPLOYER_VIOLENCE, Category.TRAFFICKING, Category.SEXUAL_HARASSMENT,
    Category.LOST_CONTACT, Category.SICK,
})
PRIORITY_RANK = {Priority.URGENT: 0, Priority.NORMAL: 1}


def priority_for(category: str) -> str:
    """Urgent for death, violence, trafficking, sexual harassment, lost contact and sickness; otherwise normal."""
    return Priority.URGENT if category in URGENT_CATEGORIES else Priority.NORMAL


@dataclass(frozen=True)
class ResponseTarget:
    """First-response target: `amount` hours (urgent) or working days (normal) after registration."""

    amount: int
    unit: str  # "hours" | "working_days"
    breaching_soon: dt.timedelta  # listed as "breaching soon" when less than this is left


# The service standard of the Crisis Center (set by the agency, not by Perban 6/2024) is in data/crisis_rules.json.
# The Crisis Center works on Jakarta time; dates of deadlines are WIB dates.
ZONE = "WIB"


class ComplainantType(models.TextChoices):
    WORKER = "worker", _("The worker")
    FAMILY = "family", _("A family member")
    LAWYER_NGO = "lawyer_ngo", _("A lawyer or NGO with power of attorney")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_RELATIVE = "other_relative", _("Other relative")


class IntakeChannel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    SOCIAL_MEDIA = "social_media", _("Social media")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


OFFICER_CHANNELS = (IntakeChannel.PHONE, IntakeChannel.WALK_IN, IntakeChannel.LETTER, IntakeChannel.SOCIAL_MEDIA)
API_CHANNELS = (IntakeChannel.WHATSAPP, IntakeChannel.SMS, IntakeChannel.EMAIL)


class ServiceType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    SOCIAL_SECURITY_CLAIM = "social_security_claim", _("Social-security claim help")
    CLARIFICATION = "clarification", _("Clarification by the company")
    MEDIATION = "mediation", _("Mediation")
    LITIGATION_SUPPORT = "litigation_support", _("Litigation support")


class Outcome(models.TextChoices):
    WAGES_RECOVERED = "wages_recovered", _("Wages recovered")
    REPATRIATED = "repatriated", _("Repatriated")
    REMAINS_RETURNED = "remains_returned", _("Remains of the deceased returned")
    CLAIM_PAID = "claim_paid", _("Insurance / social-security claim paid")
    MEDIATED = "mediated", _("Settled by mediation")
    LEGAL_AID = "legal_aid", _("Legal aid provided")
    CONTACT_RESTORED = "contact_restored", _("Contact with the worker restored")
    INFORMATION_GIVEN = "information_given", _("Information and advice given")
    OTHER = "other", _("Other")


# Outcomes whose amount (rupiah) is recorded and counted.
OUTCOMES_WITH_AMOUNT = frozenset({Outcome.WAGES_RECOVERED, Outcome.CLAIM_PAID, Outcome.MEDIATED})


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_PROGRESS = "in_progress", _("Being handled")
    AWAITING_DOCUMENTS = "awaiting_documents", _("Waiting for documents")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Waiting for the company's clarification")
    UNREACHABLE = "unreachable", _("Complainant cannot be reached")
    REFERRED = "referred", _("Referred to another agency (still monitored)")
    CANNOT_RESOLVE = "cannot_resolve", _("Cannot be resolved")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


FINAL_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
OPEN_STATUSES = frozenset(s for s in Status.values if s not in FINAL_STATUSES)


@dataclass(frozen=True)
class ClosureRule:
    """An automatic closure: a complaint still in `status` after the period from its anchor is closed.

    anchor: "registered" (registration date), "status_changed" (when it entered `status`) or
    "clarification_asked" (the date the open clarification request was sent).
    unit: "days" | "working_days" (weekends, holidays and cuti bersama skipped) | "months".
    The period ends on `anchor + amount` (the last day the condition can still be cured); the complaint is
    closed on a run after that day, and only once a warning was recorded at least `min_notice_days` before.
    """

    code: str
    status: str
    anchor: str
    amount: int
    unit: str
    warn_before: int  # warning this many `warn_unit`s before the last day
    warn_unit: str  # "days" | "working_days"
    legal_basis: str
    reason_id: str
    reason_en: str


PERBAN_6_2024_ART_30 = "Perban BP2MI 6/2024 ps. 30"


# Public intake limits (per client address, fixed windows, in the cache).
REPORT_RATE_LIMIT = (5, 3600)  # 5 complaints per hour
STATUS_RATE_LIMIT = (20, 600)  # 20 status look-ups per 10 minutes
CLARIFICATION_RATE_LIMIT = (20, 600)
MAX_ATTACHMENTS = 5

REFERENCE_PREFIX = "PGD"  # pengaduan


# Names from before the rules became data, read from the earliest shipped version (PEP 562: on first use, so
# this module imports nothing of the crisis app). A complaint's own rules: rulesets.rules_for_complaint.
_FROM_SHIPPED_RULES = {
    "FIRST_RESPONSE_TARGETS": lambda r: dict(r.first_response_targets),
    "CLOSURE_RULES": lambda r: r.closure_rules,
    "CLOSURE_RULES_BY_STATUS": lambda r: r.closure_by_status,
    "CLOSURE_RULES_BY_CODE": lambda r: r.closure_by_code,
    "MIN_NOTICE_DAYS": lambda r: r.min_notice_days,
    "CLARIFICATION_WORKING_DAYS": lambda r: r.clarification_working_days,
}


def __getattr__(name: str):
    if name in _FROM_SHIPPED_RULES:
        from satuatap.crisis.ruledata import shipped_first

        return _FROM_SHIPPED_RULES[name](shipped_first())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
