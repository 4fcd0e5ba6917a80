"""The reports in a real browser (headless Chromium) at 1400 px: nothing cut off, summary first, offline.

Fails when a table is wider than its container or the page scrolls sideways, when the summary is not
within the first screen, or when a page requests anything that is not ``file:``, ``data:`` or ``about:``.
Uses Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) through Playwright for Python;
nothing is downloaded at test time. Skips, saying why, when there is no browser or no Playwright.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmbook.report import run_reports

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1400, 900
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]
LOCAL = ("file:", "data:", "about:")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or "/nonexistent")
    if not executable.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (Debian: apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=str(executable), args=FLAGS, headless=True)
        except Error as exc:
            pytest.skip(f"Chromium at {executable} does not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=["en", "zh"])
def run_folder(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"browser-{request.param}")
    result = None
    for _ in range(2):  # two runs: the index shows changes and trends
        result = run_reports(data="sample", params={"language": request.param}, out=out, jobs=2, stream=None)
        assert result.ok, [f.describe() for f in result.failures]
    return result.folder


def _pages(folder: Path) -> list[Path]:
    return [folder / "index.html", *sorted(folder.glob("[0-9][0-9]_*.html"))]


def test_pages_fit_1400px_open_with_the_summary_and_load_nothing(browser, run_folder: Path) -> None:
    pages = _pages(run_folder)
    assert len(pages) >= 3
    for path in pages:
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        requested: list[str] = []
        page.on("request", lambda request, seen=requested: seen.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        remote = [url for url in requested if not url.startswith(LOCAL)]
        assert not remote, f"{path.name} requests {remote[:3]}"
        sideways = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"{path.name}: the page scrolls sideways by {sideways} px at {WIDTH} px"
        cut = page.evaluate("""() => [...document.querySelectorAll('table')].filter(t => t.offsetParent)
            .map(t => [t.getBoundingClientRect().width, t.parentElement.getBoundingClientRect().width,
                       (t.querySelector('th') || t).textContent.trim().slice(0, 40)])
            .filter(([w, c]) => w > c + 1)""")
        assert not cut, f"{path.name}: table(s) wider than their container (width, container, first header): {cut}"
        top = page.evaluate("(() => { const s = document.querySelector('.crmbook-summary');"
                            " return s ? s.getBoundingClientRect().top : null; })()")
        assert top is not None, f"{path.name}: no summary section"
        assert top < HEIGHT * 0.5, f"{path.name}: the summary starts at {top} px, not within the first screen"
        page.close()
