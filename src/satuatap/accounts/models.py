"""Users, their role and where they work, and bearer tokens for integrations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from satuatap.reference.models import Agency, Office, Region


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", "Petugas loket / desk officer"
    OFFICE_HEAD = "office_head", "Kepala kantor / office head"
    MONITOR = "monitor", "Pemantau / monitor"
    ADMIN = "admin", "Admin sistem / system admin"
    # Immigration officers at airports, seaports and land borders: they record departures (DEP) and stopped
    # attempts for cases of any office; their post is a checkpoint membership in the cards app.
    CHECKPOINT_OFFICER = "checkpoint_officer", "Petugas tempat pemeriksaan / checkpoint officer"
    # Reads the audit log (and nothing else); see accounts.audit.
    AUDITOR = "auditor", "Auditor"


class User(AbstractUser):
    """A person using the system, bound to an office and agency (desk officers) or a region (monitors)."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DESK_OFFICER)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    # Monitors: null = national; a province or regency code narrows the scope.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="desk_officer_has_office_and_agency",
                condition=~models.Q(role="desk_officer") | (models.Q(office__isnull=False, agency__isnull=False)),
            ),
            models.CheckConstraint(
                name="office_head_has_office",
                condition=~models.Q(role="office_head") | models.Q(office__isnull=False),
            ),
        ]


class ApiToken(models.Model):
    """A bearer token for an integration. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, help_text="first characters, to recognise it")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
