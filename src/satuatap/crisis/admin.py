"""Complaints in the admin: read-only (every change goes through the services and leaves an event);
channel keys are issued here (the secret is shown once) and revoked with an action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from satuatap.core.admin import ReadOnlyAdmin
from satuatap.core.errors import ApplicationError
from satuatap.crisis import services
from satuatap.crisis.models import (
    ChannelKey,
    ClarificationRequest,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    CrisisRuleSet,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ("created_at", "kind", "actor", "actor_label", "from_status", "to_status", "reason", "public")
    readonly_fields = fields


class ClarificationInline(ReadOnlyInline):
    model = ClarificationRequest
    fields = ("company_name", "company", "company_email", "state", "asked_on", "due_on", "answered_at",
              "answered_by_name")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = ComplaintAttachment
    fields = ("original_name", "content_type", "size", "source", "uploaded_at", "sha256")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("reference", "registered_at", "priority", "category", "status", "channel", "worker_name",
                    "country", "procedural", "assigned_to", "closure_rule", "rule_set")
    list_filter = ("status", "priority", "category", "channel", "procedural", "closure_rule")
    search_fields = ("=reference", "worker_name", "complainant_name", "=worker_nik", "=worker_passport")
    date_hierarchy = "registered_at"
    list_select_related = ("country", "assigned_to", "rule_set")
    raw_id_fields = ("company", "job_order")
    exclude = ("secret_hash",)
    inlines = [EventInline, ClarificationInline, AttachmentInline]


@admin.register(CrisisRuleSet)
class CrisisRuleSetAdmin(ReadOnlyAdmin):
    """Loaded from data/crisis_rules.json only (load_crisis_rules); a loaded version never changes."""

    list_display = ("version", "effective_from", "name", "legal_basis", "loaded_at")


@admin.register(ChannelKey)
class ChannelKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("channel",)
    fields = ("name", "channel")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        key, secret = services.channel_key_create(actor=request.user, name=obj.name, channel=obj.channel)
        obj.pk = key.pk
        obj.prefix, obj.digest, obj.created_at = key.prefix, key.digest, key.created_at
        messages.warning(request, _("Channel key for %(name)s: %(secret)s — copy it now, it is not shown again.")
                         % {"name": key.name, "secret": secret})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            try:
                services.channel_key_revoke(actor=request.user, key_id=key.pk)
            except ApplicationError as exc:
                self.message_user(request, exc.message_en, level=messages.ERROR)
