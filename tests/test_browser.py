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
    page.pump(0.3)  # let any colour transition finish before colours are measured
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
    outside = [
        u
        for u in page.requested_urls()
        if urlparse(u).hostname not in ("127.0.0.1", "localhost") and not u.startswith("data:")
    ]
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
        " return a.find(h => h.includes('/goda-exempel/eftersnack/')) || null })()",
        timeout=15,
    )
    assert href, "Eftersnack not found by search"
    page.goto(href)
    assert page.evaluate("document.querySelector('h1').firstChild.textContent") == "Eftersnack"
    assert page.evaluate("location.pathname").endswith("/goda-exempel/eftersnack/")


def test_sortable_table_sorts_by_total(page, served_site):
    page.goto(_url(served_site, PAGE_KINDS["municipalities"]))
    # The third total column holds the totals of revision 2002 only (one column per revision)
    page.evaluate("document.querySelectorAll('#kommuntabell thead th button')[3].click()")
    page.evaluate("document.querySelectorAll('#kommuntabell thead th button')[3].click()")
    values = page.evaluate(
        "[...document.querySelectorAll('#kommuntabell tbody tr td:nth-child(4)')].map(td => td.dataset.value)"
    )
    totals = [float(v) for v in values if v]
    assert totals == sorted(totals, reverse=True) and len(totals) >= 5
    assert values[len(totals) :] == [""] * (len(values) - len(totals))  # municipalities without such a total come last


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


CHART_TEXT = """(async () => {
  // Each chart's SVG laid out inline at the width its <img> has on the page: the size at which
  // every text is drawn there, and any two texts whose boxes overlap.
  const out = [];
  for (const img of document.querySelectorAll('figure.kk-chart img')) {
    const holder = document.createElement('div');
    holder.style.cssText = `position:absolute;left:0;top:0;width:${img.getBoundingClientRect().width}px`;
    holder.innerHTML = await (await fetch(img.src)).text();
    document.body.appendChild(holder);
    const svg = holder.querySelector('svg');
    svg.setAttribute('width', '100%'); svg.removeAttribute('height');
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()
      && getComputedStyle(t).visibility !== 'hidden' && getComputedStyle(t).display !== 'none');
    const boxes = texts.map(t => [t.textContent.trim(), t.getBoundingClientRect()]);
    const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    const overlaps = [];
    boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
      if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 0.5 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 0.5)
        overlaps.push([a, b]);
    }));
    // In the drawing's own units: every text keeps 4 units from the edge, where a card's border runs.
    const frame = svg.getBoundingClientRect(), unit = frame.width / svg.viewBox.baseVal.width, inset = 4 * unit;
    const outside = boxes.filter(([, b]) => b.left < frame.left + inset || b.right > frame.right - inset
      || b.top < frame.top + inset || b.bottom > frame.bottom - inset).map(([text]) => text);
    out.push({chart: img.getAttribute('src'), texts: texts.length, smallest: Math.min(...sizes), overlaps, outside});
    holder.remove();
  }
  return JSON.stringify(out);
})()"""

CHART_PAGES = ["start", "municipality", "evaluation", "area-level evaluation", "area"]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", CHART_PAGES)
def test_chart_text_is_readable_and_never_overlaps(page, served_site, kind, width):
    """At 390 px (a phone) every chart's text is at least 11 px as drawn; at any width no two of
    its texts (labels, ticks, values, legend) overlap and none runs past the chart's edge."""
    _phone(page, width)
    try:
        page.goto(_url(served_site, PAGE_KINDS[kind]))
        charts = json.loads(page.evaluate(CHART_TEXT, await_promise=True))
    finally:
        page.call("Emulation.clearDeviceMetricsOverride")
    assert charts, "no chart on the page"
    for chart in charts:
        assert chart["texts"] >= 3, chart
        assert chart["smallest"] >= 11, chart
        assert not chart["overlaps"], chart
        assert not chart["outside"], chart  # nothing cut off at the chart's edge


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_page_scrolls_sideways_on_a_phone(page, served_site, kind):
    _phone(page)
    try:
        page.goto(_url(served_site, PAGE_KINDS[kind]))
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        # A wide table scrolls inside its own box and keeps its key column in view.
        sticky = page.evaluate(
            "[...document.querySelectorAll('.kk-table-wrap, .md-typeset table:not([class])')]"
            ".filter(w => w.scrollWidth > w.clientWidth + 1)"
            ".map(w => getComputedStyle(w.querySelector('tbody tr > :first-child')).position)"
        )
    finally:
        page.call("Emulation.clearDeviceMetricsOverride")
    assert widths[0] <= widths[1], widths
    assert all(position == "sticky" for position in sticky), sticky


