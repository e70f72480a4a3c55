from django.urls import path

from satuatap.crisis import views

app_name = "crisis"
urlpatterns = [
    # public
    path("report/", views.report, name="report"),
    path("report/done/", views.report_done, name="report_done"),
    path("status/", views.status, name="status"),
    path("status/documents/", views.status_upload, name="status_upload"),
    path("clarification/<str:token>/", views.clarification, name="clarification"),
    # placement-company users (the company portal)
    path("company/", views.company_requests, name="company_requests"),
    path("company/requests/<int:clarification_id>/", views.company_request, name="company_request"),
    # crisis agents
    path("queue/", views.queue, name="queue"),
    path("intake/", views.intake, name="intake"),
    path("complaints/<str:reference>/", views.detail, name="detail"),
    path("complaints/<str:reference>/act/<slug:action>/", views.act, name="act"),
    path("complaints/<str:reference>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
