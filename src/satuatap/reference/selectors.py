"""Reads of reference data: regions, countries, agencies, offices, process versions and the working-day calendar."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from satuatap.core import clock
from satuatap.core.errors import NotFound
from satuatap.reference.cache import holiday_cache_clear as _holiday_cache_clear
from satuatap.reference.cache import holiday_dates_cached, ttl_cached
from satuatap.reference.models import (
    Agency,
    Country,
    Holiday,
    Office,
    ProcessDefinition,
    Region,
    StepDefinition,
)

REGION_LIMIT_DEFAULT = 200
REGION_LIMIT_MAX = 2000

_DIGITS = re.compile(r"\d+")


def region_code_normalize(code: str) -> str:
    """Dotted Kemendagri code from "3212", "32.12" or "32 12 01" forms: "32.12"."""
    code = (code or "").strip()
    if "." in code:
        return code
    digits = "".join(_DIGITS.findall(code))
    return ".".join(p for p in (digits[0:2], digits[2:4], digits[4:6], digits[6:10]) if p)


def regions_list(
    *,
    parent: str | None = None,
    level: int | None = None,
    q: str | None = None,
    limit: int = REGION_LIMIT_DEFAULT,
) -> QuerySet[Region]:
    """Regions filtered by parent code, level and name (or code prefix); with no filter at all, the provinces."""
    qs = Region.objects.all()
    if parent is None and level is None and not q:
        level = Region.Level.PROVINCE
    if parent is not None:
        if parent.strip():
            qs = qs.filter(parent_id=region_code_normalize(parent) or parent.strip())
        else:  # parent="" asks for the top level explicitly
            qs = qs.filter(parent__isnull=True)
    if level is not None:
        qs = qs.filter(level=level)
    if q and q.strip():
        term = q.strip()
        if _DIGITS.fullmatch(term.replace(".", "")):
            qs = qs.filter(code__startswith=region_code_normalize(term))
        else:
            qs = qs.filter(name__icontains=term)
    limit = max(1, min(int(limit), REGION_LIMIT_MAX))
    return qs.order_by("level", "code")[:limit]


def region_get(*, code: str) -> Region:
    """One region by its Kemendagri code (dotted or digits only)."""
    normalized = region_code_normalize(code)
    region = Region.objects.select_related("parent").filter(code=normalized).first()
    if region is None:
        raise NotFound(
            f"Wilayah dengan kode {code} tidak ditemukan.",
            f"Region with code {code} was not found.",
            code="region_not_found",
            details={"code": code},
        )
    return region


def region_ancestors(*, region: Region) -> list[Region]:
    """The region's parents from the province down (excluding the region itself)."""
    parts = region.code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts))]
    by_code = Region.objects.in_bulk(codes)
    return [by_code[c] for c in codes if c in by_code]


def countries_list() -> QuerySet[Country]:
    """All ISO 3166-1 countries, ordered by Indonesian name."""
    return Country.objects.order_by("name_id")


def country_get(*, code: str) -> Country:
    """One country by ISO alpha-2 or alpha-3 code (any case)."""
    code_up = (code or "").strip().upper()
    field = "alpha3" if len(code_up) == 3 else "code"
    country = Country.objects.filter(**{field: code_up}).first()
    if country is None:
        raise NotFound(
            f"Negara dengan kode {code} tidak ditemukan.",
            f"Country with code {code} was not found.",
            code="country_not_found",
            details={"code": code},
        )
    return country


def agencies_list() -> QuerySet[Agency]:
    """The LTSA desks' agencies in desk order."""
    return Agency.objects.order_by("sort_order", "code")


def agency_get(*, code: str) -> Agency:
    """One agency by code (DISNAKER, IMIGRASI, …)."""
    agency = Agency.objects.filter(code=(code or "").strip().upper()).first()
    if agency is None:
        raise NotFound(
            f"Instansi dengan kode {code} tidak ditemukan.",
            f"Agency with code {code} was not found.",
            code="agency_not_found",
            details={"code": code},
        )
    return agency


def _offices() -> QuerySet[Office]:
    return Office.objects.select_related("regency").prefetch_related(
        Prefetch("desks", queryset=Agency.objects.order_by("sort_order", "code"))
    )


