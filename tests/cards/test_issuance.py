"""A card is issued by completing the CARD step (only after every prerequisite and the card-stage rules), signed
with the configured key, and revoked when its case is cancelled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from satuatap.cards import selectors, services, signing
from satuatap.cards.models import Card, CardEvent, CardStatus
from satuatap.core.errors import Conflict, PermissionDenied
from satuatap.core.timeutil import local_date
from satuatap.journey import services as journey_services
from satuatap.journey.models import CaseStatus
from tests.cards.conftest import drive, new_case

pytestmark = pytest.mark.django_db


def test_completing_card_step_issues_a_signed_card(carded_case, card_keys):
    card = Card.objects.get(case=carded_case)
    assert card.status == CardStatus.ACTIVE and card.key_id == "test-1"
    assert card.number == "KPMI-" + carded_case.number.removeprefix("LTSA-")
    assert card.blank_serial == f"BLANK-{carded_case.pk}"
    verdict = signing.verify(card.token, keys=card_keys.public, today=local_date())
    assert verdict.valid
    p = verdict.payload
    assert p["nm"] == carded_case.worker.name and "*" in p["nik"] and carded_case.worker.nik not in card.token
    assert p["c"] == "HK" and p["pp"] and p["e"].startswith("Employer") and p["j"]
    assert p["i"] == local_date().isoformat() and p["x"] <= p["ce"]
    assert CardEvent.objects.filter(card=card, kind="issued").count() == 1
    assert carded_case.status == CaseStatus.READY_TO_DEPART


def test_no_card_before_prerequisites(desks):
    case = drive(desks, new_case(desks), "VISA")  # OPP not done
    with pytest.raises(Conflict):
        journey_services.step_complete(actor=desks["BP3MI"], case_number=case.number, step_code="CARD",
                                       outcome={"card_number": "X-1"})
    assert not Card.objects.filter(case=case).exists()


def test_signing_failure_undoes_the_completion(desks, monkeypatch):
    case = drive(desks, new_case(desks), "OPP")

    def broken(*args, **kwargs):
        raise RuntimeError("key unreadable")

    monkeypatch.setattr(services.signing, "sign", broken)
    with pytest.raises(RuntimeError):
        journey_services.step_complete(actor=desks["BP3MI"], case_number=case.number, step_code="CARD",
                                       outcome={"card_number": "X-2"})
    assert case.steps.get(code="CARD").state != "done"
    assert not Card.objects.filter(case=case).exists()


def test_a_new_card_for_the_case_replaces_the_active_one_and_is_numbered_on(carded_case, desks):
    first = Card.objects.get(case=carded_case)
    for _ in range(2):
        with transaction.atomic():
            services.card_issue(case_id=carded_case.pk, actor=desks["BP3MI"], blank_serial="X-9")
    cards = list(Card.objects.filter(case=carded_case).order_by("issued_at", "pk"))
    assert [c.number for c in cards] == [first.number, f"{first.number}-2", f"{first.number}-3"]
    assert [c.status for c in cards] == [CardStatus.REVOKED, CardStatus.REVOKED, CardStatus.ACTIVE]
    assert CardEvent.objects.filter(card__case=carded_case, kind="revoked").count() == 2


def test_cancelling_the_case_revokes_its_card(carded_case, desks):
    journey_services.case_cancel(actor=desks["HEAD"], case_number=carded_case.number, reason="Mengundurkan diri")
    card = Card.objects.get(case=carded_case)
    assert card.status == CardStatus.REVOKED and "Mengundurkan diri" in card.revoked_reason
    assert selectors.card_verify(token=card.token).status == signing.Status.REVOKED
    event = CardEvent.objects.get(card=card, kind="revoked")
    assert event.actor == desks["HEAD"] and event.from_state == "active"


def test_revoke_by_office_head_only_with_reason(carded_case, desks):
    card = Card.objects.get(case=carded_case)
    with pytest.raises(PermissionDenied):
        services.card_revoke(actor=desks["DISNAKER"], number=card.number, reason="salah cetak")
    services.card_revoke(actor=desks["HEAD"], number=card.number, reason="Paspor hilang")
    with pytest.raises(Conflict):
        services.card_revoke(actor=desks["HEAD"], number=card.number, reason="lagi")
    token = services.revocation_list_token()
    assert card.number in signing.revocation_list_read(token, keys=selectors.keys.keyring().public)


def test_recheck_revokes_when_a_block_is_found_later(carded_case):
    from satuatap.placement.models import Company

    card = Card.objects.get(case=carded_case)
    assert services.cards_recheck() == []
    Company.objects.filter(job_orders__number="JO-TEST-HK").update(status="revoked")
    assert services.cards_recheck() == [card.number]
    card.refresh_from_db()
    assert card.status == CardStatus.REVOKED and "aturan" in card.revoked_reason


def test_backfill_and_demo_command_are_idempotent(carded_case):
    import io

    from django.core.management import call_command

    CardEvent.objects.filter(card__case=carded_case).delete()
    Card.objects.filter(case=carded_case).delete()  # as if CARD was completed before the cards app existed
    out = io.StringIO()
    call_command("cards_demo", stdout=out)
    assert "cards issued 1" in out.getvalue() and "stopped attempts 3" in out.getvalue()
    assert Card.objects.get(case=carded_case).status == CardStatus.ACTIVE
    out = io.StringIO()
    call_command("cards_demo", stdout=out)
    assert "cards issued 0" in out.getvalue() and "stopped attempts 0" in out.getvalue()


def test_card_revoked_when_a_prerequisite_expires_and_card_reopens(carded_case):
    expired = journey_services.steps_expire_due(today=local_date() + dt.timedelta(days=200),
                                                case_numbers=[carded_case.number])
    assert expired  # the medical certificate (and others) ran out
    assert carded_case.steps.get(code="CARD").state == "locked"
    card = Card.objects.get(case=carded_case)
    assert card.status == CardStatus.REVOKED and "CARD" in card.revoked_reason


def test_checkpoint_officer_cannot_browse_the_register(carded_case, checkpoints):
    from satuatap.core.errors import NotFound
    from tests.cards.conftest import checkpoint_officer

    officer = checkpoint_officer("CGK")
    card = Card.objects.get(case=carded_case)
    with pytest.raises(NotFound):
        selectors.card_get(user=officer, number=card.number)
    assert selectors.cards_list(user=officer) == []
    assert selectors.card_verify(token=card.token).valid  # they check by the token instead


def test_server_rotation_keeps_old_cards_valid(desks, carded_case, card_keys):
    """A new signing key is added: new cards carry its id, cards of the old key still verify until they expire,
    and the key file lists both."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from satuatap.cards import keys

    old_card = Card.objects.get(case=carded_case)
    new_key = Ed25519PrivateKey.generate()
    keys.use(keys.KeyRing(private={**card_keys.private, "test-2": new_key},
                          public={**card_keys.public, "test-2": new_key.public_key()}, signing_key_id="test-2"))
    new_card = Card.objects.get(case=drive(desks, new_case(desks), "CARD"))
    assert (old_card.key_id, new_card.key_id) == ("test-1", "test-2")
    assert selectors.card_verify(token=old_card.token).valid and selectors.card_verify(token=new_card.token).valid
    assert {k["kid"] for k in selectors.keys_document()["keys"]} == {"test-1", "test-2"}
    assert selectors.card_verify(token=old_card.token, on=old_card.expires_on).valid
    after = selectors.card_verify(token=old_card.token, on=old_card.expires_on + dt.timedelta(days=1))
    assert after.status == signing.Status.EXPIRED


