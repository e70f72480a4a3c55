"""Placement companies (P3MI), foreign employers, job orders, the fee ledger, and the legality rule set.

Writes only through `placement.services` (house rule 1). Rules of law are data (`RuleSet`, `Rule`) loaded
from `data/rules.json`; every evaluation is kept as a `Decision` with the rules that fired and why.
The placement case itself lives in `journey`; this app knows a case only by its number (`case_ref`), so that
journey can depend on placement and never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from satuatap.reference.models import Country, Region
from satuatap.registry.models import Worker


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", "Aktif / active"
    SUSPENDED = "suspended", "Dibekukan / suspended"
    REVOKED = "revoked", "Dicabut / revoked"


class Company(models.Model):
    """A placement company (P3MI) with its licence (SIP3MI) from the ministry (law 18/2017 art. 51)."""

    name = models.CharField(max_length=200, db_index=True)
    licence_number = models.CharField(max_length=80, unique=True, help_text="SIP3MI number")
    licence_valid_from = models.DateField()
    licence_valid_to = models.DateField()
    status = models.CharField(max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE)
    status_date = models.DateField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    head_office_address = models.CharField(max_length=250, blank=True)
    head_office_regency = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.CheckConstraint(
                name="company_licence_dates_ordered",
                condition=models.Q(licence_valid_to__gte=models.F("licence_valid_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.licence_number})"


class CompanyBranch(models.Model):
    """A branch office of a P3MI in a regency."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=250, blank=True)
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["company", "name"]
        verbose_name_plural = "company branches"

    def __str__(self) -> str:
        return f"{self.company.name}: {self.name}"


class PartnerAgency(models.Model):
    """A foreign placement agency the P3MI works with (its partner abroad)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    licence_number = models.CharField(max_length=80, blank=True)
    address = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["company", "name"]
        verbose_name_plural = "partner agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"


class SanctionKind(models.TextChoices):
    WARNING = "warning", "Peringatan tertulis / written warning"
    SUSPENSION = "suspension", "Penghentian sementara / suspension"
    REVOCATION = "revocation", "Pencabutan izin / licence revocation"
    FINE = "fine", "Denda / fine"
    OTHER = "other", "Lainnya / other"


class Violation(models.TextChoices):
    """Sanctionable violations of Permen P2MI 4/2025 the domain brief names, plus other."""

    NO_SIP2MI = "no_sip2mi", "Merekrut tanpa SIP2MI / recruiting without SIP2MI"
    SELECTION_OUTSIDE_LTSA = "selection_outside_ltsa", "Seleksi di luar Disnaker/LTSA / selection outside LTSA"
    NO_OPP = "no_opp", "Tanpa OPP / no pre-departure orientation"
    JOB_MISMATCH = "job_mismatch", "Pekerjaan tidak sesuai perjanjian / job differs from contract"
    BANNED_DESTINATION = "banned_destination", "Penempatan ke negara terlarang / banned destination"
    WORKER_CHARGED = "worker_charged", "Membebankan biaya kepada PMI / worker charged"
    OTHER = "other", "Lainnya / other"


class CompanySanction(models.Model):
    """One sanction in a company's track record."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=12, choices=SanctionKind.choices)
    violation = models.CharField(max_length=25, choices=Violation.choices, default=Violation.OTHER)
    imposed_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imposed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.company_id}:{self.kind}:{self.imposed_on}"


class CompanyRole(models.TextChoices):
    STAFF = "staff", "Staf / staff"
    MANAGER = "manager", "Pengelola / manager"


class CompanyMembership(models.Model):
    """A user working for one P3MI: sees and manages only that company's job orders and candidates."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=CompanyRole.choices, default=CompanyRole.STAFF)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id}"


class EmployerType(models.TextChoices):
    INDIVIDUAL = "individual", "Perseorangan (rumah tangga) / individual household"
    COMPANY = "company", "Badan usaha / company"
    SYARIKAH = "syarikah", "Syarikah (SPSK, Arab Saudi) / Saudi syarikah"


class Employer(models.Model):
    """A foreign employer (user, *pemberi kerja*) named on job orders."""

    name = models.CharField(max_length=200, db_index=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    city = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=12, choices=EmployerType.choices)
    address = models.CharField(max_length=250, blank=True)
    # SPSK (Kepmenaker 291/2018): a syarikah works with a limited number of Indonesian P3MI.
    partner_companies = models.ManyToManyField(Company, blank=True, related_name="syarikah_partnerships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id}, {self.type})"


class ProblemEmployer(models.Model):
    """An entry on a mission's list of problem employers (law 18/2017 art. 10): no new job orders."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="problem_listings")
    listed_on = models.DateField()
    delisted_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    mission = models.CharField(max_length=150, help_text="the Indonesian mission keeping the list, e.g. KBRI Riyadh")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-listed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.employer_id} listed {self.listed_on} by {self.mission}"


