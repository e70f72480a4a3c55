"""Reference data: regions, countries, agencies, offices, process definitions and the holiday calendar.

Everything here is loaded from files shipped with the project or its dependencies (never fetched at run
time) by `satuatap load-reference`, and is versioned where the law changes it.
"""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """A Kemendagri region keyed by its official dotted code: "32", "32.12", "32.12.01", "32.12.01.2001"."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "provinsi"
        REGENCY = 2, "kabupaten/kota"
        DISTRICT = 3, "kecamatan"
        VILLAGE = 4, "desa/kelurahan"

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    kind = models.CharField(max_length=20, help_text="provinsi, kabupaten, kota, kecamatan, distrik, desa …")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    postal_code = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]


class Country(models.Model):
    """ISO 3166-1 country with its Indonesian and English display names."""

    code = models.CharField(max_length=2, primary_key=True)  # alpha-2
    alpha3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3, blank=True)
    name_id = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["name_id"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name_id


class Agency(models.Model):
    """One of the eight desks of PP 59/2021 art. 31, or BP3MI (which runs contract, OPP and card steps)."""

    code = models.CharField(max_length=20, primary_key=True)
    name_id = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    desk_id = models.CharField(max_length=120, help_text="desk name shown to candidates (Indonesian)")
    desk_en = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)
    legal_basis = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name_id


class Office(models.Model):
    """An LTSA (one-roof office) or a regency labour office, with the desks actually present."""

    class Zone(models.TextChoices):
        WIB = "WIB", "WIB (UTC+7)"
        WITA = "WITA", "WITA (UTC+8)"
        WIT = "WIT", "WIT (UTC+9)"

    code = models.CharField(max_length=20, primary_key=True)
    name = models.CharField(max_length=150)
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices")
    zone = models.CharField(max_length=4, choices=Zone.choices, default=Zone.WIB)
    address = models.CharField(max_length=250, blank=True)
    desks = models.ManyToManyField(Agency, related_name="offices", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Scheme(models.TextChoices):
    """Placement schemes of law 18/2017 art. 49."""

    P2P = "P2P", "P to P (perusahaan penempatan / placement company)"
    G2G = "G2G", "G to G (pemerintah / government)"
    UKPS = "UKPS", "UKPS (perusahaan untuk kepentingan sendiri / company's own employees)"
    MANDIRI = "MANDIRI", "Perseorangan / individual"


class ProcessDefinition(models.Model):
    """A versioned journey: which steps, in what dependency order, for one scheme from a given date."""

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    name = models.CharField(max_length=150)
    effective_from = models.DateField()
    legal_basis = models.TextField(blank=True)
    source_hash = models.CharField(max_length=64, help_text="SHA-256 of the data that defined this version")

    class Meta:
        ordering = ["scheme", "-effective_from", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_process_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class StepDefinition(models.Model):
    """One step of a process version: owning agency, prerequisites, SLA, official fee, output document."""

    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(max_length=10)
    name_id = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="step_definitions")
    prerequisites = models.JSONField(default=list, help_text="codes of steps that must be done or waived")
    sla_working_days = models.PositiveSmallIntegerField(default=1)
    fee_amount = models.DecimalField(max_digits=12, decimal_places=0, default=0, help_text="Rupiah")
    fee_legal_basis = models.CharField(max_length=200, blank=True)
    output_document = models.CharField(max_length=150, blank=True)
    validity_days = models.PositiveIntegerField(null=True, blank=True, help_text="how long the output stays valid")
    outcome_type = models.CharField(max_length=20, help_text="which outcome fields completion requires")
    optional = models.BooleanField(default=False)
    # CARD and DEP: a case with an unfit medical outcome or a rejected step cannot reach these.
    requires_clear_case = models.BooleanField(default=False)
    what_to_bring = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["process", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="uniq_step_in_process")]

    def __str__(self) -> str:
        return f"{self.process} {self.code}"


class Holiday(models.Model):
    """A national non-working day: public holiday or cuti bersama (joint leave), for SLA working days."""

    date = models.DateField(primary_key=True)
    name = models.CharField(max_length=150)
    joint_leave = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
