"""Page weight of the main pages: HTML + the CSS/JS/images each page references, raw and gzip-compressed.

    .venv/bin/python bench/page_weight.py [--cases 5] [--keep-db]
    .venv/bin/python bench/page_weight.py --url http://127.0.0.1:8000 [--username idm.disnaker --password …]
        [--head idm.kepala --head-password … --head-totp-key HEX] [--case NUMBER --birth-date YYYY-MM-DD]

Without --url, everything runs in this process: a temporary SQLite database (DATABASE_URL is set before Django
starts), `migrate`, `load-reference`, the demo users and --cases demo cases (`satuatap.web.demo`), then Django's
test client fetches each page as the user who sees it (the desk officer of LTSA Indramayu's manpower desk; the
office head, with a verified TOTP device in the session, for the office page; nobody for the login and the
public pages) and every asset the page references (<link href>, <script src>, <img src>; same site only),
which WhiteNoise serves from the apps' static folders. With --url, nothing is started: the same pages are
fetched over HTTP from that server, logging in through the login form (and the TOTP form for the head, when
--head-totp-key, the device's hex key, is given; otherwise the office page is left out; the status page needs
--birth-date of the case, whose number defaults to the first one on the worklist).

For each page: HTML bytes, asset bytes, their raw total and the total of each response compressed on its own
with gzip level 6 (what a server compressing its answers sends; headers not counted), against the issue's
budget of 100 KB (100,000 bytes) compressed for a first visit with an empty cache. A report, not a test: the
exit code is 0 even when a page is over budget; such rows are marked OVER BUDGET. Writes
bench/results/page_weight.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts this script's directory first on sys.path, where bench/queue.py would shadow the standard library's
# `queue` (psycopg, httpx and tqdm import it): take bench/ off the path before anything else is imported.
# ruff: noqa: E402
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import datetime as dt
import gzip
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BUDGET = 100_000  # bytes over the wire (compressed), HTML + CSS + JS of one page
OFFICE = "LTSA-IDM"


def gz(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))


class AssetParser(HTMLParser):
    """The URLs of the stylesheets, scripts, icons and images a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = a.get("href") if tag == "link" else a.get("src") if tag in ("script", "img") else None
        if url and not url.startswith(("data:", "#", "javascript:")) and url not in self.urls:
            self.urls.append(url)


@dataclass
class Asset:
    url: str
    status: int
    raw: int
    gzip: int


@dataclass
class PageWeight:
    name: str
    path: str
    user: str
    status: int
    html_raw: int = 0
    html_gzip: int = 0
    assets: list[Asset] = field(default_factory=list)
    note: str = ""

    @property
    def assets_raw(self) -> int:
        return sum(a.raw for a in self.assets)

    @property
    def assets_gzip(self) -> int:
        return sum(a.gzip for a in self.assets)

    @property
    def total_raw(self) -> int:
        return self.html_raw + self.assets_raw

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + self.assets_gzip

    @property
    def verdict(self) -> str:
        if self.status != 200 or any(a.status != 200 for a in self.assets):
            return "ERROR"
        return "OVER BUDGET" if self.total_gzip > BUDGET else "ok"


# --- fetching ---------------------------------------------------------------------------------------------

class Fetcher:
    """GET for one user (logged in or not): answers the status and the body."""

    label = ""

    def get(self, path: str) -> tuple[int, bytes]:
        raise NotImplementedError


class ClientFetcher(Fetcher):
    """Django's test client in this process (no redirects followed: a login redirect shows as 302)."""

    def __init__(self, client, label: str) -> None:
        self.client, self.label = client, label

    def get(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        return response.status_code, body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpFetcher(Fetcher):
    """A cookie-keeping HTTP client for a running server (identity encoding: sizes are measured raw)."""

    def __init__(self, base: str, label: str) -> None:
        self.base, self.label = base.rstrip("/"), label
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        self.no_redirect = urllib.request.build_opener(cookies, _NoRedirect)

    def _open(self, opener, request) -> tuple[int, bytes, str]:
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read(), response.geturl()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), request.full_url

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, headers={"Accept-Encoding": "identity"})
        status, body, _url = self._open(self.no_redirect, request)
        return status, body

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, bytes, str]:
        """GET the form for its CSRF token, POST it, follow the redirects; answers the final status and path."""
        status, body, _url = self._open(self.opener, urllib.request.Request(self.base + path))
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        fields = {**data, "csrfmiddlewaretoken": match.group(1).decode() if match else ""}
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path, "Content-Type": "application/x-www-form-urlencoded"},
        )
        status, body, url = self._open(self.opener, request)
        parts = urllib.parse.urlsplit(url)
        return status, body, parts.path + (f"?{parts.query}" if parts.query else "")


