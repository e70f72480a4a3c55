"""API authentication (session or bearer token) and the caller's own profile."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from satuatap.accounts import services


class BearerAuth(HttpBearer):
    """`Authorization: Bearer sat_…` tokens for integrations, created and revoked in the admin."""

    def authenticate(self, request, token: str):
        user = services.api_token_authenticate(secret=token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Django session of a logged-in officer (CSRF checked by Ninja for unsafe methods)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [BearerAuth(), ActiveSessionAuth()]

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    office: str | None
    agency: str | None
    region: str | None


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    user = request.auth
    return MeOut(
        username=user.username, role=user.role, office=user.office_id, agency=user.agency_id, region=user.region_id
    )
