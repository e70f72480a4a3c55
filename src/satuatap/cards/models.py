"""Electronic migrant worker cards (E-KPMI), checkpoints and their officers, departures and stopped attempts,
and where departed workers are. State changes only through `cards.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from satuatap.journey.models import Case
from satuatap.reference.models import Country, Office, Region
from satuatap.registry.models import Worker


class CheckpointKind(models.TextChoices):
    AIRPORT = "airport", "Bandara / airport"
    SEAPORT = "seaport", "Pelabuhan / seaport"
    LAND = "land", "Pos lintas batas / land border post"


class Checkpoint(models.Model):
    """An immigration checkpoint (TPI) where departures are verified; reference data (cards/data/checkpoints.json)."""

    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=CheckpointKind.choices)
    city = models.CharField(max_length=80)
    province = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CheckpointMembership(models.Model):
    """A checkpoint officer's post: they record departures and stopped attempts there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkpoint_posts")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="members")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "checkpoint"], name="uniq_checkpoint_member")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.checkpoint_id}"


class CardStatus(models.TextChoices):
    ACTIVE = "active", "Aktif / active"
    REVOKED = "revoked", "Dicabut / revoked"


class Card(models.Model):
    """One signed card of one case. The token is what the QR code holds; the payload is its readable copy."""

    number = models.CharField(max_length=40, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cards")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="cards")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    blank_serial = models.CharField(max_length=60, blank=True, help_text="the number the BP3MI desk recorded")
    key_id = models.CharField(max_length=40)
    token = models.TextField()
    payload = models.JSONField()
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(status="active"),
                                    name="one_active_card_per_case"),
        ]

    def __str__(self) -> str:
        return self.number


class CardEvent(models.Model):
    """History of a card: issued, revoked (who, office, why, when)."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    office = models.ForeignKey(Office, null=True, on_delete=models.SET_NULL, related_name="+")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.card_id}:{self.kind}"


class AttemptOutcome(models.TextChoices):
    DEPARTED = "departed", "Berangkat / departed"
    STOPPED = "stopped", "Dicegah / stopped"


class DepartureAttempt(models.Model):
    """A departure presented at a checkpoint: recorded (DEP done) or stopped as non-procedural (who, where, why)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="attempts")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    reason = models.CharField(max_length=30, help_text="verification reason code, or 'no_card' / 'rules_blocked'")
    note = models.TextField(blank=True)
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who, as presented (a stopped person may have no card or a forged one): the name and passport they showed.
    person_name = models.CharField(max_length=150, blank=True)
    passport_number = models.CharField(max_length=20, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)
    card_number_claimed = models.CharField(max_length=40, blank=True)
    flight_or_vessel = models.CharField(max_length=30, blank=True)
    occurred_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["outcome", "occurred_on"]), models.Index(fields=["checkpoint", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}:{self.outcome}:{self.reason}"


class AbroadStatus(models.TextChoices):
    ABROAD = "abroad", "Di luar negeri / abroad"
    RETURNED = "returned", "Sudah pulang / returned"


class Abroad(models.Model):
    """Where a departed worker is: kept from the departure on, until marked returned."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="abroad")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    # The worker's home regency and province (their own, not the office's) for the regency officer's view.
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    # Null only when the case never named one (a departure is never refused for want of it).
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.CharField(max_length=100, blank=True)
    employer_name = models.CharField(max_length=200, blank=True)
    job = models.CharField(max_length=150, blank=True)
    departed_on = models.DateField()
    contract_end = models.DateField(null=True, blank=True, db_index=True)
    checkpoint = models.ForeignKey(Checkpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checkpoint_text = models.CharField(max_length=100, blank=True)
    flight_or_vessel = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=AbroadStatus.choices, default=AbroadStatus.ABROAD)
    returned_on = models.DateField(null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    return_note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["contract_end", "pk"]
        indexes = [models.Index(fields=["status", "regency"]), models.Index(fields=["status", "contract_end"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.country_id}:{self.status}"
