"""Queue settings in the admin: opening hours and daily appointment capacity per office (editable); tickets,
visits, counters and appointments are read-only here (every change goes through the services)."""

from __future__ import annotations

from django.contrib import admin

from satuatap.core.admin import ReadOnlyAdmin
from satuatap.queueing.models import Appointment, Counter, OpeningHours, ServiceCapacity, Ticket, TicketEvent


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("office", "weekday", "opens", "closes")
    list_filter = ("office",)


@admin.register(ServiceCapacity)
class ServiceCapacityAdmin(admin.ModelAdmin):
    list_display = ("office", "agency", "daily_capacity")
    list_filter = ("office", "agency")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("code", "office", "agency", "day", "state", "priority", "queued_at", "called_at", "finished_at")
    list_filter = ("office", "agency", "state", "day")


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "kind", "office", "agency", "counter", "actor", "reason")
    list_filter = ("office", "kind")


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin):
    list_display = ("office", "agency", "label", "officer", "opened_at")
    list_filter = ("office", "agency")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "office", "agency", "day", "slot", "status", "checked_in_at")
    list_filter = ("office", "agency", "status", "day")
