from django.urls import path

from satuatap.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("office/", views.office, name="office"),
    path("classification/", views.classification, name="classification"),
    path("classification/<str:office_code>/", views.office_classification, name="office_classification"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/<str:table_id>.<str:fmt>", views.export, name="export"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:year>.pdf", views.report_pdf, name="report_pdf"),
]
