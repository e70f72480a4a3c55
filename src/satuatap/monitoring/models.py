"""Monitoring: the office-classification rubric (versioned data), monthly office classifications, and the
rollup tables the dashboards read instead of the raw journey tables.

Rollups are written only by `monitoring.services.rollup_run`, which adds the effect of journey events not yet
counted (events are append-only, so each one is added exactly once, tracked by event id).
"""

from __future__ import annotations

from django.db import models

from satuatap.reference.models import Office


class Rubric(models.Model):
    """One version of the classification rubric, in force from `effective_month` (first day of the month)."""

    version = models.PositiveIntegerField(unique=True)
    effective_month = models.DateField()
    name = models.CharField(max_length=150)
    legal_basis = models.TextField(blank=True)
    min_scored_weight = models.PositiveSmallIntegerField(default=0)
    classes = models.JSONField(default=list, help_text="[{code, label_id, label_en, min_score}] best first")
    criteria = models.JSONField(default=list, help_text="[{id, label_id, label_en, weight, direction, full, partial}]")
    source_hash = models.CharField(max_length=64, help_text="SHA-256 of the data that defined this version")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_month", "-version"]

    def __str__(self) -> str:
        return f"rubric v{self.version} ({self.effective_month:%Y-%m})"


class OfficeClassification(models.Model):
    """An office's class for one month, with every criterion's value, points and reason, under one rubric."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="first day of the month classified")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="classifications")
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    klass = models.CharField(max_length=20, help_text="class code of the rubric, or 'not_classified'")
    criteria = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "office"]
        constraints = [models.UniqueConstraint(fields=["office", "month"], name="monitoring_uniq_office_month")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.month:%Y-%m} {self.klass}"


class RollupState(models.Model):
    """How far a rollup has counted: the last journey event id included."""

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    # For rollups of rows that change (complaints): the last `updated_at` included.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"


class PlacementMonthly(models.Model):
    """Cases registered, departed (placed) and cancelled per month and origin province, sex, scheme,
    destination country and job; each counted in the month of the event (registration, departure, cancellation)."""

    month = models.DateField()
    province = models.CharField(max_length=2)
    sex = models.CharField(max_length=1)
    scheme = models.CharField(max_length=10)
    country = models.CharField(max_length=2)
    job = models.CharField(max_length=40)
    registered = models.IntegerField(default=0)
    departed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "province", "sex", "scheme", "country", "job"],
                                    name="monitoring_uniq_placement_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.province} {self.country} {self.job}"


class RegionMonthly(models.Model):
    """The same counts per month and origin regency, sex and scheme (regency detail without the other dims)."""

    month = models.DateField()
    regency = models.CharField(max_length=13)
    sex = models.CharField(max_length=1)
    scheme = models.CharField(max_length=10)
    registered = models.IntegerField(default=0)
    departed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "regency", "sex", "scheme"], name="monitoring_uniq_region_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.regency}"


class PlacementYearly(models.Model):
    """The same counts per year and origin province, sex and scheme: the every-year trend without scanning the
    monthly cube."""

    year = models.PositiveSmallIntegerField()
    province = models.CharField(max_length=2)
    sex = models.CharField(max_length=1)
    scheme = models.CharField(max_length=10)
    registered = models.IntegerField(default=0)
    departed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "province", "sex", "scheme"], name="monitoring_uniq_year_cell")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province}"


class OfficeDaily(models.Model):
    """Per office and office-local day (the office's zone: WIB, WITA or WIT): journey events, cases registered,
    steps completed and completed late, departures and cancellations."""

    office_id = models.CharField(max_length=20)
    day = models.DateField()
    events = models.IntegerField(default=0)
    registered = models.IntegerField(default=0)
    steps_done = models.IntegerField(default=0)
    steps_late = models.IntegerField(default=0)
    departed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office_id", "day"], name="monitoring_uniq_office_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day}"


class ComplaintMonthly(models.Model):
    """Complaints per month of registration, category, country, placement company and procedural or not.
    Rebuilt for the months of complaints changed since the last run (complaints are few)."""

    month = models.DateField()
    category = models.CharField(max_length=30)
    country = models.CharField(max_length=2)
    company_id = models.IntegerField(default=0, help_text="0 = no registered company")
    procedural = models.CharField(max_length=7, help_text="yes / no / unknown")
    complaints = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "category", "country", "company_id", "procedural"],
                                    name="monitoring_uniq_complaint_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category}"
