from django.urls import path

from satuatap.placement import views

app_name = "placement"
urlpatterns = [
    path("verify/", views.verify_index, name="verify"),
    path("verify/company/<int:company_id>/", views.verify_company, name="verify_company"),
    path("verify/job-order/", views.verify_job_order, name="verify_job_order"),
    path("verify/job-order/qr.svg", views.verify_job_order_qr, name="verify_job_order_qr"),
    path("signals/", views.signals, name="signals"),
]
