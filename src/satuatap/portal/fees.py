"""What a step costs the worker: the official fee, or nothing for a zero-cost job.

Law 18/2017 art. 30: workers may not be charged placement costs. Perban BP2MI 9/2020 (as revised by Permen
P2MI 17/2025) lists ten jobs for which every cost of the journey (passport, SKCK, social security, medical
check, training, visa, tickets …) is not borne by the worker. The official fee of each step comes from the
process definition (reference data, with its own legal basis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lokal.rupiah import format_rupiah

ZERO_COST_LEGAL_BASIS = "Perban BP2MI 9/2020 jo. Permen P2MI 17/2025; UU 18/2017 pasal 30"

# The ten zero-cost jobs: a stable code each, with the words a job title uses for it (Indonesian, English).
ZERO_COST_JOBS: dict[str, tuple[str, ...]] = {
    "domestic_worker": ("domestic worker", "domestic helper", "housekeeper", "housemaid", "pekerja rumah tangga",
                        "penata laksana rumah tangga", "pengurus rumah tangga", "asisten rumah tangga"),
    "baby_sitter": ("baby sitter", "babysitter", "baby-sitter", "pengasuh bayi"),
    "elderly_carer": ("elderly carer", "elderly caregiver", "caregiver", "care giver", "perawat lansia",
                      "pengurus lansia", "pengasuh lansia", "perawat jompo"),
    "cook": ("cook", "juru masak", "tukang masak"),
    "family_driver": ("family driver", "private driver", "sopir keluarga", "supir keluarga", "pengemudi keluarga"),
    "gardener": ("gardener", "tukang kebun", "perawat taman"),
    "child_carer": ("child carer", "nanny", "pengasuh anak"),
    "cleaner": ("cleaner", "petugas kebersihan"),
    "farm_worker": ("farm worker", "plantation worker", "farmer", "pekerja ladang", "pekerja perkebunan",
                    "buruh tani", "pekerja pertanian"),
    "fishing_crew": ("fishing crew", "fisherman", "fishing vessel crew", "awak kapal perikanan",
                     "anak buah kapal perikanan", "abk perikanan", "nelayan"),
}
_TITLE_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(w) for ws in ZERO_COST_JOBS.values() for w in ws), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fee:
    """What the worker pays for one step, and why."""

    amount: Decimal  # what the worker may be charged (0 when free)
    official_amount: Decimal  # the step's official fee in the process definition
    zero_cost_job: bool
    legal_basis: str

    @property
    def free(self) -> bool:
        return self.amount == 0

    @property
    def display(self) -> str:
        return gettext("Free") if self.free else format_rupiah(self.amount)

    @property
    def official_display(self) -> str:
        return format_rupiah(self.official_amount)

    @property
    def waived_for_job(self) -> bool:
        """An official fee exists but a zero-cost job means the worker must not pay it."""
        return self.zero_cost_job and self.official_amount > 0


def fee_for_worker(step: Any, *, zero_cost_job: bool) -> Fee:
    """The fee of a step (a journey Step or a StepDefinition) for this worker: free for a zero-cost job."""
    definition = getattr(step, "definition", step)
    official = Decimal(definition.fee_amount or 0)
    if zero_cost_job:
        return Fee(amount=Decimal(0), official_amount=official, zero_cost_job=True,
                   legal_basis=ZERO_COST_LEGAL_BASIS)
    return Fee(amount=official, official_amount=official, zero_cost_job=False,
               legal_basis=definition.fee_legal_basis or "")


def is_zero_cost_job_title(title: str) -> bool:
    """A job title naming one of the ten zero-cost jobs (word match, Indonesian or English)."""
    return bool(title and _TITLE_RE.search(title))


def zero_cost_job_for_case(case: Any) -> bool:
    """Whether the case's job is one of the zero-cost jobs: from the job order the case holds a place in
    (placement app: the job title's own flag, Perban 9/2020 jo. Permen P2MI 17/2025); otherwise an explicit
    `case.zero_cost_job`, a `case.job_order`/`case.job_title` attribute, else False."""
    from satuatap.placement import selectors as placement_selectors

    number = getattr(case, "number", None)
    if hasattr(case, "_meta") and isinstance(number, str) and number:  # a stored case
        linked = placement_selectors.job_order_for_case(case_ref=number)
        if linked is not None:
            return bool(linked.job_title.zero_cost)
    explicit = getattr(case, "zero_cost_job", None)
    if isinstance(explicit, bool):
        return explicit
    job = getattr(case, "job_order", None)
    if job is not None:
        flag = getattr(job, "zero_cost", None)
        if isinstance(flag, bool):
            return flag
        if getattr(job, "job_code", None) in ZERO_COST_JOBS:
            return True
        return is_zero_cost_job_title(str(getattr(job, "job_title", "") or ""))
    return is_zero_cost_job_title(str(getattr(case, "job_title", "") or ""))


# --- costs recorded in the case's fee ledger (placement.FeeLedgerEntry), worded for candidates -----------

COST_COMPONENT_LABELS = {
    "tickets": _("Travel tickets"),
    "visa": _("Work visa"),
    "contract_legalisation": _("Legalisation of the work agreement"),
    "training": _("Training"),
    "certification": _("Competency certificate"),
    "agency_fee": _("Placement company service fee"),
    "passport": _("Passport"),
    "skck": _("Police clearance (SKCK)"),
    "social_security": _("Social security (BPJS)"),
    "medical": _("Medical and psychological check"),
    "local_transport": _("Local transport"),
    "lodging": _("Lodging"),
    "other": _("Other"),
}

PAYER_LABELS = {
    "worker": _("You (the worker)"),
    "employer": _("The employer"),
    "company": _("The placement company"),
    "government": _("The government"),
}


@dataclass(frozen=True)
class CostLine:
    """One cost recorded for the case: what, how much (Rupiah) and who paid it."""

    component: str
    amount: Decimal
    payer: str

    @property
    def component_label(self) -> str:
        return str(COST_COMPONENT_LABELS.get(self.component, self.component))

    @property
    def payer_label(self) -> str:
        return str(PAYER_LABELS.get(self.payer, self.payer))

    @property
    def amount_display(self) -> str:
        return format_rupiah(self.amount)

    @property
    def paid_by_worker(self) -> bool:
        return self.payer == "worker" and self.amount > 0