def test_no_card_when_the_legality_checks_refuse(desks):
    """The company's licence is revoked before CARD: the card-stage rules block the completion, no card is made."""
    from satuatap.placement.models import Company

    case = drive(desks, new_case(desks), "OPP")
    Company.objects.filter(job_orders__number="JO-TEST-HK").update(status="revoked")
    try:
        with pytest.raises(Conflict) as exc:
            journey_services.step_complete(actor=desks["BP3MI"], case_number=case.number, step_code="CARD",
                                           outcome={"card_number": "X-3"})
        assert exc.value.code == "rules_blocked"
        assert not Card.objects.filter(case=case).exists()
    finally:
        Company.objects.filter(job_orders__number="JO-TEST-HK").update(status="active")


def test_worker_gets_an_sms_with_a_short_link_to_their_card(desks, client):
    from satuatap.notify.models import Message
    from satuatap.registry.models import Worker

    case = new_case(desks)
    Worker.objects.filter(pk=case.worker_id).update(phone="+6281234567890")
    case = drive(desks, case, "CARD")
    card = Card.objects.get(case=case)
    sms = Message.objects.get(template="card_issued")
    code = selectors.card_mobile_code(card)
    link = f"/cards/m/{card.number}/{code}/"
    assert sms.recipient == "+6281234567890" and link in sms.body and card.number in sms.body
    assert len(sms.body) < 320  # two SMS segments at most
    r = client.get(link)
    assert r.status_code == 200 and card.number in r.content.decode()
    wrong = code[:-1] + ("B" if code[-1] == "A" else "A")
    assert client.get(f"/cards/m/{card.number}/{wrong}/").status_code == 404
