from django.urls import path

from satuatap.web.views import audit, auth, case, desk, register, worker

app_name = "web"
urlpatterns = [
    path("", desk.home, name="home"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", auth.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", auth.otp_verify, name="otp_verify"),
    path("desk/", desk.desk, name="desk"),
    path("office/", desk.office, name="office"),
    path("cases/", desk.cases, name="cases"),
    path("cases/<str:number>/", case.case_detail, name="case"),
    path("cases/<str:number>/reason/", case.case_reason, name="case_reason"),
    path("cases/<str:number>/cancel/", case.case_cancel, name="case_cancel"),
    path("cases/<str:number>/decisions/<int:decision_id>/override/", case.decision_override,
         name="decision_override"),
    path("cases/<str:number>/steps/<str:code>/documents/", case.step_upload, name="step_upload"),
    path("cases/<str:number>/steps/<str:code>/<str:action>/", case.step_action, name="step_action"),
    path("documents/<int:pk>/", case.document_download, name="document"),
    path("workers/<int:worker_id>/", worker.worker_detail, name="worker"),
    path("workers/<int:worker_id>/reason/", worker.worker_reason, name="worker_reason"),
    path("workers/<int:worker_id>/export/", worker.worker_export, name="worker_export"),
    path("workers/<int:worker_id>/corrections/", worker.correction_request, name="worker_correction"),
    path("workers/corrections/<int:correction_id>/<str:action>/", worker.correction_decide,
         name="worker_correction_decide"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("register/", register.register, name="register"),
    path("register/nik-check/", register.nik_check_fragment, name="nik_check"),
    path("register/regions/", register.region_fields, name="regions"),
    path("register/workers/<int:worker_id>/open/", register.open_for_worker, name="register_open"),
    path("register/done/<str:number>/", register.register_done, name="register_done"),
]
