"""Cards in the admin: read-only (issuing and revoking go through the services and leave a card event); checkpoint
posts are managed here through the service, and checkpoints are reference data (load-checkpoints)."""

from __future__ import annotations

from django.contrib import admin, messages

from satuatap.cards import services
from satuatap.cards.models import Abroad, Card, CardEvent, Checkpoint, CheckpointMembership, DepartureAttempt
from satuatap.core.admin import ReadOnlyAdmin
from satuatap.core.errors import ApplicationError


class CardEventInline(admin.TabularInline):
    model = CardEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "office", "from_state", "to_state", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("number", "case", "office", "status", "key_id", "issued_on", "expires_on")
    list_filter = ("status", "key_id", "office")
    search_fields = ("number", "case__number", "blank_serial")
    exclude = ("token",)
    inlines = [CardEventInline]
    actions = ["revoke"]

    @admin.action(description="Cabut kartu terpilih / revoke selected cards")
    def revoke(self, request, queryset):
        for card in queryset:
            try:
                services.card_revoke(actor=request.user, number=card.number, reason="Dicabut admin / revoked by admin")
            except ApplicationError as exc:
                self.message_user(request, f"{card.number}: {exc.message_en}", messages.WARNING)


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "city", "province", "active")
    list_filter = ("kind", "active")


@admin.register(CheckpointMembership)
class CheckpointMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "checkpoint", "active", "created_at")
    list_filter = ("checkpoint", "active")
    autocomplete_fields = ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            services.checkpoint_member_add(actor=request.user, user=obj.user, checkpoint_code=obj.checkpoint_id)
        except ApplicationError as exc:
            self.message_user(request, exc.message_en, messages.ERROR)


@admin.register(DepartureAttempt)
class DepartureAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "checkpoint", "outcome", "reason", "person_name", "card_number_claimed")
    list_filter = ("outcome", "reason", "checkpoint")


@admin.register(Abroad)
class AbroadAdmin(ReadOnlyAdmin):
    list_display = ("case", "country", "employer_name", "departed_on", "contract_end", "status")
    list_filter = ("status", "country")
