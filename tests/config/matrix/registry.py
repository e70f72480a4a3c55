"""Workers API rows. Workers are national (not bound to an office): office staff of any office read them."""

from __future__ import annotations

from tests.config.matrix import Row, expect

REASON = {"X-Access-Reason": "permintaan pekerja melalui petugas"}
# Office staff of any office read; admins with a reason (named record outside daily work).
READ = dict(anonymous=401, office_a=200, office_b=200, admin=428)
IDENTITY = dict(anonymous=401, full_nik=200, desk_disnaker_b=200, heads=200, admin=200)


def _new_worker(world):
    import datetime as dt

    from tests.factories import valid_nik

    return {"nik": valid_nik("32.12.01", dt.date(1999, 3, 3), "L", 4321), "name": "Budi Matriks",
            "birth_place": "Indramayu", "birth_date": "1999-03-03", "sex": "L", "district_code": "32.12.01"}


W = "api/v1/workers/<worker_id>"
ROWS = [
    Row("POST", "api/v1/workers/", "/api/v1/workers/", expect(403, **{**IDENTITY, "full_nik": 201,
        "desk_disnaker_b": 201, "heads": 201, "admin": 201}), data=_new_worker),
    Row("GET", "api/v1/workers/", "/api/v1/workers/?q={nik}", expect(403, **READ)),
    Row("GET", "api/v1/workers/", "/api/v1/workers/?q={nik}", expect(403, **{**READ, "admin": 200}),
        headers=REASON),
    Row("GET", "api/v1/workers/nik-check", "/api/v1/workers/nik-check?nik={nik}",
        expect(403, **{**READ, "admin": 200})),
    Row("GET", W, "/api/v1/workers/{worker}", expect(403, **READ)),
    Row("GET", W, "/api/v1/workers/{worker}", expect(403, **{**READ, "admin": 200}), headers=REASON),
    Row("PATCH", W, "/api/v1/workers/{worker}", expect(403, **IDENTITY), data={"address": "Blok Matriks 1"}),
    Row("GET", f"{W}/consents", "/api/v1/workers/{worker}/consents", expect(403, **READ)),
    Row("POST", f"{W}/consents", "/api/v1/workers/{worker}/consents",
        expect(403, **{**IDENTITY, "full_nik": 201, "desk_disnaker_b": 201, "heads": 201, "admin": 201}),
        data={"consenter_name": "Ibu Matriks", "relation": "mother", "consent_date": "{yesterday}",
              "village_head_acknowledged": True, "village_head_name": "Kuwu"}),
    Row("GET", f"{W}/corrections", "/api/v1/workers/{worker}/corrections", expect(403, **{**READ, "admin": 200})),
    Row("POST", f"{W}/corrections", "/api/v1/workers/{worker}/corrections",
        expect(403, anonymous=401, office_a=201, office_b=201, admin=201),
        data={"changes": {"name": "Nama Koreksi"}, "reason": "KTP baru diperlihatkan"},
        note="any office staff takes the worker's request"),
    Row("POST", "api/v1/workers/corrections/<correction_id>/decide", "/api/v1/workers/corrections/{correction}/decide",
        expect(403, **IDENTITY), data={"action": "approve"}, note="identity desks, heads and admins decide"),
    Row("GET", f"{W}/export", "/api/v1/workers/{worker}/export?format=json&reason=permintaan+pekerja",
        expect(403, **IDENTITY)),
]
