"""Complaints of the 24-hour Crisis Center. State changes only through `crisis.services` (house rule 1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from satuatap.crisis.constants import (
    Category,
    ComplainantType,
    IntakeChannel,
    Outcome,
    Priority,
    Relation,
    ServiceType,
    Status,
)
from satuatap.placement.models import Company, JobOrder
from satuatap.reference.models import Country
from satuatap.registry.models import Worker


class MatchMethod(models.TextChoices):
    NIK = "nik", _("NIK (exact)")
    PASSPORT = "passport", _("Passport number")
    NAME_BIRTH_DATE = "name_birth_date", _("Name and birth date")
    MANUAL = "manual", _("Chosen by the agent")


class ChannelKey(models.Model):
    """The credential of one channel integration (WhatsApp / SMS gateway, e-mail robot); only a hash is kept."""

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=IntakeChannel.choices)
    prefix = models.CharField(max_length=12, db_index=True, help_text=_("first characters, to recognise it"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("channel key")
        verbose_name_plural = _("channel keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.channel}, {self.prefix}…)"


class CrisisRuleSet(models.Model):
    """One version of the first-response targets and closure rules, in force from `effective_from` until a later
    version starts (data/crisis_rules.json; a loaded version never changes: complaints point at it)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    legal_basis = models.TextField(_("legal basis"))
    # {"urgent": {"amount", "unit", "breaching_soon_hours", ...}, "normal": {...}}, as in the data file
    first_response_targets = models.JSONField(default=dict)
    # [{"code", "status", "anchor", "amount", "unit", "warn_before", "warn_unit", "legal_basis", "reason_id",
    #   "reason_en"}, ...], as in the data file
    closure_rules = models.JSONField(default=list)
    clarification_working_days = models.PositiveSmallIntegerField()
    min_notice_days = models.PositiveSmallIntegerField()
    source_hash = models.CharField(max_length=64, help_text="SHA-256 of the data that defined this version")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("crisis rule set")
        verbose_name_plural = _("crisis rule sets")

    def __str__(self) -> str:
        return f"crisis rules v{self.version} (from {self.effective_from})"


