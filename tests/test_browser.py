"""Every page kind in a real headless Chromium, served from localhost like any static host."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import Browser, find_chromium
from tests.test_site import PAGE_KINDS

pytestmark = pytest.mark.browser
CHROMIUM = find_chromium()
if CHROMIUM is None:  # scripts/test.sh installs it; a bare `pytest` without it says so
    pytest.skip("Debian's chromium is not installed (run bash scripts/test.sh)", allow_module_level=True)


ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _axe_source() -> str:
    """The axe-core that package-lock.json pins, installed by `npm ci` (scripts/test.sh runs it)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (bash scripts/test.sh does)")
    return AXE.read_text(encoding="utf-8")


def _pinned_axe_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/axe-core"]["version"]


def _scheme(page, scheme: str) -> None:
    """Material's light (default) or dark (slate) scheme, as its palette toggle sets it."""
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{'slate' if scheme == 'dark' else 'default'}')")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background


def _phone(page, width: int = 390) -> None:
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=844, deviceScaleFactor=1, mobile=True)


@pytest.fixture(scope="module")
def page():
    browser = Browser(CHROMIUM)
    tab = browser.new_page()
    yield tab
    tab.close()
    browser.close()


def _url(served_site: str, path: str) -> str:
    return f"{served_site}/{path.removesuffix('index.html')}"


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_page_opens_without_errors_or_outside_requests(page, served_site, kind):
    path = PAGE_KINDS[kind]
    page.goto(_url(served_site, path))
    assert page.evaluate("document.readyState") == "complete"
    assert page.evaluate("document.documentElement.lang") == "sv"
    outside = [u for u in page.requested_urls() if urlparse(u).hostname not in ("127.0.0.1", "localhost") and not u.startswith("data:")]
    assert not outside, outside
    assert not page.failed_requests(), page.failed_requests()
    assert not page.console_errors(), page.console_errors()


@pytest.mark.parametrize("kind", ["start", "municipality", "evaluation", "area"])
def test_charts_are_visible(page, served_site, kind):
    page.goto(_url(served_site, PAGE_KINDS[kind]))
    sizes = page.wait_for(
        "(() => { const imgs = [...document.querySelectorAll('figure.kk-chart img')];"
        " imgs.forEach(i => i.scrollIntoView()); "
        " return imgs.length && imgs.every(i => i.complete) ? imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().height]) : null })()"
    )
    assert sizes, "no chart loaded"
    assert all(width > 100 and height > 100 for width, height in sizes), sizes


def test_search_for_eftersnack_leads_to_its_page(page, served_site):
    page.goto(_url(served_site, "index.html"))
    page.evaluate("document.querySelector('label.md-search__icon, .md-header__button[for=__search]')?.click()")
    page.evaluate(
        "(() => { const i = document.querySelector('input.md-search__input'); i.focus(); i.value = 'Eftersnack';"
        " i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true})); })()"
    )
    href = page.wait_for(
        "(() => { const a = [...document.querySelectorAll('.md-search-result__link')].map(a => a.href);"
        " return a.find(h => h.includes('/goda-exempel/eftersnack/')) || null })()", timeout=15)
    assert href, "Eftersnack not found by search"
    page.goto(href)
    assert page.evaluate("document.querySelector('h1').firstChild.textContent") == "Eftersnack"
    assert page.evaluate("location.pathname").endswith("/goda-exempel/eftersnack/")


def test_sortable_table_sorts_by_total(page, served_site):
    page.goto(_url(served_site, PAGE_KINDS["municipalities"]))
    page.evaluate("document.querySelectorAll('#kommuntabell thead th button')[5].click()")
    page.evaluate("document.querySelectorAll('#kommuntabell thead th button')[5].click()")
    totals = page.evaluate("[...document.querySelectorAll('#kommuntabell tbody tr td:last-child')].map(td => parseFloat(td.dataset.value))")
    assert totals == sorted(totals, reverse=True) and len(totals) >= 5


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_axe_finds_no_violation_of_any_impact(page, served_site, kind, scheme):
    page.goto(_url(served_site, PAGE_KINDS[kind]))
    _scheme(page, scheme)
    page.evaluate(_axe_source())
    assert page.evaluate("axe.version") == _pinned_axe_version()
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))",
        await_promise=True,
    )
    violations = json.loads(result)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
