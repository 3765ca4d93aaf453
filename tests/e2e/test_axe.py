"""Accessibility kept by tests (issue 15 §6): axe-core on every page each demo role reaches.

Each demo log-in starts on its home page and follows same-origin links up to two clicks
deep (its menu is on every page). Pages are grouped by their URL pattern (the view name
that `resolve()` gives): axe runs once per pattern and role, so the file stays fast, and
any violation of WCAG 2.0 / 2.1 / 2.2 A or AA fails. A student's or a monitor's pages
are walked on a 375 px phone and none may scroll sideways (wide tables scroll inside
their own focusable region); staff pages are walked on a desk-sized screen.

axe-core comes with the `axe-playwright-python` package (its bundled axe.min.js is
evaluated in the page through Playwright), so no CDN is involved and the page's CSP
is not loosened.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from tests.e2e.conftest import assert_fits

MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# Who walks on a phone (and must never scroll sideways): students, and a visitor who has
# not logged in yet (log-in, registration, 找回用户名 / 密码).
PHONE_ROLES = {"anonymous", "student", "monitor", "graduate"}
ROLES = [
    "anonymous",
    "student",
    "monitor",
    "graduate",
    "counselor",
    "college",
    "registrar",
    "reviewer",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAX_DEPTH = 2
# Not pages: downloads, pictures, JSON polls; and places outside the portal's own pages.
SKIP_SUFFIXES = (".xlsx", ".pdf", ".jpg", ".jpeg", ".png", ".csv", ".zip")
SKIP_PREFIXES = ("/admin/", "/i18n/", "/accounts/logout/", "/media/", "/static/")
SKIP_VIEW_WORDS = ("export", "download", "image", "photo_file", "job_status", "favicon")

# axe-core 4.x no longer reports duplicate ids (WCAG 2.2 dropped 4.1.1), but a label's
# `for` or an aria-describedby then points at the wrong field: checked here.
DUPLICATE_IDS_JS = """() => {
  const counts = {};
  for (const el of document.querySelectorAll('[id]')) counts[el.id] = (counts[el.id] || 0) + 1;
  return Object.keys(counts).filter(id => counts[id] > 1);
}"""

LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""

AXE = Axe()


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("seed_demo", allow_without_debug=True, students=60, seed=1, stdout=io.StringIO())


def view_name(path: str) -> str | None:
    """The URL pattern a same-origin path belongs to, or None for what is not a page."""
    if path.startswith(SKIP_PREFIXES) or path.lower().endswith(SKIP_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if any(word in name for word in SKIP_VIEW_WORDS):
        return None
    return name


def same_origin_paths(page, base_url: str) -> list[str]:
    paths = []
    for href in page.evaluate(LINKS_JS):
        url, _fragment = urldefrag(href)
        if not url.startswith(base_url + "/"):
            continue
        parts = urlsplit(url)
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def axe_violations(page) -> list[str]:
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    found = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    duplicates = page.evaluate(DUPLICATE_IDS_JS)
    if duplicates:
        found.append(f"duplicate ids: {duplicates}")
    return found


def walk(page, base_url: str) -> Iterator[tuple[str, str]]:
    """(pattern, the first path seen for it), breadth first from the home page, each
    pattern's page visited once (its links feed the next depth)."""
    seen: dict[str, str] = {}
    frontier = ["/"]
    for depth in range(MAX_DEPTH + 1):
        next_frontier: list[str] = []
        for path in frontier:
            name = view_name(path.split("?")[0])
            if name is None or name in seen:
                continue
            response = page.goto(path)
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            seen[name] = path
            yield name, path
            if depth < MAX_DEPTH:
                next_frontier.extend(same_origin_paths(page, base_url))
        frontier = next_frontier


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_passes_axe(username, demo, page, live_server, login):
    phone = username in PHONE_ROLES
    page.set_viewport_size(MOBILE if phone else DESKTOP)
    if username != "anonymous":
        login(page, username, settings.DEMO_PASSWORD)

    problems: dict[str, list[str]] = {}
    visited = []
    for name, path in walk(page, live_server.url):
        visited.append(name)
        found = axe_violations(page)
        if phone:
            try:
                assert_fits(page, f"{username} on {path}")
            except AssertionError as exc:
                found.append(str(exc))
        if found:
            problems[f"{name} ({path})"] = found

    assert len(visited) >= 3, f"{username} reached too few pages: {visited}"
    assert not problems, f"{username}: " + "\n".join(
        f"\n{where}:\n  " + "\n  ".join(items) for where, items in problems.items()
    )


