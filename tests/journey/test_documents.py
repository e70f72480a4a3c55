import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.journey import services
from satuatap.journey.models import Event, StepDocument
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def setup(desks, worker, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    case = services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    tokens = {k: account_services.api_token_create(user=u, name="t")[1] for k, u in desks.items()}
    return case, {k: {"HTTP_AUTHORIZATION": f"Bearer {t}"} for k, t in tokens.items()}


def upload(case, auth, name, content, code="REG"):
    return Client().post(
        f"/api/v1/cases/{case.number}/steps/{code}/documents", {"file": SimpleUploadedFile(name, content)}, **auth
    )


def test_upload_and_download_by_the_right_people(setup):
    case, auth = setup
    r = upload(case, auth["DISNAKER"], "ktp.pdf", PDF)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["content_type"] == "application/pdf" and len(doc["sha256"]) == 64
    assert Event.objects.filter(case=case, kind="document_attached").count() == 1
    assert Client().get(f"/api/v1/cases/documents/{doc['id']}", **auth["DISNAKER"]).status_code == 200
    assert Client().get(f"/api/v1/cases/documents/{doc['id']}", **auth["HEAD"]).status_code == 200
    r = Client().get(f"/api/v1/cases/documents/{doc['id']}", **auth["DINKES"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden_document"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.png", b"GIF89a" + b"\x00" * 20, "upload_type_refused"),  # name says png, content is a GIF
        ("x.exe", b"MZ\x90\x00", "upload_type_refused"),
        ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "upload_too_large"),
        ("evil.pdf", b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "upload_active_content"),
        ("empty.pdf", b"", "upload_empty"),
    ],
)
def test_bad_uploads_refused_and_nothing_saved(setup, name, content, code):
    case, auth = setup
    r = upload(case, auth["DISNAKER"], name, content)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code
    assert not StepDocument.objects.exists()


def test_other_desk_cannot_upload(setup):
    case, auth = setup
    r = upload(case, auth["DINKES"], "x.png", PNG)
    assert r.status_code == 403