def offices_list(*, active_only: bool = True) -> QuerySet[Office]:
    """Offices with their regency and desks (in desk order)."""
    qs = _offices()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def office_get(*, code: str) -> Office:
    """One office by code (LTSA-SBY, …), with its regency and desks."""
    office = _offices().filter(code=(code or "").strip().upper()).first()
    if office is None:
        raise NotFound(
            f"Kantor dengan kode {code} tidak ditemukan.",
            f"Office with code {code} was not found.",
            code="office_not_found",
            details={"code": code},
        )
    return office


def _processes() -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.prefetch_related(
        Prefetch("steps", queryset=StepDefinition.objects.select_related("agency").order_by("sort_order"))
    )


def processes_list(*, scheme: str | None = None) -> QuerySet[ProcessDefinition]:
    """Every stored process version, optionally for one scheme, newest first within a scheme."""
    qs = ProcessDefinition.objects.all()
    if scheme:
        qs = qs.filter(scheme=scheme.strip().upper())
    return qs.order_by("scheme", "code", "-effective_from", "-version")


def process_current(*, scheme: str, on: dt.date) -> ProcessDefinition:
    """The process version in force for a scheme on a date: latest effective_from <= on, then highest version."""
    process = (
        _processes()
        .filter(scheme=(scheme or "").strip().upper(), effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )
    if process is None:
        raise NotFound(
            f"Tidak ada definisi proses untuk skema {scheme} yang berlaku pada {on.isoformat()}.",
            f"No process definition for scheme {scheme} is in force on {on.isoformat()}.",
            code="process_not_found",
            details={"scheme": scheme, "on": on.isoformat()},
        )
    return process


def process_get(*, code: str, version: int) -> ProcessDefinition:
    """One process version with its steps (in order)."""
    process = _processes().filter(code=code, version=version).first()
    if process is None:
        raise NotFound(
            f"Definisi proses {code} versi {version} tidak ditemukan.",
            f"Process definition {code} version {version} was not found.",
            code="process_not_found",
            details={"code": code, "version": version},
        )
    return process


def holidays_list(*, year: int | None = None) -> QuerySet[Holiday]:
    """Stored holidays and cuti bersama days, optionally for one year."""
    qs = Holiday.objects.order_by("date")
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs


def _holiday_dates_load() -> frozenset[dt.date]:
    return frozenset(Holiday.objects.values_list("date", flat=True))


def holiday_dates() -> frozenset[dt.date]:
    """All non-working dates (public holidays + cuti bersama), cached in-process."""
    return holiday_dates_cached(_holiday_dates_load)


def holiday_cache_clear() -> None:
    """Forget the cached holiday dates: call after editing Holiday rows outside `reference_load`."""
    _holiday_cache_clear()


def working_days_add(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start`, skipping weekends, holidays and cuti bersama."""
    return clock.add_working_days(start, days, holiday_dates())


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    return clock.count_working_days(start, end, holiday_dates())


@dataclass(frozen=True)
class OfficeInfo:
    """What the journey engine needs of an office on every transition, without a query."""

    code: str
    name: str
    zone: str
    regency_code: str
    desk_ids: frozenset[str]


def _office_info_load(code: str) -> OfficeInfo | None:
    office = Office.objects.filter(code=code).prefetch_related("desks").first()
    if office is None:
        return None
    return OfficeInfo(office.code, office.name, office.zone, office.regency_id,
                      frozenset(d.pk for d in office.desks.all()))


def office_info(code: str) -> OfficeInfo:
    """An office's name, zone, regency and desks, cached in-process for a minute."""
    info = ttl_cached(("office", code), lambda: _office_info_load(code), ttl=60.0)
    if info is None:
        raise NotFound(f"Kantor {code} tidak ditemukan.", f"Office {code} not found.", code="office_not_found")
    return info


def _step_definitions_load(process_id: int) -> dict[int, StepDefinition]:
    return {d.pk: d for d in StepDefinition.objects.filter(process_id=process_id)}


def step_definitions(process_id: int, *, must_have: frozenset[int] = frozenset()) -> dict[int, StepDefinition]:
    """The step definitions of a process version by id, cached: a stored version never changes."""
    defs = ttl_cached(("stepdefs", process_id), lambda: _step_definitions_load(process_id), ttl=3600.0)
    if not must_have <= defs.keys():  # a row unknown to the cache (reloaded test data): read again
        defs = ttl_cached(("stepdefs", process_id), lambda: _step_definitions_load(process_id), ttl=3600.0,
                          refresh=True)
    return defs
