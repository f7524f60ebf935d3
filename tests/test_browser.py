"""Pages as a browser renders them: Debian's headless Chromium loads the home page, a record, a person and the SPARQL
query page from a real `docket serve`, and the tests read the DOM Chromium built (``--dump-dom``, after scripts ran).
A record whose title and text carry ``<script>document.title='pwned'</script>`` must not run that script.

Without chromium the tests skip, except under CI=true where they fail (``require_tool``); ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DocketServer, free_port, require_tool, shared_dir
from ld.cli import main

pytestmark = pytest.mark.slow

CORPUS = shared_dir() / "corpus"
KOHL = "kohl-conversation-guterres-1997-10-22.txt"  # record 300241
KOHL_TITLE = "The Chancellor's [Helmut Kohl's] Conversation with Portuguese Prime Minister Guterres"
PWNED_ID = "pwned-1"
PAYLOAD = "<script>document.title='pwned'</script>"
# The flags that work on this machine (see the environment notes): no sandbox as root, and no background networking,
# whose connections the closed network refuses.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


class Dom(HTMLParser):
    """What the tests read from a dumped DOM: the title, the h1, the texts of the links to each href, and the
    contents of the scripts."""

    def __init__(self, html: str):
        super().__init__()
        self.title = self.h1 = ""
        self.links: dict[str, list[str]] = {}
        self.scripts: list[str] = []
        self._open: list[str] = []
        self._href: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._open.append(tag)
        if tag == "a":
            self._href = dict(attrs).get("href")
            if self._href is not None:
                self.links.setdefault(self._href, []).append("")
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        where = self._open[-1] if self._open else ""
        if where == "title":
            self.title += data
        elif "h1" in self._open:
            self.h1 += data
        if where == "script":
            self.scripts[-1] += data
        if self._href is not None:
            self.links[self._href][-1] += data


class Chromium:
    """Debian's chromium, headless, one process group per call (killed whole if it hangs), a profile in tmp."""

    def __init__(self, executable: str, profile: Path):
        self.executable, self.profile = executable, profile

    def run(self, *args: str, timeout: float = 60.0) -> str:
        command = [self.executable, *FLAGS, f"--user-data-dir={self.profile}", *args]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout)
        finally:
            try:  # chromium's helpers (zygote, renderer) share its group: none outlives the call
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        assert process.returncode == 0, f"chromium failed ({process.returncode}): {err.decode()[-2000:]}"
        return out.decode("utf-8")

    def dom(self, url: str) -> Dom:
        """The DOM after the page loaded and its scripts ran (with time to run them)."""
        return Dom(self.run("--virtual-time-budget=2000", "--dump-dom", url))


def pwned_record(folder: Path) -> Path:
    """A JSON record whose title, summary and text try to set the page title by script."""
    record = {"date": "1955-12-06", "record_id": PWNED_ID, "title": f"Journal {PAYLOAD} of Ivanov",
              "summary": f"A summary. {PAYLOAD}<img src=x onerror=\"document.title='pwned'\">",
              "text": f"{PAYLOAD}<p>I visited Nam Il at his invitation.</p>", "people": ["Nam Il"]}
    path = folder / "pwned.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def chromium(tmp_path_factory) -> Chromium:
    return Chromium(require_tool("chromium", "chromium"), tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture(scope="module")
def site(chromium, tmp_path_factory):
    """The base URL of `docket serve --workers 2` over the Kohl record and the script-laden one (chromium first:
    without it nothing is started)."""
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store = folder / "store"
    for path in (CORPUS / KOHL, pwned_record(folder)):
        assert main(["ingest", str(path), "--store", str(store), "--base-uri", base, "--quiet"]) == 0
    with DocketServer(store, base, port, folder / "serve.log", workers=2) as server:
        yield base
        assert server.process.poll() is None, f"the server died during the tests:\n{server.log()[-3000:]}"


def test_chromium_runs_page_scripts(chromium, tmp_path):
    """The control: the same payload in a page of our own does run, so a title other than 'pwned' below means the
    server neutralised it, not that the browser ran no script."""
    page = tmp_path / "control.html"
    page.write_text(f"<!doctype html><title>before</title>{PAYLOAD}", encoding="utf-8")
    assert chromium.dom(page.as_uri()).title == "pwned"


def test_home_page(chromium, site):
    dom = chromium.dom(site)
    assert dom.title.endswith("docket")
    assert {"/sparql", "/browse/document", "/browse/person", "/doc/document/300241"} <= set(dom.links)
    assert dom.links["/doc/document/300241"][0].startswith(KOHL_TITLE)


def test_record_page(chromium, site):
    dom = chromium.dom(f"{site}doc/document/300241")
    assert dom.title.startswith(KOHL_TITLE) and dom.h1.strip().startswith(KOHL_TITLE)
    assert "Helmut Kohl" in dom.links.get("/doc/person/helmut-kohl", [])
    assert {"/doc/document/300241.ttl", "/doc/document/300241.jsonld"} <= set(dom.links)  # every other format


def test_entity_page(chromium, site):
    dom = chromium.dom(f"{site}doc/person/helmut-kohl")
    assert dom.title.startswith("Helmut Kohl") and dom.h1.strip() == "Helmut Kohl"
    assert dom.links["/doc/document/300241"][0].startswith(KOHL_TITLE)  # the record that mentions him


def test_query_page(chromium, site, tmp_path):
    dom = chromium.dom(f"{site}sparql")
    assert dom.title.startswith("SPARQL") and "SPARQL" in dom.h1
    html = chromium.run("--virtual-time-budget=2000", "--dump-dom", f"{site}sparql")
    assert '<form method="post" action="/sparql">' in html and "<textarea" in html and "SELECT" in html
    # A screenshot as a sanity check that the page renders to pixels at all (a PNG, not blank-sized).
    shot = tmp_path / "sparql.png"
    chromium.run(f"--screenshot={shot}", "--window-size=1200,900", "--hide-scrollbars", f"{site}sparql")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000


def test_record_content_runs_no_script(chromium, site):
    dom = chromium.dom(f"{site}doc/document/{PWNED_ID}")
    assert dom.title != "pwned" and "pwned" in dom.title  # the payload is shown as text, not run
    assert PAYLOAD in dom.h1  # the h1 shows the markup literally
    assert all("pwned" not in script for script in dom.scripts)
    # The names and the record on the entity page are escaped too.
    entity = chromium.dom(f"{site}doc/person/nam-il")
    assert entity.h1.strip() == "Nam Il" and entity.title != "pwned"
    assert chromium.dom(site).title != "pwned"  # the home page lists the record's title
