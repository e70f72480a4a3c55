"""The placement case and its steps. State changes only through `journey.services` (house rule 1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from satuatap.reference.models import Agency, Office, ProcessDefinition, Scheme, StepDefinition
from satuatap.registry.models import Worker


class CaseStatus(models.TextChoices):
    OPEN = "open", "Berjalan / open"
    READY_TO_DEPART = "ready_to_depart", "Siap berangkat / ready to depart"
    DEPARTED = "departed", "Berangkat / departed"
    CANCELLED = "cancelled", "Dibatalkan / cancelled"


class StepState(models.TextChoices):
    LOCKED = "locked", "Terkunci / locked"
    READY = "ready", "Siap / ready"
    IN_PROGRESS = "in_progress", "Diproses / in progress"
    DONE = "done", "Selesai / done"
    REJECTED = "rejected", "Ditolak / rejected"
    WAIVED = "waived", "Dikecualikan / waived"
    EXPIRED = "expired", "Kedaluwarsa / expired"


class Case(models.Model):
    """One placement journey of one worker at one office, pinned to the process version it started on."""

    number = models.CharField(max_length=32, unique=True)
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="cases")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="cases")
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    process = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    destination_country = models.CharField(max_length=2, blank=True)
    version = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["office", "status"]), models.Index(fields=["worker", "status"])]
        constraints = [
            # One active case per NIK: a second open case for the same worker is refused by the database too.
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(status__in=["open", "ready_to_depart"]),
                name="one_active_case_per_worker",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Step(models.Model):
    """The state of one step of a case."""

    # Indexes are kept to what queries use: every step UPDATE rewrites each index of the row.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", db_index=False)  # (case, code)
    definition = models.ForeignKey(StepDefinition, on_delete=models.PROTECT, related_name="+", db_index=False)
    code = models.CharField(max_length=10)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)  # (agency, state)
    state = models.CharField(max_length=12, choices=StepState.choices, default=StepState.LOCKED)
    version = models.PositiveIntegerField(default=1)
    ready_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="SLA deadline in working days from ready_at")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False)
    outcome = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    # Done, but with an outcome that stops the journey (e.g. medically unfit): dependents stay locked.
    blocks_case = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="uniq_step_per_case")]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["state", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.code}:{self.state}"


class Event(models.Model):
    """An immutable record of one change: who, where, which agency, from → to, why, with what data."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="events",
                             db_index=False)
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["actor", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"

    def save(self, *args, **kwargs):
        # Append-only: an event row is written once and never changed.
        if self.pk is not None and not kwargs.pop("_force_update_ok", False):
            raise RuntimeError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("events are append-only")


class CaseCounter(models.Model):
    """Last case number issued per office and year, so numbers are short and sequential per office."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="uniq_counter_office_year")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class StepDocument(models.Model):
    """A file uploaded on a step (certificate scan, passport page …); type checked by content, hashed."""

    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="documents/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.step_id}:{self.original_name}"
