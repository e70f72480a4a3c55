from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from satuatap.accounts import services
from satuatap.accounts.models import ApiToken, User


@admin.register(User)
class SatuatapUserAdmin(UserAdmin):
    list_display = ("username", "role", "office", "agency", "region", "is_active")
    list_filter = ("role", "office", "agency", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Satuatap", {"fields": ("role", "office", "agency", "region")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
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
