"""Access rows of the cards app: card checks for officers (never company users nor auditors), the card register by
office scope, revocation by the issuing office's head or BP3MI desk, departures and stopped attempts by the
checkpoint officer at their post, whereabouts by regency (office staff) or region (monitors), and the public
worker card, key file, revocation list and offline verifier.

World: `card_case` (office A, worker of Indramayu 32.12) has its CARD step done, so card `card_number` (token
`card_token`) is active; `abroad_case` (office A, also of 32.12) has departed through CGK. The world's checkpoint
officer is posted at CGK. Cards are signed with a key made for the walk.
"""

from __future__ import annotations

from tests.config.matrix import Row, expect


def setup(world) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from satuatap.cards import keys
    from satuatap.cards import services as card_services
    from satuatap.cards.models import Card
    from satuatap.journey import services as journey_services
    from satuatap.web.demo import JOURNEY_ORDER
    from tests import factories

    key = Ed25519PrivateKey.generate()
    keys.use(keys.KeyRing(private={"matrix-1": key}, public={"matrix-1": key.public_key()},
                          signing_key_id="matrix-1"))
    card_services.checkpoints_load()
    card_services.checkpoint_member_add(actor=None, user=world.users["checkpoint"], checkpoint_code="CGK")
    desks = {a: factories.officer("LTSA-IDM", a) for a in ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK",
                                                         "BP3MI", "BANK")}

    def carded():
        case = factories.open_case(desks["DISNAKER"], factories.worker("32.12"))
        for code in JOURNEY_ORDER[: JOURNEY_ORDER.index("CARD") + 1]:
            step = case.steps.select_related("definition").get(code=code)
            overrides = {"card_number": f"MATRIX-{case.pk}"} if code == "CARD" else {}
            journey_services.step_complete(actor=desks[step.agency_id], case_number=case.number, step_code=code,
                                           outcome=factories.outcome(step.definition.outcome_type, **overrides))
        return case, Card.objects.get(case=case, status="active")

    card_case, card = carded()
    world.ids["card_case"] = card_case.number
    world.ids["card_number"] = card.number
    world.ids["card_token"] = card.token
    world.ids["card_code"] = card_services.card_mobile_code(card)
    abroad_case, abroad_card = carded()
    result = card_services.departure_record(actor=world.users["checkpoint"], checkpoint_code="CGK",
                                            token=abroad_card.token, flight_or_vessel="GA 860")
    assert result.departed
    world.ids["abroad_case"] = abroad_case.number


# The auditor is sent to the second-factor page first when the world has not verified one (302), else refused.
AUDITOR = 403  # past the second factor (the world logs everyone in with it), refused for the role
OFFICERS = {"office_a": 200, "office_b": 200, "monitors": 200, "checkpoint": 200, "admin": 200}
# Pages every officer may open (checking a card reveals nothing beyond the token the officer already holds).
OFFICER_PAGE = expect(403, anonymous=302, auditor=AUDITOR, **OFFICERS)
OFFICER_API = expect(403, anonymous=401, **OFFICERS)
# The register: office A's staff, monitors of its region (and national), admins; others do not see it exists.
CARD_PAGE = expect(404, anonymous=302, companies=403, auditor=AUDITOR, office_a=200, monitor=200,
                   monitor_region=200, admin=200)
CARD_API = expect(404, anonymous=401, office_a=200, monitor=200, monitor_region=200, admin=200)
# Revocation: the issuing office's head and BP3MI desk, and admins; others who can read the card are refused.
REVOKE_PAGE = expect(404, anonymous=302, companies=403, auditor=AUDITOR, office_a=403, monitor=403,
                     monitor_region=403, head=302, desk_bp3mi=302, admin=302)
REVOKE_API = expect(404, anonymous=401, office_a=403, monitor=403, monitor_region=403, head=200, desk_bp3mi=200,
                    admin=200)
# Whereabouts: office staff (their office's regency), monitors (their region), admins; not checkpoint officers.
ABROAD_PAGE = expect(403, anonymous=302, auditor=AUDITOR, office_a=200, office_b=200, monitors=200, admin=200)
ABROAD_API = expect(403, anonymous=401, office_a=200, office_b=200, monitors=200, admin=200)
# Marking returned: officers of the worker's home regency (office A) and admins.
RETURN_PAGE = expect(403, anonymous=302, auditor=AUDITOR, office_a=302, admin=302)
RETURN_API = expect(403, anonymous=401, office_a=200, admin=200)
# Stopped-attempt statistics: checkpoint officers (their posts), monitors, admins.
STOPPED_PAGE = expect(403, anonymous=302, auditor=AUDITOR, checkpoint=200, monitors=200, admin=200)
STOPPED_API = expect(403, anonymous=401, checkpoint=200, monitors=200, admin=200)
PUBLIC = expect(200)

