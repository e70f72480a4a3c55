"""Who may read the outbox (shared by selectors, the API and the admin).

Admins see every message. Crisis Center agents (desk officers of the complaints & information desk
"INFO" or of BP3MI) see the messages about complaints, which they follow up with complainants; messages
to candidates about their steps are not their business (UU 27/2022: least access).
"""

from __future__ import annotations

from satuatap.accounts.models import User
from satuatap.accounts.selectors import user_is_admin, user_is_crisis_desk

COMPLAINT_REF_PREFIX = "complaint:"


def user_reads_all_messages(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active and user_is_admin(user)


def user_reads_complaint_messages(user: User | None) -> bool:
    return user_is_crisis_desk(user)
