"""End to end: two outlets served on loopback tell two of the same stories in
their own words; ``newsbot digest --dry-run`` (real fetch, extraction,
MiniLM summaries and story assignment at ingestion) shows each shared story
once, with the other outlet credited, and each outlet's own story too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import cli
from tests.support.http_server import LoopbackServer, Response
from tests.support.http_server import http_server as http_server

PUBLISHED = "Tue, 01 Dec 2026 06:00:00 GMT"

FIRE = ("Fire rips through Lisbon warehouse district overnight",
        "LISBON — A blaze tore through a row of warehouses near the Lisbon docks overnight, "
        "forcing about 200 residents from their homes, firefighters said on Tuesday. No one was "
        "hurt, and the cause of the fire was not yet known.")
FIRE_REWRITE = ("Hundreds evacuated as blaze guts Portuguese dockside storage buildings",
                "Around 200 people were moved out of their homes after flames engulfed warehouses "
                "by the docks in Portugal's capital late on Monday, the city's fire service said. "
                "There were no injuries; investigators have not said what started it.")
TRAM = ("Two killed as tram derails in central Lisbon",
        "LISBON — Two people were killed and 14 injured when a tram left the rails on a steep "
        "street in central Lisbon on Tuesday morning, emergency services said. The city "
        "suspended the line while inspectors examine the brakes.")
TRAM_REWRITE = ("Lisbon tram derailment leaves two dead and 14 hurt",
                "Two people died and 14 were injured on Tuesday morning when a tram derailed on a "
                "steep street in the centre of Lisbon, according to emergency services. The line "
                "has been suspended and inspectors are examining the tram's brakes.")
LIBRARY = ("Oslo library extends Friday opening hours",
           "The central library in Oslo will stay open until nine on Fridays from January, the "
           "city council said, after a survey found students wanted evening study space.")
SCHOOL = ("Helsinki schools to serve free breakfast from spring",
          "Every primary school in Helsinki will serve a free breakfast from March, the "
          "education board decided on Monday, at a cost of four million euros a year.")


def page(outlet: str, title: str, lead: str) -> str:
    more = ("Officials said more details would be given later in the day. "
            "Residents were asked to follow the advice of local authorities. ") * 2
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - {outlet}</title>'
            f'<meta property="og:site_name" content="{outlet}"><meta property="og:locale" '
            f'content="en_US"></head><body><div id="content"><h1>{title}</h1>'
            f"<p>{lead}</p><p>{more}</p><p>{more}</p></div></body></html>")


def outlet(server: LoopbackServer, name: str, stories: list[tuple[str, str, str]]) -> LoopbackServer:
    base = server.base_url
    items = "".join(
        f"<item><title>{title}</title><link>{base}/{slug}</link><guid>{base}/{slug}</guid>"
        f"<pubDate>{PUBLISHED}</pubDate><description>{lead}</description></item>"
        for slug, title, lead in stories)
    server.set("/rss.xml", Response(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>{base}/</link>{items}</channel></rss>", content_type="application/rss+xml"))
    for slug, title, lead in stories:
        server.set(f"/{slug}", Response(page(name, title, lead),
                                        content_type="text/html; charset=utf-8"))
    return server


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_summarizer: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'stories.db'}")
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setattr("bot.app.summarizer_factory", lambda settings: lambda: real_summarizer)


def test_two_outlets_sharing_stories_show_each_story_once(
        capsys: pytest.CaptureFixture[str], http_server: Any) -> None:
    gazette = outlet(http_server(), "Lisbon Gazette",
                     [("fire", *FIRE), ("tram", *TRAM), ("library", *LIBRARY)])
    courier = outlet(http_server(), "Iberian Courier",
                     [("blaze", *FIRE_REWRITE), ("derail", *TRAM_REWRITE), ("school", *SCHOOL)])
    for site in (gazette, courier):
        assert cli.main(["feeds", "add", site.url("/rss.xml")]) == 0
    capsys.readouterr()

    assert cli.main(["digest", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "— 4 stories" in out.splitlines()[0]
    fire = sum(out.count(title) for title in (FIRE[0], FIRE_REWRITE[0]))
    tram = sum(out.count(title) for title in (TRAM[0], TRAM_REWRITE[0]))
    assert fire == 1 and tram == 1, out
    assert out.count(LIBRARY[0]) == 1 and out.count(SCHOOL[0]) == 1
    # Each shared story's item names both outlets (the head's, and the other credited,
    # whatever the chat's layout); each outlet's own story names only its outlet.
    blocks = [b for b in out.split("\n\n") if b.strip()]
    for titles in ((FIRE[0], FIRE_REWRITE[0]), (TRAM[0], TRAM_REWRITE[0])):
        [block] = [b for b in blocks if any(t in b for t in titles)]
        assert "Lisbon Gazette" in block and "Iberian Courier" in block, block
    [library] = [b for b in blocks if LIBRARY[0] in b]
    assert "Iberian Courier" not in library

    # Delivered once, a story is not delivered again when nothing new comes.
    assert cli.main(["digest"]) == 0
    capsys.readouterr()
    assert cli.main(["digest", "--dry-run"]) == 0
    assert "Nothing new" in capsys.readouterr().out