# Autofill and the phone's keyboard on identity and code fields (WCAG 1.3.5).
FIELD_ATTRS_JS = """(names) => Object.fromEntries(names.map(name => {
  const el = document.querySelector(`form [name="${name}"]`);
  return [name, el && {
    autocomplete: el.getAttribute('autocomplete'),
    inputmode: el.getAttribute('inputmode'),
    type: el.getAttribute('type'),
  }];
}))"""


def field_attrs(page, *names: str) -> dict:
    attrs = page.evaluate(FIELD_ATTRS_JS, list(names))
    missing = [name for name, found in attrs.items() if found is None]
    assert not missing, f"{page.url}: no field {missing}"
    return attrs


def test_identity_and_code_fields_tell_autofill_what_they_are(demo, page, login):
    page.goto(reverse("accounts:register"))
    fields = field_attrs(
        page, "real_name", "phone", "email", "code", "username", "password1", "password2"
    )
    assert fields["real_name"]["autocomplete"] == "name"
    assert fields["phone"] == {"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
    assert fields["email"]["autocomplete"] == "email"
    assert fields["email"]["type"] == "email"
    assert fields["code"]["autocomplete"] == "one-time-code"
    assert fields["code"]["inputmode"] == "numeric"
    assert fields["username"]["autocomplete"] == "username"
    assert fields["password1"]["autocomplete"] == "new-password"
    assert fields["password2"]["autocomplete"] == "new-password"

    page.goto(reverse("accounts:password_reset"))
    fields = field_attrs(page, "code", "password1")
    assert fields["code"]["autocomplete"] == "one-time-code"
    assert fields["password1"]["autocomplete"] == "new-password"

    login(page, "student", settings.DEMO_PASSWORD)
    page.goto(reverse("accounts:account"))
    # Two forms with a 验证码 on one page: each its own id, each label on its own field.
    for section, kind in (("更换手机号", "tel"), ("更换邮箱", "email")):
        form = page.get_by_role("region", name=section).locator("form")
        code = form.get_by_label("验证码")
        assert code.get_attribute("autocomplete") == "one-time-code"
        assert code.get_attribute("inputmode") == "numeric"
        assert form.locator(f"input[autocomplete={kind}]").count() == 1


# The contrast ratio of two CSS colours (WCAG 2.x relative luminance).
CONTRAST_JS = """([a, b]) => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}"""
BACKGROUND_JS = """(el) => {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !bg.endsWith(', 0)')) return bg;
  }
  return 'rgb(255, 255, 255)';
}"""


def test_the_focus_ring_stands_out_from_what_is_around_it(demo, page, login):
    """WCAG 1.4.11: the keyboard's focus ring has >= 3:1 against the colour beside it,
    on the light page and in the dark header alike."""
    login(page, "student", settings.DEMO_PASSWORD)
    for where in ("main a[href]", "header a[href]"):
        element = page.locator(where).first
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        ring = element.evaluate("el => getComputedStyle(el).outlineColor")
        width = element.evaluate("el => parseFloat(getComputedStyle(el).outlineWidth)")
        around = element.evaluate(BACKGROUND_JS)
        ratio = page.evaluate(CONTRAST_JS, [ring, around])
        assert width >= 2, f"{where}: a {width} px focus ring"
        assert ratio >= 3, f"{where}: focus ring {ring} on {around} has contrast {ratio:.2f}:1"
