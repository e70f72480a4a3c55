"""Accessibility of the main pages, checked in the browser: labelled controls, keyboard reach, visible focus.

For each page: every input, select and textarea has a label (label[for] or a wrapping label, aria-label or
aria-labelledby) and every button and link a name; the first Tab reaches the skip link and repeated Tab
presses (bounded) reach the page's primary button; every element the keyboard reaches shows a focus
indicator (an outline, a box-shadow, or for the journey graph's boxes a heavier stroke) that it did not
have before, and that indicator has a contrast of at least 3:1 against the colours next to it (WCAG 1.4.11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from satuatap.journey import services as journey_services
from satuatap.portal import tokens
from tests import factories
from tests.browser.helpers import desk_officers, login, open_case

pytestmark = pytest.mark.django_db(transaction=True)

TAB_LIMIT = 250

# Unlabelled form controls and nameless buttons/links, as short HTML excerpts.
UNLABELLED_JS = """
() => {
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
  const byIds = (el) => (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .some((id) => text(document.getElementById(id)));
  const controls = [...document.querySelectorAll('input, select, textarea')].filter((el) => el.type !== 'hidden');
  const unlabelled = controls.filter((el) => !(
    [...(el.labels || [])].some((l) => text(l)) || (el.getAttribute('aria-label') || '').trim() || byIds(el)));
  const actions = [...document.querySelectorAll('button, a[href], summary')];
  const nameless = actions.filter((el) => !(
    text(el) || (el.getAttribute('aria-label') || '').trim() || byIds(el) || (el.getAttribute('title') || '').trim()));
  const excerpt = (el) => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 160);
  return {controls: controls.length, unlabelled: unlabelled.map(excerpt), nameless: nameless.map(excerpt)};
}
"""

# Number every element and remember how it looks unfocused (outline, box-shadow, the stroke of an SVG box).
SNAPSHOT_JS = """
() => {
  const look = (el) => {
    const cs = getComputedStyle(el);
    const rect = el instanceof SVGElement ? el.querySelector('rect') : null;
    const rs = rect ? getComputedStyle(rect) : null;
    return {outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`, shadow: cs.boxShadow,
            stroke: rs ? `${rs.stroke} ${rs.strokeWidth}` : ''};
  };
  window.__a11yLook = look;
  window.__a11yBefore = new Map();
  // A field the page focused by itself is measured unfocused, then focused again.
  const active = document.activeElement !== document.body ? document.activeElement : null;
  if (active) active.blur();
  [...document.querySelectorAll('*')].forEach((el, i) => {
    el.setAttribute('data-a11y-key', String(i));
    window.__a11yBefore.set(String(i), look(el));
  });
  if (active) active.focus();
}
"""

# What the focused element is, whether it matches `primary`, and how well its focus indicator shows.
FOCUS_JS = """
(primary) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {body: true};
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const white = {r: 255, g: 255, b: 255, a: 1};
  const bgOf = (node) => {
    for (let e = node; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return white;
  };
  const box = el.getBoundingClientRect();
  // The background just outside the element's box at distance d, on each of the four sides.
  const around = (d) => [[box.left - d, box.top + box.height / 2], [box.right + d, box.top + box.height / 2],
                         [box.left + box.width / 2, box.top - d], [box.left + box.width / 2, box.bottom + d]]
    .map(([x, y]) => {
      const stack = document.elementsFromPoint(x, y).filter((e) => e !== el && !el.contains(e));
      return stack.length ? bgOf(stack[0]) : bgOf(el.parentElement);
    });
  const worst = (color, d) => Math.min(...around(d).map((bg) => ratio(color, bg)));
  const cs = getComputedStyle(el);
  const before = window.__a11yBefore ? window.__a11yBefore.get(el.getAttribute('data-a11y-key')) : null;
  const now = window.__a11yLook(el);
  let indicator = '';
  let contrast = 0;
  if (el.matches('input[type=date], input[type=time], input[type=datetime-local], input[type=month]') &&
      !el.matches(':focus-visible')) {
    // Past the date's parts, Tab reaches the calendar button inside the browser's own control: the browser
    // draws its focus ring there (the page cannot style it).
    indicator = 'browser ring on the picker button';
    contrast = null;
  } else if (el instanceof SVGElement) {
    const rect = el.querySelector('rect');
    if (rect && before && now.stroke !== before.stroke) {
      const rs = getComputedStyle(rect);
      indicator = `stroke ${now.stroke}`;
      contrast = ratio(parse(rs.stroke), parse(rs.fill) || white);
    }
  } else {
    const width = parseFloat(cs.outlineWidth) || 0;
    const offset = parseFloat(cs.outlineOffset) || 0;
    const hasOutline = cs.outlineStyle !== 'none' && width > 0 && (!before || now.outline !== before.outline);
    const shadow = cs.boxShadow && cs.boxShadow !== 'none' && (!before || now.shadow !== before.shadow);
    const shadowColor = shadow ? parse(cs.boxShadow) : null;
    const lengths = shadow ? cs.boxShadow.replace(/rgba?\\([^)]*\\)/, '').trim().split(/\\s+/) : [];
    const spread = lengths.length ? parseFloat(lengths.pop()) || 0 : 0;
    const ratios = [];
    if (hasOutline) {
      indicator += `outline ${now.outline} offset ${offset}px `;
      const outlineColor = parse(cs.outlineColor);
      // Outside the ring: the shadow when it reaches further, else the page behind the element.
      ratios.push(shadowColor && spread > offset + width ? ratio(outlineColor, shadowColor)
                                                        : worst(outlineColor, offset + width + 1));
      // Inside the ring: the element itself when the ring touches it, else the page in the gap.
      ratios.push(offset <= 0 ? ratio(outlineColor, bgOf(el)) : worst(outlineColor, Math.max(offset - 1, 0)));
    }
    if (shadowColor) {
      indicator += `box-shadow ${cs.boxShadow}`;
      ratios.push(worst(shadowColor, spread + 1));
    }
    contrast = ratios.length ? Math.max(...ratios) : 0;
  }
  const label = (el.getAttribute('aria-label') || el.textContent || el.value || '').replace(/\\s+/g, ' ').trim();
  return {
    body: false, key: el.getAttribute('data-a11y-key'), primary: el.matches(primary),
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.classList.length ? '.' +
           [...el.classList].join('.') : ''} "${label.slice(0, 40)}"`,
    indicator: indicator.trim(), contrast: contrast === null ? null : Math.round(contrast * 100) / 100,
  };
}
"""


@dataclass
class Target:
    path: str
    primary: str  # the page's main button, which the keyboard must reach
    officer: bool  # needs a logged-in desk officer
    marker: str  # something that shows the page really is the one meant (not a login redirect or error)
    inputs: bool = True  # has form fields a person fills in


def targets(case_number: str, case_id: int) -> dict[str, Target]:
    return {
        "login": Target("/accounts/login/", "#login-submit", False, "#login-form"),
        "worklist": Target("/desk/", "#worklist-apply", True, f"#worklist-table tr[data-case='{case_number}']"),
        "case": Target(f"/cases/{case_number}/", "#complete-REG", True, "#complete-REG-form"),
        "wizard": Target("/register/", "#register-submit", True, "#register-form"),
        "lookup": Target("/status/", "#lookup-submit", False, "#status-lookup-form"),
        # The status page has no form of its own: its one button is the language switch.
        "status": Target(
            tokens.status_path(case_number=case_number, case_id=case_id),
            "#lang-switch button",
            False,
            "#checklist",
            inputs=False,
        ),
    }


PAGES = ("login", "worklist", "case", "wizard", "lookup", "status")


@pytest.fixture
def opened(page: Page, request):
    """The page `request.param` opened in the browser (as the manpower desk officer where it needs a login),
    with a case whose REG step is in progress, so the case page shows the Complete form."""
    officers = desk_officers()
    worker = factories.worker("32.12", birth_date=dt.date(1998, 3, 14))
    case = open_case(officers["DISNAKER"], worker)
    journey_services.step_start(actor=officers["DISNAKER"], case_number=case.number, step_code="REG")
    target = targets(case.number, case.pk)[request.param]
    if target.officer:
        login(page, officers["DISNAKER"].username)
    page.goto(page.base + target.path)
    expect(page.locator(target.marker)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    return page, target


def tab_walk(page: Page, primary: str, *, until_primary: bool) -> list[dict]:
    """Press Tab from the top of the page (or from the field it focuses by itself); every stop, until the
    primary button or back to the start."""
    page.evaluate(SNAPSHOT_JS)
    start = page.evaluate(FOCUS_JS, primary)
    stops: list[dict] = [] if start["body"] else [{**start, "autofocus": True}]
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS, primary)
        if stop["body"] or (stops and stop["key"] == stops[0]["key"]):
            break
        stops.append(stop)
        if until_primary and stop["primary"]:
            break
    return stops


@pytest.mark.parametrize("opened", PAGES, indirect=True)
def test_every_control_is_labelled_and_every_action_named(opened):
    page, target = opened
    found = page.evaluate(UNLABELLED_JS)
    assert found["controls"] > 0 or not target.inputs, "no form controls found: the page is not the one meant"
    assert not found["unlabelled"], "controls without a label:\n" + "\n".join(found["unlabelled"])
    assert not found["nameless"], "buttons or links without a name:\n" + "\n".join(found["nameless"])


@pytest.mark.parametrize("opened", PAGES, indirect=True)
def test_keyboard_reaches_the_primary_button_with_a_visible_focus(opened):
    page, target = opened
    stops = tab_walk(page, target.primary, until_primary=True)
    assert stops, "Tab focuses nothing"
    if not stops[0].get("autofocus"):  # a page that focuses its first field itself (login) starts there
        assert "skip" in stops[0]["what"], f"the first Tab should reach the skip link, not {stops[0]['what']}"
    assert stops[-1]["primary"], (
        f"{target.primary} not reached in {len(stops)} Tab presses; last: {stops[-1]['what'] if stops else '-'}"
    )
    assert page.locator(target.primary).first.evaluate("el => el === document.activeElement")
    hidden = [s["what"] for s in stops if not s["indicator"]]
    assert not hidden, "focused without a visible focus indicator:\n" + "\n".join(hidden)


@pytest.mark.parametrize(
    "opened",
    PAGES,
    indirect=True,
)
def test_focus_indicator_contrast(opened):
    page, target = opened
    stops = tab_walk(page, target.primary, until_primary=False)
    assert len(stops) > 2
    measured = [s for s in stops if s["contrast"] is not None]  # not the browser's own date picker button
    weak = [f"{s['what']}: {s['contrast']}:1 ({s['indicator'] or 'none'})" for s in measured if s["contrast"] < 3]
    assert not weak, "focus indicators under 3:1 against their surroundings:\n" + "\n".join(weak)