def _press(page, key: str) -> None:
    """A key pressed as a keyboard would (Enter carries its text, which is what activates a button)."""
    codes = {"Tab": ("Tab", 9, ""), "Enter": ("Enter", 13, "\r"), "ArrowDown": ("ArrowDown", 40, "")}
    code, virtual, text = codes[key]
    page.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=virtual, text=text)
    page.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=virtual)


FOCUSED = """(() => { const e = document.activeElement;
  // A hidden control (Material's palette radio button) shows its focus on the label after it.
  const shown = e.getBoundingClientRect().width ? e : e.nextElementSibling;
  const style = getComputedStyle(shown);
  return {tag: e.tagName, id: e.id, cls: String(e.className), text: e.textContent.trim(), href: e.getAttribute('href') || '',
          download: e.hasAttribute('download'), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          inTable: !!e.closest('#kommuntabell thead')}; })()"""


def _tab_to(page, wanted, limit: int = 120) -> dict:
    """Press Tab until the focused element is the one wanted; it must show its focus."""
    for _ in range(limit):
        _press(page, "Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            assert focused["ring"], f"no visible focus on {focused}"
            return focused
    raise AssertionError("not reached with the Tab key")


def test_keyboard_alone_reaches_and_operates_every_control(page, served_site):
    """Tab and Enter only: the palette toggle, the sortable headers, the search and a download."""
    page.goto(_url(served_site, PAGE_KINDS["municipalities"]))
    _tab_to(page, lambda f: "md-option" in f["cls"])
    scheme = page.evaluate("document.body.dataset.mdColorScheme")
    _press(page, "Enter")
    assert page.wait_for(f"document.body.dataset.mdColorScheme !== '{scheme}'")
    _press(page, "Enter")
    assert page.wait_for(f"document.body.dataset.mdColorScheme === '{scheme}'")

    page.goto(_url(served_site, PAGE_KINDS["municipalities"]))
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["inTable"] and f["text"].startswith("Totalpoäng"))
    column = page.evaluate("document.activeElement.closest('th').cellIndex")
    header = f"document.querySelector('#kommuntabell thead tr').cells[{column}].getAttribute('aria-sort')"
    _press(page, "Enter")
    assert page.evaluate(header) == "ascending"
    _press(page, "Enter")
    assert page.evaluate(header) == "descending"
    totals = page.evaluate(
        f"[...document.querySelectorAll('#kommuntabell tbody tr')].map(tr => tr.cells[{column}].dataset.value)"
        ".filter(v => v).map(parseFloat)"
    )
    assert len(totals) >= 3 and totals == sorted(totals, reverse=True)

    page.goto(_url(served_site, PAGE_KINDS["municipalities"]))
    _tab_to(page, lambda f: "md-search__input" in f["cls"])
    for letter in "Eftersnack":  # typed key by key, as Material's search listens to keys
        page.call("Input.dispatchKeyEvent", type="keyDown", key=letter, text=letter)
        page.call("Input.dispatchKeyEvent", type="keyUp", key=letter)
    assert page.wait_for("document.querySelectorAll('.md-search-result__link').length > 0", timeout=15)
    for _ in range(30):
        _press(page, "ArrowDown")
        if "/goda-exempel/eftersnack/" in page.evaluate("document.activeElement.href || ''"):
            break
    _press(page, "Enter")
    assert page.wait_for("location.pathname.endsWith('/goda-exempel/eftersnack/')", timeout=10)

    page.goto(_url(served_site, PAGE_KINDS["evaluation"]))
    page.call("Page.setDownloadBehavior", behavior="deny")
    link = _tab_to(page, lambda f: f["download"], limit=300)
    page.events.clear()
    _press(page, "Enter")
    page.pump(1)
    started = [e["params"]["url"] for e in page.events if e.get("method") == "Page.downloadWillBegin"]
    assert started and started[0].endswith(link["href"]), (started, link)
