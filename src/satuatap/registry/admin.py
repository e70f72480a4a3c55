"""Admin for the worker registry: read-only, because every write goes through the services (NIK rules, 409 on
duplicates, permission). The list shows the NIK masked; search by the full NIK is an exact match."""

from django.contrib import admin

from satuatap.core.masking import mask_nik
from satuatap.registry.models import FamilyConsent, Worker


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FamilyConsentInline(admin.TabularInline):
    model = FamilyConsent
    extra = 0
    can_delete = False
    fields = ("consenter_name", "relation", "consent_date", "village_head_acknowledged", "village_head_name")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("name", "masked_nik", "sex", "birth_date", "regency", "phone", "created_at")
    list_filter = ("sex", "education", "marital_status", ("province", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=nik", "name", "=phone")
    list_select_related = ("regency",)
    raw_id_fields = ("province", "regency", "district", "village", "created_by")
    date_hierarchy = "created_at"
    inlines = [FamilyConsentInline]

    @admin.display(description="NIK", ordering="nik")
    def masked_nik(self, obj: Worker) -> str:
        return mask_nik(obj.nik)


@admin.register(FamilyConsent)
class FamilyConsentAdmin(ReadOnlyAdmin):
    list_display = ("worker", "consenter_name", "relation", "consent_date", "village_head_acknowledged", "recorded_at")
    list_filter = ("relation", "village_head_acknowledged")
    search_fields = ("consenter_name", "worker__name", "=worker__nik")
    list_select_related = ("worker",)
    raw_id_fields = ("worker", "recorded_by")