class JobTitle(models.Model):
    """The official job list; `zero_cost` jobs may not be charged to the worker (Perban 9/2020 jo. Permen 17/2025)."""

    code = models.CharField(max_length=40, primary_key=True)
    name_id = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    sector = models.CharField(max_length=20)
    zero_cost = models.BooleanField(default=False)
    legal_basis = models.CharField(max_length=250, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_id


class Sector(models.TextChoices):
    HOUSEHOLD = "household", "Rumah tangga / household"
    CARE = "care", "Perawatan / care"
    MANUFACTURING = "manufacturing", "Manufaktur / manufacturing"
    CONSTRUCTION = "construction", "Konstruksi / construction"
    HOSPITALITY = "hospitality", "Perhotelan & restoran / hospitality"
    AGRICULTURE = "agriculture", "Pertanian & perkebunan / agriculture"
    FISHERIES = "fisheries", "Perikanan / fisheries"
    MARITIME = "maritime", "Pelayaran / maritime"
    SERVICES = "services", "Jasa lainnya / other services"


class JobOrderStatus(models.TextChoices):
    ACTIVE = "active", "Aktif / active"
    CLOSED = "closed", "Ditutup / closed"
    CANCELLED = "cancelled", "Dibatalkan / cancelled"


class JobOrder(models.Model):
    """A demand letter from a foreign employer through a P3MI, with the mission's attestation and the SIP2MI.

    `positions_used` counts active case links; it only moves through `job_order_link` / `job_order_release`
    with a guarded UPDATE, and the database keeps it between 0 and `positions`.
    """

    number = models.CharField(max_length=60, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="job_orders")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="job_orders")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    job_title = models.ForeignKey(JobTitle, on_delete=models.PROTECT, related_name="job_orders")
    city = models.CharField(max_length=100, blank=True, help_text="place of work; blank = the employer's city")
    positions = models.PositiveIntegerField()
    positions_used = models.PositiveIntegerField(default=0)
    salary = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    contract_months = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField()
    # Verification by the labour attaché of the Indonesian mission (law 18/2017 art. 9-10).
    attested = models.BooleanField(default=False)
    attested_on = models.DateField(null=True, blank=True)
    attestation_ref = models.CharField(max_length=100, blank=True)
    attestation_mission = models.CharField(max_length=150, blank=True)
    # Recruitment permit (SIP2MI) for this job order and where it allows recruiting (provinces or regencies).
    sip2mi_number = models.CharField(max_length=80, blank=True)
    sip2mi_valid_from = models.DateField(null=True, blank=True)
    sip2mi_valid_to = models.DateField(null=True, blank=True)
    recruitment_regions = models.ManyToManyField(Region, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=JobOrderStatus.choices, default=JobOrderStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "status"])]
        constraints = [
            models.CheckConstraint(
                name="job_order_positions_used_within_quota",
                condition=models.Q(positions_used__lte=models.F("positions")),
            ),
            models.CheckConstraint(name="job_order_positions_positive", condition=models.Q(positions__gte=1)),
            models.CheckConstraint(
                name="job_order_dates_ordered", condition=models.Q(valid_to__gte=models.F("valid_from"))
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def positions_left(self) -> int:
        return max(0, self.positions - self.positions_used)

    @property
    def work_city(self) -> str:
        return self.city or self.employer.city


class JobOrderLink(models.Model):
    """A case linked to a job order; it holds one position until released (case cancelled)."""

    job_order = models.ForeignKey(JobOrder, on_delete=models.PROTECT, related_name="links")
    case_ref = models.CharField(max_length=32, db_index=True)
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-linked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_ref"], condition=models.Q(released_at__isnull=True), name="one_active_link_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_ref} → {self.job_order_id}"


class FeeComponent(models.TextChoices):
    """Cost components of Perban 9/2020 jo. Permen P2MI 17/2025 (plus 'other')."""

    TICKETS = "tickets", "Tiket / tickets"
    VISA = "visa", "Visa kerja / visa"
    CONTRACT_LEGALISATION = "contract_legalisation", "Legalisasi perjanjian kerja / contract legalisation"
    TRAINING = "training", "Pelatihan / training"
    CERTIFICATION = "certification", "Sertifikasi kompetensi / certification"
    AGENCY_FEE = "agency_fee", "Jasa perusahaan / agency fee"
    PASSPORT = "passport", "Paspor / passport"
    SKCK = "skck", "SKCK"
    SOCIAL_SECURITY = "social_security", "Jaminan sosial / social security"
    MEDICAL = "medical", "Pemeriksaan kesehatan & psikologi / medical"
    LOCAL_TRANSPORT = "local_transport", "Transportasi lokal / local transport"
    LODGING = "lodging", "Akomodasi / lodging"
    OTHER = "other", "Lainnya / other"


class Payer(models.TextChoices):
    WORKER = "worker", "Pekerja / worker"
    EMPLOYER = "employer", "Pemberi kerja / employer"
    COMPANY = "company", "Perusahaan (P3MI) / company"
    GOVERNMENT = "government", "Pemerintah / government"


class FeeLedgerEntry(models.Model):
    """One cost of a case: what, how much, who paid it and the receipt; feeds the zero-cost rule."""

    case_ref = models.CharField(max_length=32, db_index=True)
    component = models.CharField(max_length=25, choices=FeeComponent.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=0, help_text="Rupiah")
    payer = models.CharField(max_length=10, choices=Payer.choices)
    receipt_ref = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name_plural = "fee ledger entries"
        constraints = [models.CheckConstraint(name="fee_amount_not_negative", condition=models.Q(amount__gte=0))]

    def __str__(self) -> str:
        return f"{self.case_ref}:{self.component}:{self.amount}:{self.payer}"


# --- rules of law as data -------------------------------------------------------------------------------


class Severity(models.TextChoices):
    BLOCK = "block", "Blokir / block"
    FLAG = "flag", "Tandai / flag"


class Stage(models.TextChoices):
    CASE_OPEN = "case_open", "Pembukaan kasus / case open"
    STEP_COMPLETE = "step_complete", "Penyelesaian langkah / step complete"
    CARD = "card", "Penerbitan kartu / card"
    DEPARTURE = "departure", "Keberangkatan / departure"


class RuleSet(models.Model):
    """One version of the placement rules, in force from `effective_from` until a later version starts."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    effective_from = models.DateField()
    legal_basis = models.TextField(blank=True)
    # Thresholds of the risk signals (flags for the anti-trafficking desk, never blocks).
    signals = models.JSONField(default=dict, blank=True)
    source_hash = models.CharField(max_length=64, help_text="SHA-256 of the data that defined this version")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-version"]

    def __str__(self) -> str:
        return f"rules v{self.version} (from {self.effective_from})"


class Rule(models.Model):
    """One rule of a version: its code selects the evaluator; the law's numbers are its `parameters`."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=40)
    description_id = models.TextField()
    description_en = models.TextField()
    legal_basis = models.CharField(max_length=300)
    severity = models.CharField(max_length=5, choices=Severity.choices)
    stages = models.JSONField(default=list)
    parameters = models.JSONField(default=dict, blank=True)
    # A rule may start (or end) inside its version's span, e.g. a decree announced ahead of its date.
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule_set", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="uniq_rule_code_per_set")]

    def __str__(self) -> str:
        return f"v{self.rule_set.version}:{self.code}"


class Verdict(models.TextChoices):
    OK = "ok", "Lolos / ok"
    FLAGGED = "flagged", "Ditandai / flagged"
    BLOCKED = "blocked", "Diblokir / blocked"


class DecisionOverride(models.Model):
    """An office head's written override of the flags of a decision; it covers those rules for the case."""

    decision = models.OneToOneField("Decision", on_delete=models.PROTECT, related_name="override_record")
    case_ref = models.CharField(max_length=32, db_index=True)
    rule_codes = models.JSONField(default=list)
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"override {self.case_ref} {self.rule_codes}"


class Decision(models.Model):
    """One evaluation of the rules for a case at a stage: the verdict and every rule that fired, with reasons."""

    case_ref = models.CharField(max_length=32, blank=True, db_index=True)
    stage = models.CharField(max_length=15, choices=Stage.choices)
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    # [{code, severity, reason_id, reason_en, legal_basis, details, overridden}]
    fired = models.JSONField(default=list)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="decisions")
    rule_set_version = models.PositiveIntegerField()
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    job_order = models.ForeignKey(JobOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    scheme = models.CharField(max_length=10)
    destination_country = models.CharField(max_length=2, blank=True)
    office_code = models.CharField(max_length=20, blank=True)
    office_regency = models.CharField(max_length=13, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    evaluated_on = models.DateField()
    evaluated_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Set once: the office head's override covering every flag of this decision (never for a block).
    override = models.ForeignKey(DecisionOverride, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        indexes = [
            models.Index(fields=["worker", "stage", "verdict"]),
            models.Index(fields=["office_regency", "evaluated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_ref}:{self.stage}:{self.verdict}"

    @property
    def proceed(self) -> bool:
        """True when the action may go ahead: nothing fired, or only flags that an office head overrode."""
        return self.verdict == Verdict.OK or (self.verdict == Verdict.FLAGGED and self.override_id is not None)

    @property
    def fired_codes(self) -> list[str]:
        return [f["code"] for f in self.fired]


class PlacementEvent(models.Model):
    """An append-only record of every change in this app: who, what, before → after, why."""

    kind = models.CharField(max_length=40)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    job_order = models.ForeignKey(JobOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    case_ref = models.CharField(max_length=32, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.case_ref or self.job_order_id or self.company_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("placement events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("placement events are append-only")
