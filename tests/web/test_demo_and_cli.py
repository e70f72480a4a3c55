import pytest
from django.core.management import call_command

from satuatap.accounts.models import User
from satuatap.cli import main
from satuatap.journey.models import Case, CaseStatus, Event, StepState
from satuatap.web import demo

pytestmark = pytest.mark.django_db


def test_demo_spreads_cases_over_every_stage_and_is_idempotent():
    users = demo.ensure_users()
    assert ("idm.disnaker", "desk_officer DISNAKER", "LTSA Indramayu") in users
    assert not User.objects.filter(username="nnk.imigrasi").exists()  # Nunukan has no immigration desk
    made = demo.ensure_cases(16)
    assert made == 16
    assert demo.ensure_cases(16) == 0  # idempotent
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {CaseStatus.OPEN, CaseStatus.READY_TO_DEPART, CaseStatus.DEPARTED} <= statuses
    # every step of the journey is done in at least one case, all through the services (events exist)
    for code in demo.JOURNEY_ORDER:
        assert Case.objects.filter(steps__code=code, steps__state=StepState.DONE).exists(), code
    assert Event.objects.filter(kind="step_completed").count() > 100


def test_demo_command_prints_logins(capsys):
    call_command("demo", cases=3, quiet=True)
    out = capsys.readouterr().out
    assert "idm.disnaker" in out and demo.DEMO_PASSWORD in out


def test_console_command_wraps_management(capsys):
    main(["satuatap", "help"])
    out = capsys.readouterr().out
    assert "load_reference" in out and "demo" in out


def test_home_page_speaks_indonesian_by_default(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Layanan Terpadu Satu Atap" in r.content.decode()
    assert "Layanan Terpadu Satu Atap" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()  # browser's
    client.cookies["django_language"] = "en"  # the person's own choice (language switch)
    r = client.get("/")
    assert "One-roof integrated service" in r.content.decode()
