"""The worker registry: one record per NIK, with the family-consent record of law 18/2017 art. 13."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from satuatap.reference.models import Region


class Sex(models.TextChoices):
    MALE = "L", "Laki-laki / male"
    FEMALE = "P", "Perempuan / female"


class Education(models.TextChoices):
    NONE = "none", "Tidak sekolah / none"
    SD = "sd", "SD / primary"
    SMP = "smp", "SMP / junior secondary"
    SMA = "sma", "SMA/SMK / senior secondary"
    D3 = "d3", "Diploma"
    S1 = "s1", "S1 / bachelor"
    S2 = "s2", "S2+ / postgraduate"


class MaritalStatus(models.TextChoices):
    SINGLE = "single", "Belum kawin / single"
    MARRIED = "married", "Kawin / married"
    DIVORCED = "divorced", "Cerai hidup / divorced"
    WIDOWED = "widowed", "Cerai mati / widowed"


class Worker(models.Model):
    """A candidate migrant worker (CPMI), identified by NIK."""

    nik = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=150, db_index=True)
    birth_place = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    address = models.CharField(max_length=250, blank=True)
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164")
    education = models.CharField(max_length=10, choices=Education.choices, blank=True)
    marital_status = models.CharField(max_length=10, choices=MaritalStatus.choices, blank=True)
    # Warnings raised at registration that did not block it (e.g. pre-2022 Papua region code in the NIK).
    nik_warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention task replaced the personal data by placeholders (registry.services.worker_anonymise);
    # region codes, sex, birth year, education and marital status stay for statistics.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik[:6]}…)"


class FamilyConsent(models.Model):
    """Permission of spouse, parent or guardian, acknowledged by the village head (law 18/2017 art. 13)."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", "Suami/istri / spouse"
        FATHER = "father", "Ayah / father"
        MOTHER = "mother", "Ibu / mother"
        GUARDIAN = "guardian", "Wali / guardian"

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="consents")
    consenter_name = models.CharField(max_length=150)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    consent_date = models.DateField()
    village_head_acknowledged = models.BooleanField(default=False)
    village_head_name = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-consent_date"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.consenter_name} ({self.consent_date})"


class WorkerEventKind(models.TextChoices):
    REGISTERED = "registered", "Didaftarkan / registered"
    UPDATED = "updated", "Diubah / updated"
    CONSENT_RECORDED = "consent_recorded", "Izin keluarga dicatat / consent recorded"
    CORRECTION_REQUESTED = "correction_requested", "Koreksi diminta / correction requested"
    CORRECTION_APPROVED = "correction_approved", "Koreksi disetujui / correction approved"
    CORRECTION_REJECTED = "correction_rejected", "Koreksi ditolak / correction rejected"
    EXPORTED = "exported", "Data diekspor / data exported"
    ANONYMISED = "anonymised", "Dianonimkan / anonymised"


class WorkerEvent(models.Model):
    """One change of a worker's record: who, office, agency, before -> after, reason, time. Never edited."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=WorkerEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    office_id = models.CharField(max_length=20, blank=True)
    agency_id = models.CharField(max_length=20, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.kind} {self.created_at}"


class CorrectionStatus(models.TextChoices):
    REQUESTED = "requested", "Diminta / requested"
    APPROVED = "approved", "Disetujui / approved"
    REJECTED = "rejected", "Ditolak / rejected"


class CorrectionRequest(models.Model):
    """A worker's request to correct their data (UU 27/2022 art. 6), taken by an officer, decided by an identity
    desk or the office head; approval applies the change through `worker_update`."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="correction_requests")
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.REQUESTED)
    # field -> requested new value, in the API's words (nik, name, birth_date as ISO, district_code, …).
    changes = models.JSONField()
    reason = models.TextField(help_text="why the worker asks, and the evidence seen (e.g. new KTP)")
    office_id = models.CharField(max_length=20, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"correction {self.pk} of worker {self.worker_id}: {self.status}"
