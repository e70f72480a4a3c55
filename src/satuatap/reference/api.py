"""Public, read-only reference API (mounted at /api/v1/reference/): reference data is not personal, so no auth."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from satuatap.reference import selectors
from satuatap.reference.models import Region

router = Router(tags=["reference"])


class RegionRef(Schema):
    code: str
    name: str
    level: int


class RegionOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent: str | None
    postal_code: str

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent_id


class RegionDetailOut(RegionOut):
    ancestors: list[RegionRef] = Field(description="parents from the province down")
    children_count: int


class RegionFilter(Schema):
    parent: str | None = Field(None, description='parent code, e.g. "32.12"; "" for the provinces')
    level: int | None = Field(None, ge=1, le=4, description="1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa")
    q: str | None = Field(None, max_length=100, description="part of the name, or a code prefix")
    limit: int = Field(selectors.REGION_LIMIT_DEFAULT, ge=1, le=selectors.REGION_LIMIT_MAX)


class CountryOut(Schema):
    code: str
    alpha3: str
    numeric: str
    name_id: str
    name_en: str


class AgencyOut(Schema):
    code: str
    name_id: str
    name_en: str
    desk_id: str
    desk_en: str
    sort_order: int
    legal_basis: str


class DeskOut(Schema):
    code: str
    desk_id: str
    desk_en: str


class RegionBrief(Schema):
    code: str
    name: str


class OfficeOut(Schema):
    code: str
    name: str
    regency: RegionBrief
    zone: str
    address: str
    is_active: bool
    desks: list[DeskOut]

    @staticmethod
    def resolve_desks(obj) -> list:
        return list(obj.desks.all())


class ProcessSummaryOut(Schema):
    code: str
    version: int
    scheme: str
    name: str
    effective_from: dt.date
    legal_basis: str


class StepOut(Schema):
    code: str
    name_id: str
    name_en: str
    agency: str
    prerequisites: list[str]
    sla_working_days: int
    fee_amount: int = Field(description="Rupiah")
    fee_legal_basis: str
    output_document: str
    validity_days: int | None
    outcome_type: str
    optional: bool
    requires_clear_case: bool
    what_to_bring: str

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency_id


class ProcessOut(ProcessSummaryOut):
    source_hash: str
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class HolidayOut(Schema):
    date: dt.date
    name: str
    joint_leave: bool = Field(description="cuti bersama (joint leave) rather than a public holiday")


@router.get("/regions", response=list[RegionOut], auth=None, summary="List regions (Kemendagri 2025)")
def regions(request, filters: Query[RegionFilter]):
    """Without filters: the 38 provinces. `parent` gives the children of a region (cascading address lists)."""
    return selectors.regions_list(parent=filters.parent, level=filters.level, q=filters.q, limit=filters.limit)


@router.get("/regions/{code}", response=RegionDetailOut, auth=None, summary="One region")
def region(request, code: str):
    obj = selectors.region_get(code=code)
    obj.ancestors = selectors.region_ancestors(region=obj)
    obj.children_count = obj.children.count()
    return obj


@router.get("/countries", response=list[CountryOut], auth=None, summary="List countries (ISO 3166-1)")
def countries(request):
    return selectors.countries_list()


@router.get("/countries/{code}", response=CountryOut, auth=None, summary="One country (alpha-2 or alpha-3)")
def country(request, code: str):
    return selectors.country_get(code=code)


@router.get("/agencies", response=list[AgencyOut], auth=None, summary="List agencies (LTSA desks)")
def agencies(request):
    return selectors.agencies_list()


@router.get("/agencies/{code}", response=AgencyOut, auth=None, summary="One agency")
def agency(request, code: str):
    return selectors.agency_get(code=code)


@router.get("/offices", response=list[OfficeOut], auth=None, summary="List offices with their desks")
def offices(request):
    return selectors.offices_list()


@router.get("/offices/{code}", response=OfficeOut, auth=None, summary="One office")
def office(request, code: str):
    return selectors.office_get(code=code)


@router.get("/processes", response=list[ProcessSummaryOut], auth=None, summary="List process versions")
def processes(request, scheme: str | None = None):
    return selectors.processes_list(scheme=scheme)


@router.get("/processes/current", response=ProcessOut, auth=None, summary="Process version in force")
def process_current(request, scheme: str, on: dt.date | None = None):
    """The version for `scheme` in force on `on` (default: today, Asia/Jakarta)."""
    return selectors.process_current(scheme=scheme, on=on or timezone.localdate())


@router.get("/processes/{code}/{version}", response=ProcessOut, auth=None, summary="One process version")
def process(request, code: str, version: int):
    return selectors.process_get(code=code, version=version)


@router.get("/holidays", response=list[HolidayOut], auth=None, summary="Holidays and cuti bersama")
def holidays(request, year: int | None = Query(None, ge=1900, le=2200)):
    return selectors.holidays_list(year=year)
