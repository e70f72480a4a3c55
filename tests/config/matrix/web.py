"""Officers' pages (web app): worklist, cases, case page and its forms, registration, documents, audit pages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.config.matrix import Row, expect
from tests.config.matrix.world import PDF

LOGIN = 302  # anonymous visitors of officer pages are sent to the login form
# The case page for a case of office A: office A's staff; monitors of its region (national too) and admins get
# the reason form first (200, the record is shown after the reason); others 403.
CASE_PAGE = dict(anonymous=LOGIN, office_a=200, monitor=200, monitor_region=200, admin=200)
# Registration: the manpower desk and the head of any office (admins have no office to register at).
REGISTER = dict(anonymous=LOGIN, desk_disnaker=200, desk_disnaker_b=200, heads=200)
HTMX = {"HX-Request": "true"}


def _upload(world):
    return {"reg-doc-file": SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf")}


def _override(world):
    return {f"override-{world.ids['decision']}-reason": "Dokumen asli sudah diperiksa langsung."}


def _flagged_decision(world):
    """A decision of the world's case flagged DESTINATION_MISMATCH, made inside the cell (rolled back after)."""
    import datetime as dt

    from satuatap.placement import services

    case = world.objects["case"]
    decision = services.case_rules_evaluate(
        stage="case_open", case_ref=case.number, worker=case.worker, scheme="P2P", destination_country="SG",
        office_regency_code="32.12", office_code=world.ids["office"], job_order=world.objects["job_order"],
        on=dt.date.fromisoformat(world.ids["today"]), has_family_consent=True, active_case_elsewhere=False,
        actor=None)
    assert decision.verdict == "flagged", decision.fired
    return {"flagged": decision.pk}


N = "cases/<str:number>/"
ROWS = [
    Row("GET", "", "/", expect(200)),
    Row("GET", "accounts/login/", "/accounts/login/", expect((200, 302), anonymous=200)),
    Row("POST", "accounts/logout/", "/accounts/logout/", expect(302)),
    Row("GET", "accounts/otp/", "/accounts/otp/", expect(200, anonymous=LOGIN)),
    Row("GET", "accounts/otp/verify/", "/accounts/otp/verify/", expect((200, 302), anonymous=LOGIN)),
    # Roles without a worklist are sent to their own landing page.
    Row("GET", "desk/", "/desk/", expect(403, anonymous=LOGIN, desks=200, desk_disnaker_b=200, heads=200,
                                         monitors=302, checkpoint=302, admin=302)),
    Row("GET", "office/", "/office/", expect(403, anonymous=LOGIN, heads=200, admin=302)),
    Row("GET", "cases/", "/cases/",
        expect(200, anonymous=LOGIN, companies=403, auditor=403)),
    Row("GET", N, "/cases/{case}/", expect(403, **CASE_PAGE)),
    Row("POST", f"{N}reason/", "/cases/{case}/reason/",
        expect(403, **{**CASE_PAGE, "office_a": 302, "monitor": 302, "monitor_region": 302, "admin": 302}),
        data={"reason": "pemeriksaan kepatuhan data pribadi"}),
    Row("POST", f"{N}cancel/", "/cases/{case}/cancel/", expect(403, anonymous=LOGIN, head=302),
        data={"cancel-reason": "calon mengundurkan diri"}),
    Row("POST", f"{N}decisions/<int:decision_id>/override/", "/cases/{case}/decisions/{flagged}/override/",
        expect(403, anonymous=LOGIN, head=302),
        data={"override-{flagged}-reason": "Dokumen asli sudah diperiksa langsung."}, prepare=_flagged_decision,
        note="the office head overrides the flags of a flagged decision of the case; nobody else"),
    Row("POST", f"{N}decisions/<int:decision_id>/override/", "/cases/{case}/decisions/{decision}/override/",
        expect(403, anonymous=LOGIN, head=409), data=_override,
        note="the case's own decision has no flag: 409 for the office head, 403 for everyone else"),
    Row("POST", f"{N}steps/<str:code>/<str:action>/", "/cases/{case}/steps/REG/reject/",
        expect(403, anonymous=LOGIN, desk_disnaker=302), data={"reg-reject-reason": "dokumen tidak lengkap"}),
    Row("POST", f"{N}steps/<str:code>/documents/", "/cases/{case}/steps/REG/documents/",
        expect(403, anonymous=LOGIN, desk_disnaker=302), data=_upload),
    Row("GET", "documents/<int:pk>/", "/documents/{document}/",
        expect(403, anonymous=LOGIN, desk_disnaker=200, head=200, admin=302),
        note="an admin is sent to the case page to give a reason first"),
    Row("GET", "register/", "/register/", expect(403, **REGISTER)),
    Row("GET", "register/nik-check/", "/register/nik-check/?nik={nik}",
        expect(403, **{**REGISTER, "anonymous": 200}), headers=HTMX,
        note="htmx: an anonymous caller gets an HX-Redirect to the login form (200 without content)"),
    Row("GET", "register/regions/", "/register/regions/?province=32",
        expect(403, anonymous=LOGIN, office_a=200, office_b=200, admin=200),
        note="region lists for the address fields"),
    Row("GET", "register/workers/<int:worker_id>/open/", "/register/workers/{worker}/open/",
        expect(403, **REGISTER)),
    Row("GET", "register/done/<str:number>/", "/register/done/{case}/",
        expect(403, anonymous=LOGIN, office_a=200, admin=200), note="office staff who may read the case"),
    # The worker's record page: office staff of any office (workers are national); an admin gets the reason form
    # first (200, the record is shown after the reason); identity desks and heads export and decide.
    Row("GET", "workers/<int:worker_id>/", "/workers/{worker}/",
        expect(403, anonymous=LOGIN, office_a=200, office_b=200, admin=200)),
    Row("POST", "workers/<int:worker_id>/reason/", "/workers/{worker}/reason/",
        expect(403, anonymous=LOGIN, office_a=302, office_b=302, admin=302),
        data={"reason": "pemeriksaan kepatuhan data pribadi"}),
    Row("POST", "workers/<int:worker_id>/export/", "/workers/{worker}/export/",
        expect(403, anonymous=LOGIN, full_nik=200, desk_disnaker_b=200, heads=200, admin=200),
        data={"export-format": "json", "export-reason": "permintaan pekerja"}),
    Row("POST", "workers/<int:worker_id>/corrections/", "/workers/{worker}/corrections/",
        expect(403, anonymous=LOGIN, office_a=302, office_b=302, admin=302),
        data={"correction-field": "address", "correction-value": "Blok Baru 2",
              "correction-reason": "pindah rumah"}),
    Row("POST", "workers/corrections/<int:correction_id>/<str:action>/", "/workers/corrections/{correction}/approve/",
        expect(403, anonymous=LOGIN, full_nik=302, desk_disnaker_b=302, heads=302, admin=302), data={"note": ""}),
    Row("GET", "audit/", "/audit/", expect(403, anonymous=LOGIN, auditor=200, admin=200)),
    Row("GET", "audit/export.csv", "/audit/export.csv", expect(403, anonymous=LOGIN, auditor=200, admin=200)),
]
