"""Reads for the worker registry."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from satuatap.core.errors import NotFound
from satuatap.registry.models import CorrectionRequest, FamilyConsent, MaritalStatus, Worker, WorkerEvent
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


def worker_has_consent_sql(worker_alias: str) -> tuple[str, list]:
    """`worker_has_consent` as an SQL EXISTS over a worker row named `worker_alias`, for a statement that reads
    the worker and its rule inputs at once (the journey's step completion); the same rule, with its params."""
    from django.db import connection

    q = connection.ops.quote_name
    c, w = "fc", worker_alias
    sql = (f"EXISTS (SELECT 1 FROM {q(FamilyConsent._meta.db_table)} {c} WHERE {c}.{q('worker_id')} = {w}.{q('id')} "  # noqa: S608
           f"AND {c}.{q('village_head_acknowledged')} "
           f"AND ({w}.{q('marital_status')} <> %s OR {c}.{q('relation')} = %s))")
    return sql, [MaritalStatus.MARRIED.value, FamilyConsent.Relation.SPOUSE.value]


def worker_consents(*, worker: Worker) -> QuerySet[FamilyConsent]:
    return FamilyConsent.objects.filter(worker=worker).order_by("-consent_date", "-pk")


def worker_events(*, worker: Worker) -> QuerySet[WorkerEvent]:
    return WorkerEvent.objects.filter(worker=worker).order_by("id")


def worker_corrections(*, worker: Worker) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(worker=worker).select_related("requested_by", "decided_by")


def correction_get(*, correction_id: int) -> CorrectionRequest:
    correction = CorrectionRequest.objects.select_related("worker").filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("Permintaan koreksi tidak ditemukan.", "Correction request not found.",
                       code="correction_not_found", details={"correction_id": correction_id})
    return correction


# --- retention ----------------------------------------------------------------------------------------------------

DEFAULT_RETENTION_YEARS = 5


def retention_years() -> int:
    """SATUATAP_RETENTION_YEARS (default 5): years after the last case closed before a record is anonymised."""
    return int(getattr(settings, "SATUATAP_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


def retention_cutoff(*, now: dt.datetime | None = None, years: int | None = None) -> dt.datetime:
    now = now or timezone.now()
    years = retention_years() if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def workers_due_for_anonymisation(*, cutoff: dt.datetime) -> QuerySet[Worker]:
    """Workers not yet anonymised, registered before `cutoff`, with no open case, every case closed (departed
    or cancelled) before `cutoff`, and no complaint registered since `cutoff`."""
    return (
        Worker.objects.filter(anonymised_at__isnull=True, created_at__lt=cutoff)
        .annotate(
            open_cases=Count("cases", filter=Q(cases__closed_at__isnull=True), distinct=True),
            last_closed=Max("cases__closed_at"),
            last_complaint=Max("complaints__registered_at"),
        )
        .filter(open_cases=0)
        .filter(Q(last_closed__isnull=True) | Q(last_closed__lt=cutoff))
        .filter(Q(last_complaint__isnull=True) | Q(last_complaint__lt=cutoff))
        .order_by("pk")
    )