ROWS = [
    # pages
    Row("GET", "cards/checkpoint/", "/cards/checkpoint/", OFFICER_PAGE),
    Row("POST", "cards/checkpoint/", "/cards/checkpoint/", OFFICER_PAGE,
        data={"action": "verify", "token": "{card_token}"}),
    Row("GET", "cards/stopped/", "/cards/stopped/", STOPPED_PAGE),
    Row("GET", "cards/", "/cards/", OFFICER_PAGE),
    Row("GET", "cards/card/<str:number>/", "/cards/card/{card_number}/", CARD_PAGE),
    Row("GET", "cards/card/<str:number>/pdf/", "/cards/card/{card_number}/pdf/", CARD_PAGE),
    Row("POST", "cards/card/<str:number>/revoke/", "/cards/card/{card_number}/revoke/", REVOKE_PAGE,
        data={"reason": "Uji matriks akses"}),
    Row("GET", "cards/abroad/", "/cards/abroad/", ABROAD_PAGE),
    Row("GET", "cards/abroad.csv", "/cards/abroad.csv", ABROAD_PAGE),
    Row("POST", "cards/abroad/<str:case_number>/return/", "/cards/abroad/{abroad_case}/return/", RETURN_PAGE,
        data={"note": "pulang"}),
    Row("GET", "cards/offline/", "/cards/offline/", OFFICER_PAGE),
    # the worker's card: the link holds the signed token, so it is public
    Row("GET", "cards/c/<str:token>/", "/cards/c/{card_token}/", PUBLIC),
    Row("GET", "cards/c/<str:token>/pdf/", "/cards/c/{card_token}/pdf/", PUBLIC),
    Row("GET", "cards/m/<str:number>/<str:code>/", "/cards/m/{card_number}/{card_code}/", PUBLIC),
    # public, for offline checkpoints
    Row("GET", "cards/keys.json", "/cards/keys.json", PUBLIC),
    Row("GET", "cards/keys/download/", "/cards/keys/download/", PUBLIC),
    Row("GET", "cards/revocations.json", "/cards/revocations.json", PUBLIC),
    Row("GET", "cards/verifier.html", "/cards/verifier.html", PUBLIC),
    # API
    Row("POST", "api/v1/cards/verify", "/api/v1/cards/verify", OFFICER_API, data={"token": "{card_token}"}),
    Row("GET", "api/v1/cards/keys", "/api/v1/cards/keys", PUBLIC),
    Row("GET", "api/v1/cards/revocations", "/api/v1/cards/revocations", PUBLIC),
    Row("GET", "api/v1/cards/checkpoints", "/api/v1/cards/checkpoints", OFFICER_API),
    Row("POST", "api/v1/cards/departures", "/api/v1/cards/departures",
        expect(403, anonymous=401, checkpoint=200),
        data={"checkpoint": "CGK", "token": "", "flight_or_vessel": "GA 1", "person_name": "Tanpa Kartu"}),
    Row("POST", "api/v1/cards/stopped", "/api/v1/cards/stopped", expect(403, anonymous=401, checkpoint=201),
        data={"checkpoint": "CGK", "person_name": "Tanpa Kartu"}),
    Row("GET", "api/v1/cards/stopped/stats", "/api/v1/cards/stopped/stats", STOPPED_API),
    Row("GET", "api/v1/cards/abroad", "/api/v1/cards/abroad", ABROAD_API),
    Row("GET", "api/v1/cards/abroad/list", "/api/v1/cards/abroad/list", ABROAD_API),
    Row("POST", "api/v1/cards/abroad/<case_number>/return", "/api/v1/cards/abroad/{abroad_case}/return",
        RETURN_API, data={"returned_on": "{today}", "note": "pulang, dijemput keluarga"}),
    Row("GET", "api/v1/cards/<number>", "/api/v1/cards/{card_number}", CARD_API),
    Row("POST", "api/v1/cards/<number>/revoke", "/api/v1/cards/{card_number}/revoke", REVOKE_API,
        data={"reason": "Uji matriks akses"}),
]


def _well_known_routed() -> bool:
    # /.well-known/satuatap-card-keys.json is routed in config/urls.py (outside /cards/); its row exists once it is.
    from django.urls import Resolver404, resolve

    try:
        resolve("/.well-known/satuatap-card-keys.json")
    except Resolver404:
        return False
    return True


if _well_known_routed():
    ROWS.append(Row("GET", ".well-known/satuatap-card-keys.json", "/.well-known/satuatap-card-keys.json", PUBLIC))
