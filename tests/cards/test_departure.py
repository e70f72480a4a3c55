"""Departures at the checkpoint: a valid card completes DEP and keeps where the worker went; anything else is a
stopped non-procedural attempt with who, where and why. Where our citizens are, by regency."""

from __future__ import annotations

import datetime as dt

import pytest

from satuatap.cards import selectors, services
from satuatap.cards.models import Abroad, AbroadStatus, AttemptOutcome, Card, DepartureAttempt
from satuatap.core.errors import Conflict, PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.journey import services as journey_services
from satuatap.journey.models import CaseStatus
from tests import factories
from tests.cards.conftest import checkpoint_officer, drive, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(checkpoints):
    return checkpoint_officer("CGK")


def test_checkpoints_load_is_idempotent(checkpoints):
    again = services.checkpoints_load()
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] >= 19
    kinds = set(selectors.checkpoints_list().values_list("kind", flat=True))
    assert kinds == {"airport", "seaport", "land"}


def test_valid_card_departs_and_records_where_the_worker_is(carded_case, officer):
    card = Card.objects.get(case=carded_case)
    result = services.departure_record(actor=officer, checkpoint_code="CGK", token=card.token,
                                       flight_or_vessel="cx 798")
    assert result.departed and result.attempt.outcome == AttemptOutcome.DEPARTED
    carded_case.refresh_from_db()
    assert carded_case.status == CaseStatus.DEPARTED
    dep = carded_case.steps.get(code="DEP")
    assert dep.state == "done" and dep.outcome["flight_or_vessel"] == "CX 798" and dep.actor == officer
    abroad = Abroad.objects.get(case=carded_case)
    assert abroad.checkpoint_id == "CGK" and abroad.country_id == "HK" and abroad.city == "Kowloon"
    assert abroad.regency_id == carded_case.worker.regency_id and abroad.employer_name.startswith("Employer")
    # the contract runs from the departure day for the contract's months
    months = services.case_card_facts(carded_case).contract_months
    assert abroad.contract_end == services._add_months(abroad.departed_on, months) > abroad.departed_on
    # the same card shown again is stopped: someone else travelling on it
    again = services.departure_record(actor=officer, checkpoint_code="CGK", token=card.token, flight_or_vessel="CX1")
    assert not again.departed and again.reason == "already_departed"


def test_officer_records_only_at_their_post(carded_case, officer):
    card = Card.objects.get(case=carded_case)
    with pytest.raises(PermissionDenied):
        services.departure_record(actor=officer, checkpoint_code="DPS", token=card.token, flight_or_vessel="GA1")
    desk = factories.officer("LTSA-IDM", "IMIGRASI")
    with pytest.raises(PermissionDenied):
        services.departure_record(actor=desk, checkpoint_code="CGK", token=card.token, flight_or_vessel="GA1")


@pytest.mark.parametrize("mutate, reason", [
    (lambda t: "", "no_card"),
    (lambda t: t[:40] + ("A" if t[40] != "A" else "B") + t[41:], "bad_signature"),
    (lambda t: "garbage", "malformed"),
])
def test_no_valid_card_is_a_stopped_attempt(carded_case, officer, mutate, reason):
    card = Card.objects.get(case=carded_case)
    result = services.departure_record(actor=officer, checkpoint_code="CGK", token=mutate(card.token),
                                       flight_or_vessel="MH 720", person_name="Orang Tanpa Kartu",
                                       passport_number="c1234567")
    assert not result.departed
    attempt = DepartureAttempt.objects.get(pk=result.attempt.pk)
    assert (attempt.outcome, attempt.checkpoint_id, attempt.officer) == (AttemptOutcome.STOPPED, "CGK", officer)
    assert attempt.reason in (reason, "malformed")  # a flipped character may also break the JSON
    assert attempt.person_name == "Orang Tanpa Kartu" and attempt.passport_number == "C1234567"
    carded_case.refresh_from_db()
    assert carded_case.status == CaseStatus.READY_TO_DEPART


def test_revoked_card_is_stopped_with_the_card_named(carded_case, officer, desks):
    card = Card.objects.get(case=carded_case)
    services.card_revoke(actor=desks["HEAD"], number=card.number, reason="Perusahaan dicabut izinnya")
    result = services.departure_record(actor=officer, checkpoint_code="CGK", token=card.token, flight_or_vessel="GA1")
    assert not result.departed and result.reason == "revoked"
    assert result.attempt.card_number_claimed == card.number and result.attempt.person_name == carded_case.worker.name
    stats = selectors.attempts_stats(user=officer)
    assert stats["total"] == 1 and stats["by_reason"][0]["reason"] == "revoked"


def test_stop_with_no_card_at_all(officer):
    attempt = services.attempt_stop(actor=officer, checkpoint_code="CGK", reason="no_card",
                                    person_name="Calon Nonprosedural", destination_country="sa")
    assert attempt.destination_country == "SA" and attempt.outcome == AttemptOutcome.STOPPED
    assert selectors.attempts_stats(user=factories.monitor())["total"] == 1


