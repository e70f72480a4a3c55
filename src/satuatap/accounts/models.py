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


class AuditAction(models.TextChoices):
    READ = "read", "Baca / read"
    CREATE = "create", "Buat / create"
    UPDATE = "update", "Ubah / update"
    DELETE = "delete", "Hapus / delete"
    EXPORT = "export", "Ekspor / export"
    ANONYMISE = "anonymise", "Anonimkan / anonymise"
    DENIED = "denied", "Ditolak / denied"


class AuditLogIsAppendOnly(Exception):
    """An audit entry was about to be changed or deleted: the log only grows (UU 27/2022 art. 31 records)."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")

    _raw_delete = delete


class AuditEntry(models.Model):
    """Who read or changed which personal record, when, from where and why. Append-only.

    The actor is copied (username, role, office, agency) so an entry keeps its meaning after the user changes
    office or is deactivated; no foreign key, so no cascade can ever delete entries.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id = models.IntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True, db_index=True)
    role = models.CharField(max_length=20, blank=True)
    office_id = models.CharField(max_length=20, blank=True)
    agency_id = models.CharField(max_length=20, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=12, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=40, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    # The worker the record is about (worker id), so an auditor finds every access to one person's data.
    subject_worker_id = models.IntegerField(null=True, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at} {self.username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("audit entries cannot be updated")
        kwargs.pop("force_update", None)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")
