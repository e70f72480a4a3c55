"""Admin for the worker registry: read-only, because every write goes through the services (NIK rules, 409 on
duplicates, permission). The list shows the NIK masked; search by the full NIK is an exact match."""

from django.contrib import admin

from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditAction
from satuatap.core.admin import ReadOnlyAdmin
from satuatap.core.masking import mask_nik
from satuatap.registry.models import CorrectionRequest, FamilyConsent, Worker, WorkerEvent


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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a worker in the admin shows the full record: recorded like any other read.
        if request.method == "GET" and str(object_id).isdigit():
            account_services.audit_record(actor=request.user, request=request, action=AuditAction.READ,
                                          object_type="worker", object_id=object_id,
                                          subject_worker_id=int(object_id), details={"via": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(FamilyConsent)
class FamilyConsentAdmin(ReadOnlyAdmin):
    list_display = ("worker", "consenter_name", "relation", "consent_date", "village_head_acknowledged", "recorded_at")
    list_filter = ("relation", "village_head_acknowledged")
    search_fields = ("consenter_name", "worker__name", "=worker__nik")
    list_select_related = ("worker",)
    raw_id_fields = ("worker", "recorded_by")


@admin.register(WorkerEvent)
class WorkerEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "worker", "kind", "actor", "office_id", "agency_id")
    list_filter = ("kind",)
    raw_id_fields = ("worker", "actor")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    """Corrections are decided through the API (the transition applies the change); the admin only shows them."""

    list_display = ("requested_at", "worker", "status", "office_id", "requested_by", "decided_by")
    list_filter = ("status",)
    raw_id_fields = ("worker", "requested_by", "decided_by")

    def has_delete_permission(self, request, obj=None):
        return False
