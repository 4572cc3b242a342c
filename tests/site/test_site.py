"""The built website, checked in headless Chromium the way a reader sees it.

Run after building the site (``make test`` does both):

    pytest -m site tests/site          # SITE_DIR defaults to book/_build/html

The site is served on 127.0.0.1; every request the pages make is recorded and
any request to another host is aborted before it leaves the machine.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SITE_DIR", ROOT / "book" / "_build" / "html"))
SCREENSHOTS = ROOT / "book" / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html", "index.html"}  # index.html only redirects to intro


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def _pages() -> list[str]:
    return sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "_static" not in p.parts)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


@functools.cache
def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"No built site at {SITE}. Build it first: make book (or make test, which builds it).")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}. Install Debian's package: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def visits(browser, site_url):
    """Open every page once; record requests, MathJax state, images and sidebar links."""
    results = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    for rel in _pages():
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
        response = page.goto(site_url + rel, wait_until="load")
        page.wait_for_function(
            "() => !window.MathJax || !MathJax.startup || MathJax.startup.promise !== undefined", timeout=15000
        )
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.evaluate("() => document.fonts.ready")
        text = page.inner_text("article") if page.query_selector("article") else page.inner_text("body")
        images = page.eval_on_selector_all(
            "article img", "els => els.map(e => ({src: e.src, ok: e.complete && e.naturalWidth > 0}))"
        )
        sidebar = page.eval_on_selector_all("nav.bd-docs-nav a, .bd-sidebar-primary a", "els => els.map(e => e.href)")
        has_widgets = page.query_selector('script[type="application/vnd.jupyter.widget-view+json"]') is not None
        if has_widgets:
            # Some widgets are hidden on purpose (a panel's rows that show only for one choice), so wait until
            # at least one rendered widget is visible rather than for the first one.
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jupyter-widgets')].some(e => e.offsetParent !== null)",
                timeout=15000,
            )
        results[rel] = {
            "has_widgets": has_widgets,
            "widgets": page.eval_on_selector_all(".jupyter-widgets", "els => els.length"),
            "status": response.status if response else None,
            "failed": list(failed),
            "text": text,
            "mathjax": page.eval_on_selector_all("mjx-container", "els => els.length"),
            "images": images,
            "sidebar": sidebar,
        }
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if rel == "intro.html":  # the home page (index.html redirects to it)
            page.screenshot(path=str(SCREENSHOTS / "home.png"))
        elif rel.startswith("notebooks/00_"):
            page.screenshot(path=str(SCREENSHOTS / "notebook.png"), full_page=True)
        page.close()
    context.close()
    results["__outside__"] = outside
    return results


def test_every_page_loads_from_localhost_only(visits):
    assert visits.pop("__outside__", []) == [], "pages tried to reach other hosts"
    for rel, v in visits.items():
        assert v["status"] == 200, rel
        assert v["failed"] == [], f"{rel}: failed requests {v['failed']}"


def test_mathjax_typeset_every_formula(visits):
    typeset = 0
    for rel, v in visits.items():
        if rel.startswith(("__", "_modules/")) or rel in SKIP_PAGES:  # _modules: source code pages
            continue
        for raw in ("$$", "\\[", "\\(", "\\begin{"):
            assert raw not in v["text"], f"{rel}: raw math {raw!r} left in the rendered text"
        typeset += v["mathjax"]
    assert typeset > 0, "no page has typeset math: MathJax did not run"


def test_notebook_pages_show_their_figures(visits):
    notebook_pages = [r for r in visits if r.startswith("notebooks/")]
    assert len(notebook_pages) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    for rel in notebook_pages:
        imgs = visits[rel]["images"]
        assert imgs, f"{rel} shows no figure"
        broken = [i["src"] for i in imgs if not i["ok"]]
        assert not broken, f"{rel}: images did not load: {broken}"


def test_widget_panels_render_from_vendored_scripts(visits):
    """Where a notebook saved widget state, the page renders the widgets (no CDN: see the first test)."""
    for rel, v in visits.items():
        if not rel.startswith("__") and v["has_widgets"]:
            assert v["widgets"] > 0, f"{rel}: widget state is on the page but no widget rendered"


def test_sidebar_lists_every_chapter(visits):
    sidebar = {urlparse(h).path.lstrip("/") for h in visits["intro.html"]["sidebar"]}
    for f in _toc_files()[1:]:
        assert f"{f}.html" in sidebar, f"sidebar lacks {f}"


def test_internal_links_resolve():
    bad = []
    for rel in _pages():
        page = SITE / rel
        for href in _parse(page).hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                bad.append(f"{rel}: {href}")
            elif url.fragment and target.suffix == ".html" and url.fragment not in _parse(target).ids:
                bad.append(f"{rel}: {href} (no such anchor)")
    assert not bad, "broken internal links:\n" + "\n".join(bad)


def test_each_notebook_page_offers_its_ipynb(visits):
    for rel in visits:
        if rel.startswith("notebooks/"):
            name = Path(rel).stem + ".ipynb"
            assert (SITE / "_sources" / "notebooks" / name).is_file(), f"no download for {name}"


def test_screenshots_were_saved(visits):
    assert (SCREENSHOTS / "home.png").stat().st_size > 10_000
    assert (SCREENSHOTS / "notebook.png").stat().st_size > 10_000
