"""The office queue (antrian): visits, desk tickets, counters, appointments, opening hours and capacities.

A *visit* is one trip of a candidate to the office; it carries the number printed on the slip and the
original arrival time. A *ticket* is the visit's place in the queue of one desk (office + agency): when the
desk is done the visit gets a new ticket at the next desk, with the same number and arrival time, so the
candidate never queues from scratch. State changes only through `queueing.services` (house rule 1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from satuatap.journey.models import Case
from satuatap.reference.models import Agency, Office


class Priority(models.TextChoices):
    NONE = "none", "Umum / general"
    ELDERLY = "elderly", "Lansia / elderly"
    DISABILITY = "disability", "Disabilitas / disability"
    PREGNANT = "pregnant", "Ibu hamil / pregnant"
    INFANT = "infant", "Membawa bayi / with infant"


class VisitStatus(models.TextChoices):
    OPEN = "open", "Berjalan / open"
    FINISHED = "finished", "Selesai / finished"
    NO_SHOW = "no_show", "Tidak hadir / no-show"


class TicketState(models.TextChoices):
    WAITING = "waiting", "Menunggu / waiting"
    CALLED = "called", "Dipanggil / called"
    DONE = "done", "Selesai / done"
    NO_SHOW = "no_show", "Tidak hadir / no-show"
    TRANSFERRED = "transferred", "Dialihkan / transferred"
    CANCELLED = "cancelled", "Dibatalkan / cancelled"


ACTIVE_TICKET_STATES = (TicketState.WAITING, TicketState.CALLED)


class DayCounter(models.Model):
    """Last visit number issued per office and local day (numbers restart every morning)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="uniq_queue_daycounter")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.day}: {self.last}"


class Counter(models.Model):
    """A service window of a desk (e.g. Dukcapil counter 2); open while an officer is sitting at it."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=10)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["office", "agency", "label"]
        constraints = [
            models.UniqueConstraint(fields=["office", "agency", "label"], name="uniq_queue_counter"),
            models.UniqueConstraint(fields=["officer"], condition=Q(officer__isnull=False),
                                    name="one_counter_per_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.agency_id}/{self.label}"

    @property
    def is_open(self) -> bool:
        return self.officer_id is not None


class OpeningHours(models.Model):
    """Opening hours of an office for one weekday (0 = Monday), local time. No rows: Mon-Fri 08:00-15:00."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "weekday"], name="uniq_queue_hours")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.weekday} {self.opens}-{self.closes}"


class ServiceCapacity(models.Model):
    """How many appointments an office takes per day for one service (desk)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    daily_capacity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "agency"], name="uniq_queue_capacity")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.agency_id}: {self.daily_capacity}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Terjadwal / booked"
    CHECKED_IN = "checked_in", "Sudah hadir / checked in"
    CANCELLED = "cancelled", "Dibatalkan / cancelled"
    NO_SHOW = "no_show", "Tidak hadir / no-show"


HOLDING_APPOINTMENT_STATES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Appointment(models.Model):
    """A booked slot for one service at one office; the confirmation code is what the candidate keeps."""

    code = models.CharField(max_length=12, unique=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    slot = models.TimeField(help_text="start of the slot, office local time")
    starts_at = models.DateTimeField()
    case_number = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    created_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["office", "agency", "day", "status"])]

    def __str__(self) -> str:
        return self.code


class Visit(models.Model):
    """One trip of a candidate to the office, across every desk they are sent to."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    number = models.PositiveIntegerField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=12, choices=Priority.choices, default=Priority.NONE)
    appointment = models.OneToOneField(Appointment, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="visit")
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.OPEN)
    arrived_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["arrived_at"]
        constraints = [models.UniqueConstraint(fields=["office", "day", "number"], name="uniq_visit_number")]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.day}/{self.number}"


class Ticket(models.Model):
    """The visit's place in one desk's queue. Ordered by: checked-in appointment in its slot, priority,
    original arrival time."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="tickets")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    code = models.CharField(max_length=12)
    state = models.CharField(max_length=12, choices=TicketState.choices, default=TicketState.WAITING)
    priority = models.BooleanField(default=False)
    appointment_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(help_text="arrival of the visit at the office (kept across desks)")
    queued_at = models.DateTimeField(help_text="when the ticket joined this desk's queue")
    called_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recalls = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["queued_at"]
        indexes = [
            models.Index(fields=["office", "agency", "state"]),
            models.Index(fields=["office", "day"]),
        ]
        constraints = [
            # A visit is in one queue at a time, and a counter serves one ticket at a time.
            models.UniqueConstraint(fields=["visit"], condition=Q(state__in=["waiting", "called"]),
                                    name="one_active_ticket_per_visit"),
            models.UniqueConstraint(fields=["counter"], condition=Q(state="called"),
                                    name="one_called_ticket_per_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.code}:{self.agency_id}:{self.state}"


class TicketEvent(models.Model):
    """An immutable record of one queue change (who, where, which desk, from → to, why)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+", db_index=False)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                db_index=False)
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["office", "id"]), models.Index(fields=["office", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"
