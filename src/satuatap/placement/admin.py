"""Admin for placement: read-mostly. Writes with rules (licence status, job order positions, decisions) belong
to the services and the API; rule sets come only from data/rules.json."""

from __future__ import annotations

from django.contrib import admin

from satuatap.core.admin import ReadOnlyAdmin
from satuatap.placement.models import (
    Company,
    CompanyMembership,
    CompanySanction,
    Decision,
    DecisionOverride,
    Employer,
    FeeLedgerEntry,
    JobOrder,
    JobOrderLink,
    JobTitle,
    PlacementEvent,
    ProblemEmployer,
    Rule,
    RuleSet,
)


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "licence_number", "status", "licence_valid_to"]
    list_filter = ["status"]
    search_fields = ["name", "licence_number"]


@admin.register(CompanySanction)
class CompanySanctionAdmin(ReadOnlyAdmin):
    list_display = ["company", "kind", "violation", "imposed_on"]


@admin.register(CompanyMembership)
class CompanyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "is_active"]
    list_filter = ["is_active", "role"]
    raw_id_fields = ["user", "company"]


@admin.register(Employer)
class EmployerAdmin(ReadOnlyAdmin):
    list_display = ["name", "country", "city", "type"]
    list_filter = ["type", "country"]
    search_fields = ["name"]


@admin.register(ProblemEmployer)
class ProblemEmployerAdmin(ReadOnlyAdmin):
    list_display = ["employer", "mission", "listed_on", "delisted_on"]


@admin.register(JobTitle)
class JobTitleAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_id", "name_en", "sector", "zero_cost"]
    list_filter = ["zero_cost", "sector"]


@admin.register(JobOrder)
class JobOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "employer", "job_title", "positions", "positions_used", "status", "attested"]
    list_filter = ["status", "attested"]
    search_fields = ["number"]


@admin.register(JobOrderLink)
class JobOrderLinkAdmin(ReadOnlyAdmin):
    list_display = ["case_ref", "job_order", "linked_at", "released_at"]
    search_fields = ["case_ref"]


@admin.register(FeeLedgerEntry)
class FeeLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["case_ref", "component", "amount", "payer", "recorded_at"]
    search_fields = ["case_ref"]


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    can_delete = False
    fields = ["code", "severity", "stages", "legal_basis", "effective_from", "effective_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["version", "name", "effective_from", "loaded_at"]
    inlines = [RuleInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case_ref", "stage", "verdict", "rule_set_version", "evaluated_at"]
    list_filter = ["verdict", "stage"]
    search_fields = ["case_ref"]


@admin.register(DecisionOverride)
class DecisionOverrideAdmin(ReadOnlyAdmin):
    list_display = ["case_ref", "actor", "created_at"]


@admin.register(PlacementEvent)
class PlacementEventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "case_ref", "company", "job_order", "actor", "created_at"]
    list_filter = ["kind"]
