"""End to end in the terminal (issue 14): two feeds on loopback that share a story,
``newsbot digest --dry-run --layout brief`` prints one item per story, within one
Telegram message's 4,096 characters, with no key point repeating a quote; the
other layouts print too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.digest.layout import repeats
from tests.e2e_support import FIXTURES
from tests.support.http_server import Response
from tests.support.http_server import http_server as http_server

BRIDGE_TITLE = "Council approves riverside pedestrian bridge"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_summarizer: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setattr("bot.app.summarizer_factory", lambda settings: lambda: real_summarizer)


def _feed(base: str, title: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>" for p, t in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link>{entries}</channel></rss>")


def two_outlets(server: Any) -> Any:
    """Herald carries the bridge story and the heatwave; Times carries its own
    write-up of the bridge story (same event, different text) and a lab story."""
    base = server.base_url
    bridge = (FIXTURES / "pages" / "article_bridge.html").read_text()
    times = bridge.replace("The Riverside Herald", "The Riverside Times").replace(
        "<p>A public exhibition of the final design opens at the town hall on Saturday, and "
        "residents can comment online until 30 June.</p>", "")
    assert times != bridge
    pages = {
        "/herald/bridge": bridge,
        "/herald/heat": (FIXTURES / "pages" / "article_heatwave.html").read_text(),
        "/times/bridge": times,
        "/times/lab": (FIXTURES / "pages" / "article_lab_de.html").read_text(),
    }
    for path, html in pages.items():
        server.set(path, Response(html, content_type="text/html; charset=utf-8"))
    server.set("/herald.xml", Response(_feed(base, "Riverside Herald", [
        ("/herald/bridge", BRIDGE_TITLE), ("/herald/heat", "Heatwave warning for the weekend")]),
        content_type="application/rss+xml"))
    server.set("/times.xml", Response(_feed(base, "Riverside Times", [
        ("/times/bridge", BRIDGE_TITLE), ("/times/lab", "Universität eröffnet neues Batterielabor")]),
        content_type="application/rss+xml"))
    return server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_brief_terminal_digest_one_item_per_story(capsys: pytest.CaptureFixture[str],
                                                  http_server: Any) -> None:
    site = two_outlets(http_server())
    assert run(capsys, "feeds", "add", site.url("/herald.xml"))[0] == 0
    assert run(capsys, "feeds", "add", site.url("/times.xml"))[0] == 0
    code, out = run(capsys, "digest", "--dry-run", "--layout", "brief")
    assert code == 0
    assert len(out) <= 4096
    title = out.splitlines()[0]
    assert title.endswith("— 3 stories"), title
    assert out.count(BRIDGE_TITLE) == 1  # both outlets' bridge stories are one item
    assert "also The Riverside" in out
    # quotes are shown, credited to someone the bridge article quotes (and checked below)
    bridge_block = out.split("\n\n")[0]
    credited = [line.rsplit("” — ", 1)[-1] for line in bridge_block.splitlines()
                if line.strip().startswith("“")]
    assert credited and set(credited) <= {"Elena Varga", "Tom Baker", "Sofia Martins"}, out
    items = [block for block in out.split("\n\n") if block.strip()]
    for block in items:
        lines = [line.strip() for line in block.splitlines()]
        quotes = [line for line in lines if line.startswith("“")]
        assert len(quotes) <= 1
        points = [line for line in lines[1:] if not line.startswith(("“", "=")) and " · " not in line]
        for point in points:
            assert not any(repeats(point, q.split("” — ")[0].strip("“")) for q in quotes), block

    code, headlines = run(capsys, "digest", "--dry-run", "--layout", "headlines", "--no-refresh")
    assert code == 0 and sum(1 for line in headlines.splitlines() if line.startswith("• ")) == 3
    code, full = run(capsys, "digest", "--dry-run", "--layout", "full", "--no-refresh")
    assert code == 0 and "  • " in full and len(full) > len(out)
