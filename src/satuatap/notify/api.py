"""Outbox API: delivery state of messages, for admins and (complaint messages only) Crisis Center agents."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from satuatap.core.api_schemas import ErrorOut
from satuatap.core.limits import MAX_OFFSET
from satuatap.notify import selectors
from satuatap.notify.models import Channel, Message, MessageState

router = Router(tags=["notifications"])




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MessageOut(Schema):
    id: int
    channel: str
    recipient: str
    template: str
    language: str
    subject: str
    body: str
    ref: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    sent_at: dt.datetime | None
    provider_message_id: str
    created_at: dt.datetime


class MessagePage(Schema):
    count: int
    items: list[MessageOut]


class MessageFilters(Schema):
    state: MessageState | None = None
    channel: Channel | None = None
    template: str | None = Field(None, max_length=60)
    ref: str | None = Field(None, max_length=80, description='e.g. "complaint:PGD-2026-000123"')
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _out(message: Message) -> MessageOut:
    return MessageOut.model_validate(message, from_attributes=True)


@router.get("/", response={200: MessagePage, **ERRORS}, summary="Outbox messages with their delivery state")
def list_messages(request, filters: Query[MessageFilters]):
    qs = selectors.messages_list(user=request.auth, state=filters.state, channel=filters.channel, ref=filters.ref,
                                 template=filters.template)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_out(m) for m in items]}


@router.get("/{message_id}", response={200: MessageOut, **ERRORS}, summary="One outbox message")
def get_message(request, message_id: int):
    return _out(selectors.message_get(user=request.auth, message_id=message_id))
