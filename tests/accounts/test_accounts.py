import pytest
from django.test import Client

from satuatap.accounts import services
from satuatap.accounts.models import ApiToken, Role
from satuatap.core.errors import ValidationFailed
from satuatap.reference.models import Agency, Office
from tests import factories

pytestmark = pytest.mark.django_db


def test_desk_officer_needs_office_and_agency_present_at_office():
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="x", password=None, role=Role.DESK_OFFICER)
    assert exc.value.code == "desk_officer_needs_office_agency"
    # Nunukan has no immigration desk
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(username="y", password=None, role=Role.DESK_OFFICER,
                             office=Office.objects.get(code="LTSA-NNK"), agency=Agency.objects.get(code="IMIGRASI"))
    assert exc.value.code == "desk_not_present"


def test_token_secret_is_stored_hashed_and_me_endpoint():
    user = factories.officer("LTSA-IDM", "DINKES")
    token, secret = services.api_token_create(user=user, name="gateway")
    assert secret not in {token.digest, token.prefix} and secret.startswith("sat_")
    assert not ApiToken.objects.filter(digest=secret).exists()
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200
    assert r.json() == {"username": user.username, "role": "desk_officer", "office": "LTSA-IDM",
                        "agency": "DINKES", "region": None}


def test_inactive_user_token_refused():
    user = factories.officer("LTSA-IDM", "DINKES")
    _, secret = services.api_token_create(user=user, name="gateway")
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_session_auth_requires_csrf_for_posts():
    user = factories.officer("LTSA-IDM", "DISNAKER")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me").status_code == 200
    r = client.post("/api/v1/cases/", data={}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"
    assert r.json()["message"].startswith("Pemeriksaan CSRF gagal")


@pytest.mark.parametrize("revoked", [False, True], ids=["unknown", "revoked"])
def test_post_with_a_bad_bearer_token_is_401_not_a_csrf_refusal(revoked):
    # An integration sends no cookie, so there is no session to check CSRF for: a token that fails is a 401.
    user = factories.officer("LTSA-IDM", "DISNAKER")
    token, secret = services.api_token_create(user=user, name="gateway")
    if revoked:
        services.api_token_revoke(token_id=token.pk)
    else:
        secret = "sat_not_a_real_token"
    client = Client(enforce_csrf_checks=True)
    r = client.post("/api/v1/cases/", data={}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


def test_admin_site_requires_the_second_factor():
    admin_user = services.user_create(username="root", password=None, role=Role.ADMIN)
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302  # password alone is not enough
    factories.otp_login(client, admin_user)
    assert client.get("/admin/").status_code == 200
