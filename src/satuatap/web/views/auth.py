"""Login with django-axes lockout, logout, and the TOTP second factor (django-otp)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login

from satuatap.web import access, services
from satuatap.web.forms import TokenForm


def _next_url(request, user) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return access.landing_url(user)


class LoginView(auth_views.LoginView):
    """Password login. Five failures for one username from one address lock it (django-axes); the lockout is
    answered here with a page in the user's language instead of axes' plain text."""

    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if getattr(request, "axes_locked_out", False):
            # AxesMiddleware replaces any response of a flagged request with its own; we have answered.
            request.axes_locked_out = False
            cool_off = get_cool_off(request)
            minutes = int(cool_off.total_seconds() // 60) if cool_off else None
            return render(request, "web/auth/locked.html",
                          {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}, status=429)
        return response

    def get_success_url(self):
        user = self.request.user
        target = self.get_redirect_url() or access.landing_url(user)
        if access.otp_pending(user):
            return access.otp_url(user, target)
        return target


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app: QR code of the otpauth URI, confirmed by the first code it shows."""
    user = request.user
    next_url = _next_url(request, user)
    enrolled = access.has_otp_device(user)
    if enrolled and not access.otp_verified(user):
        # A password alone must not replace the second factor: verify with the enrolled device first.
        return redirect(access.otp_url(user, next_url))
    if enrolled:
        return render(request, "web/auth/otp_active.html", {"next": next_url})
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.totp_device_confirm(user=user, device_id=device.pk, token=form.cleaned_data["token"])
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, _("Two-step verification is on. You will be asked for a code at each login."))
            return redirect(next_url)
        form.add_error("token", _("The code is not correct. Check that the phone's clock is right and type the "
                                  "code the app shows now."))
    uri = services.totp_uri(device)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    context = {
        "form": form, "qr_svg": qr_svg, "secret": services.totp_secret_display(device), "next": next_url,
        "required": access.otp_required(user),
    }
    return render(request, "web/auth/otp_setup.html", context, status=422 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of login: a code from the enrolled authenticator app."""
    user = request.user
    next_url = _next_url(request, user)
    if access.otp_verified(user):
        return redirect(next_url)
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('web:otp_setup')}?{urlencode({'next': next_url})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if not any(d.verify_is_allowed()[0] for d in devices):
            # django-otp slows down guessing: each wrong code doubles the wait before the next try.
            form.add_error("token", _("Too many wrong codes. Wait a moment, then type the code the app shows."))
        else:
            device = next((d for d in devices if verify_token(user, d.persistent_id, token)), None)
            if device is not None:
                otp_login(request, device)
                return redirect(next_url)
            form.add_error("token", _("The code is not correct or has already been used. Wait for the next code "
                                      "and try again."))
    return render(request, "web/auth/otp_verify.html", {"form": form, "next": next_url},
                  status=422 if form.errors else 200)