class Complaint(models.Model):
    """One complaint: who complains, about which worker, what happened, and how it is being handled."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The complainant's status-page secret, hashed like a password; the secret itself is shown once.
    secret_hash = models.CharField(max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=IntakeChannel.choices)
    channel_key = models.ForeignKey(ChannelKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The integration's own id of the conversation/message, so a retried API call registers once.
    external_id = models.CharField(max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=5, default="id")

    complainant_type = models.CharField(_("complainant"), max_length=12, choices=ComplainantType.choices)
    complainant_relation = models.CharField(_("relation to the worker"), max_length=20, choices=Relation.choices,
                                            blank=True)
    complainant_poa_reference = models.CharField(_("power of attorney reference"), max_length=100, blank=True)
    complainant_organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    complainant_name = models.CharField(_("complainant's name"), max_length=150)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20, blank=True, help_text="E.164")
    complainant_email = models.EmailField(_("complainant's e-mail"), blank=True)

    worker_name = models.CharField(_("worker's name"), max_length=150)
    worker_nik = models.CharField(_("worker's NIK"), max_length=16, blank=True, db_index=True)
    worker_passport = models.CharField(_("passport number"), max_length=12, blank=True, db_index=True)
    worker_birth_date = models.DateField(_("worker's birth date"), null=True, blank=True)
    matched_worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="complaints")
    match_method = models.CharField(max_length=20, choices=MatchMethod.choices, blank=True)
    match_confidence = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    match_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    match_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Did the worker leave through the system (card issued or departure recorded)? null = not known (no
    # confirmed match). Fixed when the match is confirmed, so statistics count what the agent saw.
    procedural = models.BooleanField(_("procedural"), null=True, blank=True)

    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country"))
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    # What the complainant typed about the placement company and the job order ...
    company_name = models.CharField(_("placement company"), max_length=200, blank=True)
    job_order_number = models.CharField(_("job order number"), max_length=60, blank=True)
    # ... and the placement app's records they point at: resolved at registration (licence number, job order
    # number, or exact company name), set or confirmed by an agent (services.complaint_link_placement).
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
                                verbose_name=_("placement company (registered)"))
    job_order = models.ForeignKey(JobOrder, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="complaints", verbose_name=_("job order (registered)"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    description = models.TextField(_("what happened"))

    status = models.CharField(_("status"), max_length=25, choices=Status.choices, default=Status.REGISTERED)
    status_changed_at = models.DateTimeField()
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    registered_at = models.DateTimeField(_("registered"), db_index=True)
    first_response_due_at = models.DateTimeField(_("first response due"))
    # The rule set in force on the registration date (WIB): the first-response target above and the closure
    # timers follow it, even after a later version is loaded. null only for complaints registered before rule
    # sets were data (they follow the version in force on their registration date).
    rule_set = models.ForeignKey(CrisisRuleSet, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="complaints", verbose_name=_("rule set"))
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)

    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("agent"))
    assigned_team = models.CharField(_("team"), max_length=100, blank=True)
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)

    resolution_outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    resolution_amount = models.DecimalField(_("amount (IDR)"), max_digits=15, decimal_places=0, null=True,
                                            blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # "manual" or the code of the automatic closure rule applied (of `rule_set`; the closing event's payload
    # names the version too).
    closure_rule = models.CharField(max_length=40, blank=True)
    closure_reason = models.TextField(blank=True)
    # The last closure warning given: "<rule>:<anchor date>", and the date it was given.
    closure_warning_key = models.CharField(max_length=80, blank=True)
    closure_warned_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["status", "priority", "first_response_due_at"]),
            models.Index(fields=["category", "registered_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_key", "external_id"], condition=~models.Q(external_id=""),
                name="crisis_uniq_external_id_per_channel_key",
            )
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)


class ComplaintCounter(models.Model):
    """Last reference number issued per year (PGD-<year>-<n>)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ComplaintEvent(models.Model):
    """An immutable record of one change to a complaint: who, from → to, why, with what data, when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    # Who acted when it was no user: "system", "complainant", "company: <name>", "channel: <key name>".
    actor_label = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=25, blank=True)
    to_status = models.CharField(max_length=25, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # Shown to the complainant on the status page (internal notes and matching are not).
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("complaint events are append-only")


class AttachmentSource(models.TextChoices):
    COMPLAINANT = "complainant", _("Complainant")
    AGENT = "agent", _("Agent")
    CHANNEL = "channel", _("Channel integration")


class ComplaintAttachment(models.Model):
    """A PDF/JPEG/PNG (≤ 5 MB, type checked by content, SHA-256 kept) added to a complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="complaints/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=12, choices=AttachmentSource.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.original_name}"


class ClarificationState(models.TextChoices):
    OPEN = "open", _("Waiting for the answer")
    ANSWERED = "answered", _("Answered")
    LAPSED = "lapsed", _("No answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClarificationRequest(models.Model):
    """A request to the placement company to clarify a complaint, answered within 15 working days.

    The company answers through a signed link sent by e-mail (no account needed) or, when the request is
    addressed to a registered company (`company`), by that company's users in their portal.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="clarifications")
    company_name = models.CharField(_("company"), max_length=200)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="clarification_requests", verbose_name=_("company (registered)"))
    company_email = models.EmailField(_("company e-mail"))
    question = models.TextField(_("question"))
    state = models.CharField(max_length=10, choices=ClarificationState.choices, default=ClarificationState.OPEN)
    asked_at = models.DateTimeField()
    asked_on = models.DateField(help_text="WIB date of the request: day 0 of the working-day count")
    due_on = models.DateField(help_text="last working day for the answer")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_by_name = models.CharField(_("answered by"), max_length=150, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.company_name}:{self.state}"
