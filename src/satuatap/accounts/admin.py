from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from satuatap.accounts import services
from satuatap.accounts.models import ApiToken, AuditAction, AuditEntry, User


class AuditedAdminMixin:
    """Every add, change and delete made in the admin is also an audit entry (who, from where, what).

    Django's own LogEntry stays; the audit log is the one an auditor searches. Use it on every ModelAdmin that
    can change data: `class FooAdmin(AuditedAdminMixin, admin.ModelAdmin)`.
    """

    def _audit(self, request, obj, action: str, message) -> None:
        services.audit_record(actor=request.user, request=request, action=action,
                              object_type=obj._meta.label_lower, object_id=obj.pk,
                              details={"admin": str(message)[:500]} if message else {})

    def log_addition(self, request, obj, message):
        self._audit(request, obj, AuditAction.CREATE, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, AuditAction.UPDATE, message)
        return super().log_change(request, obj, message)

    def log_deletion(self, request, obj, object_repr):
        self._audit(request, obj, AuditAction.DELETE, object_repr)
        return super().log_deletion(request, obj, object_repr)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, AuditAction.DELETE, str(obj))
        return super().log_deletions(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log in the admin: read-only for everyone (the model refuses changes anyway)."""

    list_display = ("at", "username", "role", "office_id", "action", "object_type", "object_id", "client_address")
    list_filter = ("action", "object_type", "role")
    search_fields = ("=username", "=object_id", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class SatuatapUserAdmin(AuditedAdminMixin, UserAdmin):
    list_display = ("username", "role", "office", "agency", "region", "is_active")
    list_filter = ("role", "office", "agency", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Satuatap", {"fields": ("role", "office", "agency", "region")}))


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, secret = services.api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        messages.warning(request, f"Token (shown once / ditampilkan sekali): {secret}")

    @admin.action(description="Revoke / cabut")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token_id=token.pk)
            services.audit_record(actor=request.user, request=request, action=AuditAction.UPDATE,
                                  object_type="accounts.apitoken", object_id=token.pk, details={"revoked": True})