def _depart(desks, officer, regency: str = "32.12"):
    case = drive(desks, new_case(desks, regency), "CARD")
    card = Card.objects.get(case=case)
    assert services.departure_record(actor=officer, checkpoint_code="CGK", token=card.token,
                                     flight_or_vessel="CX1").departed
    return case


def test_regency_officer_sees_their_workers_abroad_and_marks_returned(desks, officer):
    home = _depart(desks, officer, "32.12")  # Indramayu, the office's regency
    _depart(desks, officer, "32.12")
    other = _depart(desks, officer, "32.09")  # Cirebon
    s = selectors.abroad_summary(user=desks["DISNAKER"])
    assert s["scope"] == "32.12" and s["total"] == 2
    assert s["by_country"][0]["country_id"] == "HK" and s["by_country"][0]["n"] == 2
    assert s["due_home"] == []  # contracts end in two years
    assert selectors.abroad_summary(user=factories.monitor("32"))["total"] == 3
    assert selectors.abroad_summary(user=factories.monitor("33"))["total"] == 0
    in_90 = local_date() + dt.timedelta(days=60)
    Abroad.objects.filter(case=home).update(contract_end=in_90)
    assert [a.case_id for a in selectors.abroad_summary(user=desks["HEAD"])["due_home"]] == [home.pk]
    with pytest.raises(PermissionDenied):
        services.abroad_mark_returned(actor=desks["DISNAKER"], case_number=other.number)
    with pytest.raises(PermissionDenied):
        services.abroad_mark_returned(actor=factories.monitor(), case_number=home.number)
    services.abroad_mark_returned(actor=desks["DISNAKER"], case_number=home.number, note="Pulang tepat waktu")
    a = Abroad.objects.get(case=home)
    assert a.status == AbroadStatus.RETURNED and a.returned_by == desks["DISNAKER"]
    from satuatap.accounts.models import AuditEntry

    entry = AuditEntry.objects.get(object_type="cards.abroad", object_id=str(a.case_id))
    assert entry.details["to"] == "returned" and entry.reason == "Pulang tepat waktu"
    assert selectors.abroad_summary(user=desks["DISNAKER"])["total"] == 1
    with pytest.raises(Conflict):
        services.abroad_mark_returned(actor=desks["DISNAKER"], case_number=home.number)


def test_dep_completed_elsewhere_still_keeps_where_the_worker_is(carded_case, desks):
    """The head of an office records DEP through the case page (no checkpoint officer): abroad is kept too."""
    journey_services.step_complete(actor=desks["IMIGRASI"], case_number=carded_case.number, step_code="DEP",
                                   outcome=factories.outcome("departure"))
    abroad = Abroad.objects.get(case=carded_case)
    assert abroad.checkpoint is None and abroad.checkpoint_text == "Bandara Soekarno-Hatta"


def test_whereabouts_without_a_destination_country_are_still_kept(carded_case, checkpoints):
    """A case that never named its country (data from before the rules, no job order): the DEP completion must
    not fail for it; the whereabouts say the country is unknown."""
    from satuatap.journey.models import Case
    from satuatap.placement.models import JobOrderLink

    Case.objects.filter(pk=carded_case.pk).update(destination_country="")
    JobOrderLink.objects.filter(case_ref=carded_case.number).delete()
    abroad = services.abroad_record(case_id=carded_case.pk, outcome={"checkpoint": "Pelabuhan Dumai",
                                                                      "departed_on": local_date().isoformat(),
                                                                      "flight_or_vessel": "KM X"})
    assert abroad.country is None and abroad.checkpoint_id == "PLB-DUM"
    assert abroad.employer_name == "Employer Demo Ltd"  # from the signed employment contract (PK step)


def test_no_departure_on_any_path_once_the_card_is_revoked(carded_case, desks):
    """The office's immigration desk cannot complete DEP on the case page after the card was revoked."""
    card = Card.objects.get(case=carded_case)
    services.card_revoke(actor=desks["HEAD"], number=card.number, reason="Paspor dilaporkan hilang")
    with pytest.raises(Conflict) as exc:
        journey_services.step_complete(actor=desks["IMIGRASI"], case_number=carded_case.number, step_code="DEP",
                                       outcome=factories.outcome("departure"))
    assert exc.value.code == "card_not_valid"
    assert carded_case.steps.get(code="DEP").state != "done" and not Abroad.objects.filter(case=carded_case).exists()


@pytest.mark.parametrize(("text", "code"), [
    ("CGK Bandara Internasional Soekarno-Hatta", "CGK"),  # the checkpoint page's choice: its code first
    ("pelabuhan dumai", "PLB-DUM"),  # the whole name, in any case
    ("Bandara Soekarno-Hatta", "CGK"),  # typed on the case page: the last word names exactly one
    ("Bandara Internasional", None),  # the last word fits many: no guess
    ("Terminal 3", None),
    ("", None),
])
def test_the_checkpoint_a_departure_names(checkpoints, text, code):
    found = services._checkpoint_for_text(text)
    assert (found.code if found else None) == code
