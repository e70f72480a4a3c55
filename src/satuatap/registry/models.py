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
