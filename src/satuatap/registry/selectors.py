"""Reads for the worker registry."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from satuatap.core.errors import NotFound
from satuatap.registry.models import FamilyConsent, MaritalStatus, Worker
from satuatap.registry.nik import nik_normalize
from satuatap.registry.phone import phone_to_e164

_NIK = re.compile(r"\d{16}")
# Digits with the usual phone punctuation, optionally a leading +: "0812-3456-7890", "+62 812 3456 7890".
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]{6,20}")


def _workers() -> QuerySet[Worker]:
    return Worker.objects.select_related("province", "regency", "district", "village")


def worker_get(*, worker_id: int) -> Worker:
    worker = _workers().filter(pk=worker_id).first()
    if worker is None:
        raise NotFound(
            "Pekerja tidak ditemukan.", "Worker not found.", code="worker_not_found", details={"worker_id": worker_id}
        )
    return worker


def worker_get_by_nik(*, nik: str) -> Worker | None:
    """The worker with this NIK (spaces, dots and dashes ignored), or None."""
    digits = nik_normalize(nik)
    if not _NIK.fullmatch(digits):
        return None
    return _workers().filter(nik=digits).first()


def workers_search(*, q: str, limit: int = 20) -> list[Worker]:
    """16 digits → exact NIK; a phone number → exact phone (normalised to E.164); anything else → name contains."""
    q = (q or "").strip()
    limit = max(1, min(limit, 100))
    if not q:
        return []
    if _NIK.fullmatch(nik_normalize(q)):
        return list(_workers().filter(nik=nik_normalize(q))[:1])
    if _PHONE_LIKE.fullmatch(q) and sum(c.isdigit() for c in q) >= 6:
        e164 = phone_to_e164(q)
        return list(_workers().filter(phone=e164)[:limit]) if e164 else []
    return list(_workers().filter(name__icontains=q)[:limit])


def worker_has_consent(*, worker: Worker) -> bool:
    """Art. 13 permission letter on file, acknowledged by the village head: the spouse's for a married worker,
    otherwise a parent's or guardian's (or a spouse's)."""
    consents = FamilyConsent.objects.filter(worker=worker, village_head_acknowledged=True)
    if worker.marital_status == MaritalStatus.MARRIED:
        consents = consents.filter(relation=FamilyConsent.Relation.SPOUSE)
    return consents.exists()


def worker_consents(*, worker: Worker) -> QuerySet[FamilyConsent]:
    return FamilyConsent.objects.filter(worker=worker).order_by("-consent_date", "-pk")
