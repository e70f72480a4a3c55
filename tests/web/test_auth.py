"""Login, django-axes lockout, logout and the TOTP second factor required of office heads and admins."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.reference.models import Agency, Office

pytestmark = pytest.mark.django_db

PASSWORD = "kata-sandi-uji-2026"


def user(username: str, role: str = Role.DESK_OFFICER, agency: str | None = "DISNAKER"):
    office = Office.objects.get(code="LTSA-IDM") if role in (Role.DESK_OFFICER, Role.OFFICE_HEAD) else None
    return account_services.user_create(
        username=username, password=PASSWORD, role=role, office=office,
        agency=Agency.objects.get(code=agency) if agency and role == Role.DESK_OFFICER else None,
    )


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def token_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def unthrottle(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_login_page_is_indonesian_with_labelled_inputs(client):
    r = client.get("/accounts/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'lang="id"' in html and "Masuk petugas" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'id="login-submit"' in html


def test_desk_officer_lands_on_the_worklist(client):
    user("petugas.disnaker")
    r = login(client, "petugas.disnaker")
    assert r.status_code == 302 and r["Location"] == "/desk/"
    r = client.get("/desk/")
    assert r.status_code == 200 and 'id="worklist"' in r.content.decode()


def test_login_keeps_a_safe_next_and_drops_a_foreign_one(client):
    user("petugas.next")
    assert login(client, "petugas.next", next="/cases/")["Location"] == "/cases/"
    client.logout()
    assert login(client, "petugas.next", next="https://evil.example/")["Location"] == "/desk/"


def test_wrong_password_shows_an_error_and_keeps_the_username(client):
    user("petugas.salah")
    r = login(client, "petugas.salah", "bukan-sandinya")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'value="petugas.salah"' in html
    assert "errorlist" in html


def test_lockout_after_five_failures_with_an_indonesian_page(client):
    user("petugas.kunci")
    for _ in range(4):
        assert login(client, "petugas.kunci", "salah-sandi").status_code == 200
    r = login(client, "petugas.kunci", "salah-sandi")
    html = r.content.decode()
    assert r.status_code == 429
    assert 'id="lockout-message"' in html
    assert "Akun dikunci" in html and "30 menit" in html
    # even the right password is refused now, with the same page, and nobody is logged in
    r = login(client, "petugas.kunci")
    assert r.status_code == 429 and "30 menit" in r.content.decode()
    assert client.get("/desk/").status_code == 302


def test_lockout_is_per_username(client):
    user("petugas.a")
    user("petugas.b")
    for _ in range(5):
        login(client, "petugas.a", "salah-sandi")
    assert login(client, "petugas.b")["Location"] == "/desk/"


def test_logout_is_a_post(client):
    user("petugas.keluar")
    login(client, "petugas.keluar")
    assert client.get("/accounts/logout/").status_code == 405
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert client.get("/desk/").status_code == 302


def test_office_head_must_enrol_totp_before_any_page(client):
    user("kepala.idm", Role.OFFICE_HEAD, None)
    r = login(client, "kepala.idm")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/?next=")
    # every officer page sends the head to enrolment first
    for path in ("/office/", "/desk/", "/cases/", "/register/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/"), path
    r = client.get("/accounts/otp/?next=/office/")
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and 'id="otp-secret"' in html
    device = TOTPDevice.objects.get(user__username="kepala.idm", confirmed=False)
    r = client.post("/accounts/otp/", {"token": "000000", "next": "/office/"})
    assert r.status_code == 422 and "Kode tidak benar" in r.content.decode()
    unthrottle(device)
    r = client.post("/accounts/otp/", {"token": token_for(device), "next": "/office/"})
    assert r.status_code == 302 and r["Location"] == "/office/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/office/").status_code == 200


def test_enrolled_head_verifies_at_login(client):
    head = user("kepala.verif", Role.OFFICE_HEAD, None)
    device = TOTPDevice.objects.create(user=head, name="hp", confirmed=True)
    r = login(client, "kepala.verif")
    assert r["Location"].startswith("/accounts/otp/verify/?next=")
    # the enrolment page cannot be used to replace the device with only a password
    assert client.get("/accounts/otp/")["Location"].startswith("/accounts/otp/verify/")
    r = client.post("/accounts/otp/verify/", {"token": "123456", "next": "/office/"})
    assert r.status_code == 422
    # django-otp makes the next try wait after a wrong code
    r = client.post("/accounts/otp/verify/", {"token": token_for(device), "next": "/office/"})
    assert r.status_code == 422 and "Terlalu banyak kode salah" in r.content.decode()
    unthrottle(device)
    r = client.post("/accounts/otp/verify/", {"token": token_for(device), "next": "/office/"})
    assert r.status_code == 302 and r["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


def test_admin_needs_the_second_factor_too(client):
    user("admin.uji", Role.ADMIN, None)
    r = login(client, "admin.uji")
    assert r["Location"].startswith("/accounts/otp/?next=%2Fcases%2F")


def test_desk_officer_may_enrol_and_then_needs_the_code(client):
    officer = user("petugas.otp")
    login(client, "petugas.otp")
    assert client.get("/desk/").status_code == 200  # optional for desk officers
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=officer)
    assert client.post("/accounts/otp/", {"token": token_for(device)}).status_code == 302
    client.post("/accounts/logout/")
    r = login(client, "petugas.otp")
    assert r["Location"].startswith("/accounts/otp/verify/")


def test_htmx_request_without_login_gets_a_client_redirect(client):
    r = client.get("/desk/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"].startswith("/accounts/login/")
