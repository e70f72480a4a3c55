from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from satuatap.cards import views as card_views
from satuatap.config.api import api

# The admin asks for the second factor too (office heads and admins must use TOTP).
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("admin/", admin.site.urls),
    # Card public keys where checkpoints and offline verifiers look for them (also at /cards/keys.json).
    path(".well-known/satuatap-card-keys.json", card_views.public_keys, name="card_keys_well_known"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("status/", include("satuatap.portal.urls")),
    path("placement/", include("satuatap.placement.urls")),
    path("crisis/", include("satuatap.crisis.urls")),
    path("queue/", include("satuatap.queueing.urls")),
    path("cards/", include("satuatap.cards.urls")),
    path("monitoring/", include("satuatap.monitoring.urls")),
    path("", include("satuatap.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
