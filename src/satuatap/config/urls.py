from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from satuatap.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("status/", include("satuatap.portal.urls")),
    path("placement/", include("satuatap.placement.urls")),
    path("crisis/", include("satuatap.crisis.urls")),
    path("", include("satuatap.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