def totp_now(hex_key: str, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of a django-otp TOTP device (its `key` is hex)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(bytes.fromhex(hex_key), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def measure(fetcher: Fetcher, name: str, path: str) -> PageWeight:
    status, body = fetcher.get(path)
    page = PageWeight(name=name, path=path.split("?")[0], user=fetcher.label, status=status,
                      html_raw=len(body), html_gzip=gz(body))
    if status != 200:
        page.note = f"answered {status}"
        return page
    parser = AssetParser()
    parser.feed(body.decode("utf-8", "replace"))
    for url in parser.urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or parts.netloc:
            page.note += f" external asset not counted: {url};"
            continue
        asset_path = urllib.parse.urljoin(path, url)
        asset_status, asset_body = fetcher.get(asset_path)
        page.assets.append(Asset(url=asset_path, status=asset_status, raw=len(asset_body), gzip=gz(asset_body)))
    return page


# --- in-process mode --------------------------------------------------------------------------------------

def in_process(cases: int, keep_db: bool) -> tuple[list[PageWeight], dict]:
    tmp = Path(tempfile.mkdtemp(prefix="page_weight_"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'pw.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from satuatap.accounts.models import User
    from satuatap.journey.models import Case
    from satuatap.portal import tokens
    from satuatap.web import demo

    demo.ensure_users()
    demo.ensure_cases(cases)
    setup_seconds = time.monotonic() - started

    officer = User.objects.get(username="idm.disnaker")
    head = User.objects.get(username="idm.kepala")
    # The case page and the status page of the office's case furthest along (a longer history, more outcomes).
    case = max(Case.objects.filter(office_id=OFFICE) or Case.objects.all(),
               key=lambda c: (c.steps.filter(state="done").count(), c.pk))

    anonymous = ClientFetcher(Client(), "anonymous")
    desk_client = Client()
    desk_client.force_login(officer)
    desk = ClientFetcher(desk_client, officer.username)
    head_client = Client()
    device = TOTPDevice.objects.create(user=head, name="page weight", confirmed=True)
    head_client.force_login(head)
    session = head_client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    office = ClientFetcher(head_client, head.username + " (TOTP)")

    pages = [
        measure(anonymous, "login", "/accounts/login/"),
        measure(desk, "worklist", "/desk/"),
        measure(desk, "case page", f"/cases/{case.number}/"),
        measure(desk, "registration wizard", "/register/"),
        measure(office, "office (head)", "/office/"),
        measure(anonymous, "status lookup", "/status/"),
        measure(anonymous, "status page", tokens.status_path(case_number=case.number, case_id=case.pk)),
    ]
    meta = {"mode": "in-process test client", "database": os.environ["DATABASE_URL"], "cases": cases,
            "case": case.number, "case_steps_done": case.steps.filter(state="done").count(),
            "debug": settings.DEBUG, "setup_seconds": round(setup_seconds, 1)}
    if keep_db:
        meta["head_totp_key"] = device.key
        print(f"kept {tmp / 'pw.sqlite3'} (demo password; {head.username}'s TOTP key {device.key})\n")
    else:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    return pages, meta


# --- HTTP mode --------------------------------------------------------------------------------------------

def over_http(args) -> tuple[list[PageWeight], dict]:
    anonymous = HttpFetcher(args.url, "anonymous")
    pages = [measure(anonymous, "login", "/accounts/login/")]
    desk = HttpFetcher(args.url, args.username)
    status, _body, landed = desk.post_form("/accounts/login/", {"username": args.username, "password": args.password})
    if not landed.startswith("/desk/"):
        sys.exit(f"login as {args.username} failed (ended on {landed}, {status})")
    pages.append(measure(desk, "worklist", "/desk/"))
    case = args.case
    if not case:
        _status, body = desk.get("/desk/")
        found = re.search(rb'href="/cases/([A-Za-z0-9-]+)/', body)
        case = found.group(1).decode() if found else ""
    if case:
        pages.append(measure(desk, "case page", f"/cases/{case}/"))
    pages.append(measure(desk, "registration wizard", "/register/"))
    if args.head and args.head_totp_key:
        head = HttpFetcher(args.url, args.head + " (TOTP)")
        _status, _body, landed = head.post_form("/accounts/login/", {"username": args.head,
                                                                     "password": args.head_password})
        if landed.startswith("/accounts/otp/verify/"):
            head.post_form(landed, {"token": totp_now(args.head_totp_key)})
        pages.append(measure(head, "office (head)", "/office/"))
    pages.append(measure(anonymous, "status lookup", "/status/"))
    if case and args.birth_date:
        visitor = HttpFetcher(args.url, "anonymous")
        _status, _body, landed = visitor.post_form("/status/", {"case_number": case, "birth_date": args.birth_date})
        if landed.startswith("/status/") and "?t=" in landed:
            pages.append(measure(visitor, "status page", landed))
    return pages, {"mode": "http", "url": args.url, "case": case}


# --- report -----------------------------------------------------------------------------------------------

def kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def report(pages: list[PageWeight], meta: dict) -> None:
    header = (f"{'page':<22} {'user':<20} {'status':>6} {'HTML kB':>8} {'assets kB':>9} {'raw kB':>7} "
              f"{'gzip kB':>8} {'of budget':>9}  verdict")
    print(header)
    print("-" * len(header))
    for p in pages:
        share = f"{100 * p.total_gzip / BUDGET:.0f} %"
        line = (f"{p.name:<22} {p.user[:20]:<20} {p.status:>6} {kb(p.html_raw):>8} {kb(p.assets_raw):>9} "
                f"{kb(p.total_raw):>7} {kb(p.total_gzip):>8} {share:>9}  {p.verdict}")
        if p.verdict != "ok":
            line = f"{line}   <<< {p.verdict}{': ' + p.note.strip() if p.note.strip() else ''}"
        print(line)
    print()
    assets: dict[str, Asset] = {}
    for p in pages:
        for a in p.assets:
            assets.setdefault(a.url, a)
    for a in assets.values():
        print(f"  asset {a.url:<45} {a.status:>4} raw {kb(a.raw):>6} kB  gzip {kb(a.gzip):>6} kB")
    over = [p.name for p in pages if p.verdict == "OVER BUDGET"]
    errors = [p.name for p in pages if p.verdict == "ERROR"]
    print(f"\nbudget: {BUDGET:,} bytes compressed per page (HTML + CSS + JS, empty cache)")
    print(f"OVER BUDGET: {', '.join(over)}" if over else "every page is within the budget")
    if errors:
        print(f"ERROR (not measured properly): {', '.join(errors)}")

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                               text=True, check=False).stdout.split("\n")
    except OSError:
        commit, dirty = "", []
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "src_changed": [line[3:] for line in dirty if line.strip()],
        "budget_bytes_gzip": BUDGET,
        "gzip_level": 6,
        **meta,
        "pages": [
            {**{k: v for k, v in asdict(p).items() if k != "assets"},
             "assets": [asdict(a) for a in p.assets], "assets_raw": p.assets_raw, "assets_gzip": p.assets_gzip,
             "total_raw": p.total_raw, "total_gzip": p.total_gzip, "verdict": p.verdict}
            for p in pages
        ],
    }
    path = RESULTS / "page_weight.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="measure a running server instead of an in-process one")
    parser.add_argument("--cases", type=int, default=5, help="demo cases to create (in-process mode)")
    parser.add_argument("--keep-db", action="store_true", help="keep the temporary SQLite database")
    parser.add_argument("--username", default="idm.disnaker")
    parser.add_argument("--password", default=os.environ.get("PAGE_WEIGHT_PASSWORD", "demo-satuatap-2026"))
    parser.add_argument("--head", default="idm.kepala")
    parser.add_argument("--head-password", default=os.environ.get("PAGE_WEIGHT_PASSWORD", "demo-satuatap-2026"))
    parser.add_argument("--head-totp-key", default="", help="hex key of the head's TOTP device (--url mode)")
    parser.add_argument("--case", default="", help="case number for the case and status pages (--url mode)")
    parser.add_argument("--birth-date", default="", help="YYYY-MM-DD, the case's birth date (--url mode)")
    args = parser.parse_args()
    pages, meta = over_http(args) if args.url else in_process(args.cases, args.keep_db)
    report(pages, meta)


if __name__ == "__main__":
    main()
