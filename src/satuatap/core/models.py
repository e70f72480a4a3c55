"""Cross-cutting records that belong to no single domain."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for retries of the same request."""

    # Who sent it: "user:<id>" for a session, "token:<sha256>" for a bearer token; keys never cross callers.
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="null while in flight")
    body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, default="application/json")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key_per_caller")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
