"""Reads of the outbox, scoped to what the caller may see (see `notify.access`)."""

from __future__ import annotations

from django.db.models import QuerySet

from satuatap.accounts.models import User
from satuatap.core.errors import NotFound, PermissionDenied
from satuatap.notify import access
from satuatap.notify.models import Message


def _scoped(user: User) -> QuerySet[Message]:
    if access.user_reads_all_messages(user):
        return Message.objects.all()
    if access.user_reads_complaint_messages(user):
        return Message.objects.filter(ref__startswith=access.COMPLAINT_REF_PREFIX)
    raise PermissionDenied(
        "Hanya admin dan petugas Crisis Center yang dapat melihat pesan keluar.",
        "Only admins and Crisis Center agents may read the outbox.",
        code="forbidden_outbox",
    )


def messages_list(*, user: User, state: str | None = None, channel: str | None = None, ref: str | None = None,
                  template: str | None = None) -> QuerySet[Message]:
    """Messages the user may read, newest first, filtered by state, channel, template and reference."""
    qs = _scoped(user)
    if state:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if template:
        qs = qs.filter(template=template)
    if ref:
        qs = qs.filter(ref=ref.strip())
    return qs.order_by("-created_at", "-id")


def message_get(*, user: User, message_id: int) -> Message:
    """One message the user may read."""
    message = _scoped(user).filter(pk=message_id).first()
    if message is None:
        raise NotFound("Pesan tidak ditemukan.", "Message not found.", code="message_not_found")
    return message


def messages_for_ref(*, ref: str) -> list[Message]:
    """Every message about one object (a complaint, a case), oldest first: for timelines shown to its handlers."""
    return list(Message.objects.filter(ref=ref).order_by("created_at", "id"))
