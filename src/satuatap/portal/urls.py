from django.urls import path, re_path

from satuatap.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    re_path(r"^slip/(?P<case_number>[A-Za-z0-9-]{1,40})\.pdf$", views.slip, name="slip"),
    re_path(r"^(?P<case_number>[A-Za-z0-9-]{1,40})/$", views.status, name="status"),
]
