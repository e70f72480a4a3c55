"""Outbox in the admin: read-only (messages are written by services), with a "send again" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from satuatap.core.errors import ApplicationError
from satuatap.notify import services
from satuatap.notify.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "template", "language", "ref", "state", "attempts",
                    "next_attempt_at", "sent_at")
    list_filter = ("state", "channel", "template", "language")
    search_fields = ("=recipient", "=ref", "=dedupe_key", "=provider_message_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again (failed or dead messages)"))
    def send_again(self, request, queryset):
        done = 0
        for message in queryset:
            try:
                services.message_retry_now(actor=request.user, message_id=message.pk)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{message.pk}: {exc.message_en}", level=messages.WARNING)
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": done})
