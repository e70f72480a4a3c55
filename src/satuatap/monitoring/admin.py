"""Read-only admin of monitoring: rubric versions change only by loading a new version from rubric.json, and
classifications only by `satuatap classify-offices`."""

from __future__ import annotations

from django.contrib import admin

from satuatap.monitoring.models import OfficeClassification, RollupState, Rubric


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(ReadOnly):
    list_display = ("version", "effective_month", "name", "loaded_at")


@admin.register(OfficeClassification)
class OfficeClassificationAdmin(ReadOnly):
    list_display = ("office", "month", "klass", "score", "rubric", "computed_at")
    list_filter = ("klass", "month")
    search_fields = ("office__code", "office__name")


@admin.register(RollupState)
class RollupStateAdmin(ReadOnly):
    list_display = ("name", "last_event_id", "last_seen_at", "updated_at")
