"""Admin for the worker registry: read-only, because every write goes through the services (NIK rules, 409 on
duplicates, permission). The list shows the NIK masked; search by the full NIK is an exact match. Opening a
worker shows the full record: outside normal work (an admin's is) the reason is asked first, with a small form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satuatap.accounts import audit
from satuatap.core.admin import ReadOnlyAdmin
from satuatap.core.masking import mask_nik
from satuatap.registry.models import CorrectionRequest, FamilyConsent, Worker, WorkerEvent


class AccessReasonForm(forms.Form):
    """Why a worker's full record is opened in the admin (accounts.audit); kept in the audit log."""

    access_reason = forms.CharField(
        label=gettext_lazy("Alasan membuka data ini / Reason for opening this record"),
        min_length=audit.REASON_MIN_LENGTH, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "Data ini di luar pekerjaan rutin Anda. Alasan dicatat dalam log audit bersama nama Anda dan waktunya. / "
            "This record is outside your normal work. Your reason is recorded in the audit log with your name and "
            "the time."),
    )


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
        """Opening a worker shows the full record: recorded like any other read, with the reason rule of
        accounts.audit. When a reason is needed (always for an admin) and none was given, a small form asks for
        it; it is posted to this same address, kept in the session (as on the case page) and the page is asked
        for again. API-style clients may give it in the X-Access-Reason header instead."""
        worker = self._viewable(request, object_id)
        if worker is None:  # no such worker, or no access: the admin's own answer
            return super().change_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and AccessReasonForm.base_fields.keys() <= request.POST.keys():
            form = AccessReasonForm(request.POST)
            if not form.is_valid():
                return self._reason_page(request, worker, form, status=422)
            audit.reason_grant(request, self._grant_key(worker), form.cleaned_data["access_reason"])
            return HttpResponseRedirect(request.get_full_path())
        if request.method in ("GET", "HEAD"):
            try:
                audit.record_full_read(request=request, actor=request.user, object_type="worker",
                                       object_id=worker.pk, subject_worker_id=worker.pk, office_id=None,
                                       reason=audit.reason_granted(request, self._grant_key(worker)) or None,
                                       details={"via": "admin"})
            except audit.AccessReasonRequired:
                return self._reason_page(request, worker, AccessReasonForm())
        return super().change_view(request, object_id, form_url, extra_context)

    def _viewable(self, request, object_id) -> Worker | None:
        if not self.has_view_or_change_permission(request):
            return None
        return self.get_object(request, unquote(object_id))

    @staticmethod
    def _grant_key(worker: Worker) -> str:
        return f"admin:registry.worker:{worker.pk}"

    def _reason_page(self, request, worker: Worker, form: AccessReasonForm, status: int = 200):
        # Only the record's number: nothing of the person is shown before the reason is given.
        title = _("Pekerja #%(id)s: alasan diperlukan / Worker #%(id)s: reason needed") % {"id": worker.pk}
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "form": form,
            "worker_id": worker.pk,
            "changelist_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                                      current_app=self.admin_site.name),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "web/admin/access_reason.html", context, status=status)


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
