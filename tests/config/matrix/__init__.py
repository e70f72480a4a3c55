"""The access matrix: every route by every role → the status the role must get.

One module per app (`tests/config/matrix/<app>.py`, owned by that app's engineer) defines `ROWS: list[Row]` and,
if its rows need objects of its own, `setup(world) -> None` that adds them to `world.ids`. The walker
(`tests/config/test_access_matrix.py`) sends every cell over HTTP with the test client, each inside a savepoint
that is rolled back, and fails on any cell whose status differs; the completeness test fails for any route of
the project (Django URL or Ninja operation) that no row names. See /work/notes/access-matrix-format.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The fixture world's users (tests/config/matrix/world.py builds them). Office A is LTSA-IDM (Indramayu, West
# Java 32.12), office B is LTSA-SBY (Surabaya, East Java 35.78). The world's objects (worker, case, complaint…)
# belong to office A unless their key ends in "_b".
DESK_ROLES = (
    "desk_disnaker", "desk_info", "desk_dukcapil", "desk_dinkes", "desk_imigrasi", "desk_polri", "desk_bank",
    "desk_bpjstk", "desk_bp3mi",
)
ROLES = (
    "anonymous",
    *DESK_ROLES,          # desk officers of every agency at office A; desk_info and desk_bp3mi are crisis agents
    "desk_disnaker_b",    # manpower desk officer of office B (another office)
    "head",               # office head of office A (TOTP verified)
    "head_b",             # office head of office B
    "monitor",            # national monitor
    "monitor_region",     # monitor of West Java (32), the region of office A
    "monitor_other",      # monitor of East Java (35): office B's region, not office A's
    "company",            # company user of the company behind the world's job order (and case)
    "company_other",      # company user of another company
    "checkpoint",         # immigration checkpoint officer
    "auditor",            # reads the audit log and nothing else
    "admin",              # system admin (TOTP verified)
)

# Groups usable as keyword arguments of `expect` (applied before single roles, so a role overrides its group).
GROUPS: dict[str, tuple[str, ...]] = {
    "desks": DESK_ROLES,                                     # every desk of office A
    "crisis": ("desk_info", "desk_bp3mi"),                   # Crisis Center agents
    "full_nik": ("desk_disnaker", "desk_dukcapil"),          # desks that see the full NIK
    "office_a": (*DESK_ROLES, "head"),                       # everyone working at office A
    "office_b": ("desk_disnaker_b", "head_b"),
    "heads": ("head", "head_b"),
    "monitors": ("monitor", "monitor_region", "monitor_other"),
    "companies": ("company", "company_other"),
    "staff": tuple(r for r in ROLES if r != "anonymous"),   # every logged-in user
    "everyone": ROLES,
}

# A page POST that redirected (302) with an error-level message queued: the page refused the action (the role got
# past the page's login/role gate, the service said no). A plain 302 from a write page is a success.
REFUSED = "302+error"

Status = int | str | tuple[int | str, ...]


def expect(default: Status = 403, **cells: Status) -> dict[str, Status]:
    """A full row of cells: `default` for every role, then groups (see GROUPS), then single roles.

    >>> expect(403, anonymous=401, office_a=200, desk_bank=403)
    """
    out: dict[str, Status] = dict.fromkeys(ROLES, default)
    for key, status in cells.items():
        if key in GROUPS:
            for role in GROUPS[key]:
                out[role] = status
    for key, status in cells.items():
        if key in GROUPS:
            continue
        if key not in out:
            raise KeyError(f"unknown role or group {key!r}; roles: {ROLES}; groups: {tuple(GROUPS)}")
        out[key] = status
    return out


@dataclass(frozen=True)
class Row:
    """One route and method, and the status each role must get.

    method: "GET", "POST", "PUT", "PATCH", "DELETE".
    route:  the route exactly as the completeness test spells it: the Django pattern joined from the root
            ("cases/<str:number>/", "crisis/complaints/<str:reference>/") or, for the API, the Ninja path
            ("api/v1/cases/<case_number>"). Run `pytest tests/config/test_access_matrix.py -k complete` to list
            the routes still missing a row.
    url:    the concrete URL, with `{key}` placeholders filled from `world.ids` ("/api/v1/cases/{case}").
    cells:  role → expected status (an int, or a tuple of acceptable ints); build it with `expect(...)`, which
            fills every role. Scope is shown by the other-office / other-region / other-company roles. A write
            page that redirects with an error message answers REFUSED, not 302: 302 means it acted.
    data:   body for POST/PUT/PATCH: a dict, or a callable(world) -> dict. Sent as JSON to `api/` routes and as
            a form (multipart) to pages, unless `json` says otherwise. A write row that some role may perform sends
            a valid body built from the world's objects, so that role's cell proves the action succeeds (2xx, or
            a page's redirect) rather than being refused by validation.
    prepare: optional callable(world) -> dict of extra `{key}` ids, called for every cell inside the cell's
            savepoint before the URL and body are filled: a fresh target per request (e.g. a new case whose step
            is then started), so no cell depends on what another cell did. Every cell is rolled back anyway.
    validator: the endpoint only validates its input (its success answer is 422/400 for a bad body). Only such a
            row may expect 422: everywhere else a 422 means the body was refused before the access rules were
            reached, which proves nothing about access, so the walker counts a cell expecting 422 as wrong.
    anonymous pages: a page redirecting to the login form answers 302.
    """

    method: str
    route: str
    url: str
    cells: dict[str, Status]
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None
    json: bool | None = None
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""
    prepare: Callable[[Any], dict[str, Any]] | None = None
    validator: bool = False

    def __post_init__(self):
        missing = set(ROLES) - set(self.cells)
        if missing:
            raise ValueError(f"{self.method} {self.route}: no cell for {sorted(missing)} (use expect(...))")


# Routes that need no row: Django's own machinery. The admin site has one row for its index ("admin/"); every
# other admin URL is guarded by the same site (staff + TOTP).
IGNORED_ROUTES = frozenset({"^(?P<path>.*)$", "i18n/setlang/", "api/openapi.json", "api/docs", "api/"})
ADMIN_PREFIX = "admin/"
