"""Display labels for codes stored in the database (English msgids, translated through the web catalogue).

The model choices carry bilingual "Indonesian / English" labels for the admin and the API; the pages show
one language at a time, so they use these instead.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

STEP_STATE_LABELS = {
    "locked": _("Locked"),
    "ready": _("Ready"),
    "in_progress": _("In progress"),
    "done": _("Done"),
    "rejected": _("Rejected"),
    "waived": _("Waived"),
    "expired": _("Expired"),
}

CASE_STATUS_LABELS = {
    "open": _("Open"),
    "ready_to_depart": _("Ready to depart"),
    "departed": _("Departed"),
    "cancelled": _("Cancelled"),
}

EVENT_LABELS = {
    "case_opened": _("Case opened"),
    "case_status_changed": _("Case status changed"),
    "step_unlocked": _("Step ready"),
    "step_started": _("Step started"),
    "step_rechecked": _("Step re-examined"),
    "step_completed": _("Step completed"),
    "step_rejected": _("Step rejected"),
    "step_waived": _("Step waived"),
    "step_expired": _("Step expired"),
    "step_relocked": _("Step locked again"),
    "document_attached": _("Document attached"),
}

ROLE_LABELS = {
    "desk_officer": _("Desk officer"),
    "office_head": _("Office head"),
    "monitor": _("Monitor"),
    "admin": _("System admin"),
}

SEX_LABELS = {"L": _("Male"), "P": _("Female")}

EDUCATION_LABELS = {
    "none": _("No schooling"),
    "sd": _("Primary school (SD)"),
    "smp": _("Junior secondary (SMP)"),
    "sma": _("Senior secondary (SMA/SMK)"),
    "d3": _("Diploma"),
    "s1": _("Bachelor (S1)"),
    "s2": _("Postgraduate (S2+)"),
}

MARITAL_LABELS = {
    "single": _("Single"),
    "married": _("Married"),
    "divorced": _("Divorced"),
    "widowed": _("Widowed"),
}

RELATION_LABELS = {
    "spouse": _("Spouse"),
    "father": _("Father"),
    "mother": _("Mother"),
    "guardian": _("Guardian"),
}

SCHEME_LABELS = {
    "P2P": _("P to P (through a placement company)"),
    "G2G": _("G to G (government programme)"),
    "UKPS": _("UKPS (company placing its own employees)"),
    "MANDIRI": _("Individual"),
}


def is_indonesian() -> bool:
    return (get_language() or "id").startswith("id")


def pick(indonesian: str, english: str) -> str:
    """The Indonesian or the English text of a bilingual pair, by the active language."""
    return indonesian if is_indonesian() or not english else english


def error_text(exc) -> str:
    """An ApplicationError's message in the active language (Indonesian unless English is chosen)."""
    return pick(exc.message, exc.message_en)


# Placement rule decisions (placement.models Stage / Verdict / Severity).
DECISION_STAGE_LABELS = {
    "case_open": _("Case opening"),
    "step_complete": _("Step completion"),
    "card": _("Worker card"),
    "departure": _("Departure"),
}

VERDICT_LABELS = {
    "ok": _("OK"),
    "flagged": _("Flagged"),
    "blocked": _("Blocked"),
}

SEVERITY_LABELS = {
    "block": _("Block"),
    "flag": _("Flag"),
}

RULES_ERROR_CODES = frozenset({"rules_blocked", "rules_flagged"})


def fired_rows(fired) -> list[dict[str, str]]:
    """The rules that fired (a decision's `fired` or a refusal's details) as rows for a page, one language."""
    rows = []
    for f in fired or []:
        if not isinstance(f, dict):
            continue
        rows.append({
            "code": str(f.get("code", "")),
            "severity": str(f.get("severity", "")),
            "severity_label": SEVERITY_LABELS.get(f.get("severity", ""), f.get("severity", "")),
            "reason": pick(str(f.get("reason_id", "")), str(f.get("reason_en", ""))),
            "legal_basis": str(f.get("legal_basis", "")),
            "overridden": bool(f.get("overridden")),
        })
    return rows
