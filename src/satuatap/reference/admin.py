"""Admin for reference data: read-only where the data comes from files or the law (load-reference owns it).

Agencies and offices can be corrected here, but `satuatap load-reference` writes data/*.json back over them:
a lasting change belongs in those files. Process versions are never edited: open cases are pinned to them.
"""

from __future__ import annotations

from django.contrib import admin

from satuatap.core.admin import ReadOnlyAdmin
from satuatap.reference.models import (
    Agency,
    Country,
    Holiday,
    Office,
    ProcessDefinition,
    Region,
    StepDefinition,
)


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "postal_code"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    show_full_result_count = False  # ~91,000 rows with villages
    list_per_page = 100


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = ["code", "alpha3", "numeric", "name_id", "name_en"]
    search_fields = ["code", "alpha3", "name_id", "name_en"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "desk_id", "sort_order", "legal_basis"]
    search_fields = ["code", "name_id", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # steps, cases and users point at agencies


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency", "zone", "is_active", "desk_codes"]
    list_filter = ["zone", "is_active", "desks"]
    search_fields = ["code", "name", "regency__name"]
    autocomplete_fields = ["regency"]
    filter_horizontal = ["desks"]
    list_select_related = ["regency"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("desks")

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: cases and users point at offices

    @admin.display(description="desks")
    def desk_codes(self, obj: Office) -> str:
        return ", ".join(a.code for a in obj.desks.all())


class StepDefinitionInline(admin.TabularInline):
    model = StepDefinition
    extra = 0
    can_delete = False
    fields = [
        "sort_order",
        "code",
        "name_id",
        "agency",
        "prerequisites",
        "sla_working_days",
        "fee_amount",
        "output_document",
        "validity_days",
        "optional",
        "requires_clear_case",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "scheme", "name", "effective_from"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]
    inlines = [StepDefinitionInline]


@admin.register(Holiday)
class HolidayAdmin(ReadOnlyAdmin):
    list_display = ["date", "name", "joint_leave"]
    list_filter = ["joint_leave"]
    date_hierarchy = "date"
    search_fields = ["name"]
