"""End to end in a real browser: `couverture serve` in a subprocess, headless Chromium through Playwright.

The server reads a database holding the seeds, the demo corpus and hostile articles.
Chromium is Debian's (/usr/bin/chromium), with no network beyond 127.0.0.1.
Screenshots of the pages land in test-artifacts/ (gitignored).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import ROOT
from couverture.store import Store
from test_web_data import HOSTILE_TITLE, seeds_story_id, web_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
SEED_TITLES = ("Poutine menace toujours de fournir des armes", "Poutine n’exclut pas l’envoi de missiles")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory, analyzer) -> Path:
    return web_database(tmp_path_factory, analyzer)


@pytest.fixture(scope="module")
def server(db):
    """`couverture serve` on a free port; its URL. Stopped (by its own pid) after the module."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "couverture.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("couverture serve exited: " + process.stdout.read().decode(errors="replace"))
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("couverture serve did not answer within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def watched(browser):
    """A fresh page that records dialogs (alert, confirm...), page errors and console errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    events = {"dialogs": [], "errors": [], "console": []}

    def on_dialog(dialog):
        events["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: events["errors"].append(str(error)))
    page.on("console", lambda message: message.type == "error" and events["console"].append(message.text))
    yield page, events
    context.close()


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_front_page_story_search_and_article(server, watched, db):
    page, events = watched
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    _shot(page, "front-page.png")

    # the seeds' story, from the front page
    store = Store(db)
    try:
        story_id = seeds_story_id(store)
    finally:
        store.close()
    page.locator(f'a[href="/stories/{story_id}"]').click()
    page.wait_for_url(f"**/stories/{story_id}")
    # The story is the seeds' and the demo's reports of one visit, in four languages:
    # its headline may be any of theirs.
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Poutine|Putin"))
    source_titles = page.locator(".sources a.article-link").all_inner_texts()
    for title in SEED_TITLES:
        assert any(t.startswith(title) for t in source_titles), (title, source_titles)
    agencies = page.locator(".sources").inner_text()
    assert "AFP" in agencies and "ANSA" in agencies
    svg = page.locator("svg.timeline-svg")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 80
    assert page.locator("svg.timeline-svg rect.bar").count() >= 1
    _shot(page, "story-page-seeds.png")

    # a story in four languages, for the record
    page.goto(server + "/?q=Hanoi&lang=it")
    page.get_by_role("link", name=re.compile("Putin ad Hanoi")).first.click()
    page.wait_for_url("**/stories/**")
    languages = page.locator(".story-meta .langs abbr").all_inner_texts()
    assert len(languages) >= 3
    expect(page.locator(".legend li")).to_have_count(len(languages))
    bar_classes = {c for cls in page.locator("svg.timeline-svg rect.bar").evaluate_all("rs => rs.map(r => r.getAttribute('class'))")
                   for c in cls.split() if c.startswith("lang-c")}
    assert len(bar_classes) == len(languages)  # one colour per language
    _shot(page, "story-page.png")

    # search from the form, then follow an article
    page.goto(server + "/")
    page.get_by_label("Search titles and texts").fill("Poutine")
    page.get_by_label("Search titles and texts").press("Enter")
    page.wait_for_url(re.compile(r"\?q=Poutine"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories matching “Poutine”")
    assert page.locator("mark").count() >= 3
    _shot(page, "search-results.png")
    first = page.locator(".matches a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/articles/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".article-meta")).to_contain_text("Language")
    assert page.locator(".article-meta a[href^='/stories/']").count() == 1
    _shot(page, "article-page.png")

    assert events == {"dialogs": [], "errors": [], "console": []}


def test_seeds_timeline_spans_their_day_with_readable_labels(server, watched, db):
    page, events = watched
    store = Store(db)
    try:
        story_id = seeds_story_id(store)
    finally:
        store.close()
    articles = httpx.get(f"{server}/api/stories/{story_id}").json()["articles"]
    page.goto(f"{server}/stories/{story_id}")
    svg = page.locator("svg.timeline-svg")
    expect(svg).to_be_visible()
    labels = page.locator("svg.timeline-svg text.x-label")
    texts = labels.all_text_contents()  # SVG text has no innerText
    # The seeds were collected today; their story happened in June 2024, and each label says so alone.
    assert texts and all(re.fullmatch(r"\d{1,2} Jun 2024( \d\d:\d\d)?", t) for t in texts), texts
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    frame = svg.bounding_box()
    for box in boxes:
        assert frame["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5
    for left, right in zip(boxes, boxes[1:]):
        assert left["x"] + left["width"] < right["x"], (left, right)  # drawn side by side, not on top
    estimated = [a for a in articles if not a["published"] and a["estimated"]]
    expect(page.locator("svg.timeline-svg rect.estimate-band")).to_have_count(
        len({(a["estimated"]["earliest"], a["estimated"]["latest"], a["lang"]) for a in estimated}))
    undated = [a for a in articles if not a["published"] and not a["estimated"]]
    expect(page.locator(".timeline .undated-list li")).to_have_count(len(undated))
    _shot(page, "story-timeline-seeds.png")
    assert events == {"dialogs": [], "errors": [], "console": []}


def test_language_switch_follows_the_browser_then_the_reader(server, browser, db):
    """An English browser on a story no source writes in English: a note, every summary
    item marked with its language; the switch then gives the French and Italian pages."""
    store = Store(db)
    try:
        story_id = seeds_story_id(store)
    finally:
        store.close()
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server}/stories/{story_id}")
        switch = page.get_by_role("navigation", name="Reader language")
        expect(switch.locator("[aria-current]")).to_have_text("English")
        expect(page.locator(".reader-note")).to_contain_text("No source is in English")
        items = page.locator(".coverage-summary li")
        assert items.count() >= 3
        expect(page.locator(".coverage-summary li .lang-mark")).to_have_count(items.count())
        _shot(page, "language-en.png")

        switch.get_by_role("link", name="français").click()
        page.wait_for_url(re.compile(r"\?lang=fr$"))
        expect(page.locator("h1")).to_have_attribute("lang", "fr")
        expect(page.locator(".reader-note")).to_have_count(0)
        expect(page.locator(".coverage-summary li .lang-mark")).to_have_count(0)
        assert {page.locator(".coverage-summary li span[lang]").nth(i).get_attribute("lang")
                for i in range(page.locator(".coverage-summary li span[lang]").count())} == {"fr"}
        _shot(page, "language-fr.png")

        page.get_by_role("navigation", name="Reader language").get_by_role("link", name="italiano").click()
        page.wait_for_url(re.compile(r"\?lang=it$"))
        expect(page.locator("h1")).to_contain_text("Putin ad Hanoi")
        expect(page.get_by_role("navigation", name="Reader language").locator("[aria-current]")).to_have_text("italiano")
    finally:
        context.close()
    assert errors == []


def test_related_stories_link_the_look_alikes_both_ways(server, watched, db):
    """Putin in Hanoi (the seeds' story) lists the treaty signed in Pyongyang the day
    before as earlier; following the link, that story lists Hanoi as later."""
    page, events = watched
    store = Store(db)
    try:
        story_id = seeds_story_id(store)
    finally:
        store.close()
    page.goto(f"{server}/stories/{story_id}")
    section = page.locator("section.related")
    expect(section.get_by_role("heading", level=2)).to_have_text("Related stories")
    link = section.locator("a.related-link")
    expect(link).to_have_count(1)
    expect(link).to_have_text("Putin and Kim sign mutual defence pact on rare Pyongyang visit")
    expect(section.locator(".relation")).to_have_text("Earlier")
    page.locator("nav.on-this-page a[href='#related-heading']").click()
    _shot(page, "story-related.png")
    link.click()
    page.wait_for_url("**/stories/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Putin and Kim sign mutual defence pact on rare Pyongyang visit")
    back = page.locator("section.related a.related-link")
    expect(back).to_have_count(1)
    expect(page.locator("section.related .relation")).to_have_text("Later")
    back.click()
    page.wait_for_url(f"**/stories/{story_id}")
    assert events == {"dialogs": [], "errors": [], "console": []}


def test_hostile_title_is_text_and_nothing_runs(server, watched):
    page, events = watched
    page.goto(server + "/?q=Valpara%C3%ADso")
    card = page.locator(".story-card h2 a", has_text=HOSTILE_TITLE)
    expect(card).to_have_count(1)
    card.click()
    page.wait_for_url("**/stories/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)
    page.locator("a.article-link", has_text=HOSTILE_TITLE).click()
    page.wait_for_url("**/articles/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)
    expect(page.locator(".article-text")).to_contain_text("<script>alert(6)</script>")
    expect(page.locator(".article-meta")).to_contain_text("javascript:alert(2)")
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("script, img, [onerror], [onmouseover]").count() == 0
    _shot(page, "hostile-article.png")
    assert events == {"dialogs": [], "errors": [], "console": []}  # no alert, no CSP violation


def test_phone_width_and_keyboard(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        for path, name in (("/", "front-page-phone.png"), ("/?q=Hanoi&lang=it", None)):
            page.goto(server + path)
            if name:
                _shot(page, name)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name=re.compile("Putin ad Hanoi")).first.click()
        page.wait_for_url("**/stories/**")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("svg.timeline-svg").bounding_box()["width"] <= 390
        _shot(page, "story-page-phone.png")

        # keyboard: the first Tab reaches the skip link, visibly focused; Enter moves to the content
        page.goto(server + "/")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth, e.getBoundingClientRect().top]; })()"
        )
        assert focused[0] == "Skip to content" and focused[1] == "solid" and focused[2] != "0px" and focused[3] >= 0
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "q"  # straight to the search field
    finally:
        context.close()
