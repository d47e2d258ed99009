"""The newsbot command, in process: help, summarize, feeds, digest, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from tests.e2e_support import FIXTURES, news_site
from tests.support.http_server import Response
from tests.support.http_server import http_server as http_server


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_summarizer: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setattr("bot.app.summarizer_factory", lambda settings: lambda: real_summarizer)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for name in ("run", "summarize", "feeds", "digest", "demo", "eval"):
        assert name in out
    for sub in (["feeds", "--help"], ["digest", "--help"], ["summarize", "--help"], ["eval", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(sub)
        assert "usage:" in capsys.readouterr().out


def test_summarize_files_and_stdin_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    html = FIXTURES / "pages" / "article_bridge.html"
    text = tmp_path / "story.txt"
    text.write_text('The mayor spoke on Monday.\n\n"We will rebuild the bridge," Mayor Jane Doe said. '
                    "The council agreed after a long debate about the cost of the project.\n")
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Plain text from stdin. It has two sentences."))
    code, out, _ = run(capsys, "summarize", str(html), str(text), "-", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in rows] == [str(html), str(text), "-"]
    for row in rows:
        assert {"source", "title", "url", "language", "key_points", "quotes", "key_quotes", "engine"} <= set(row)
    bridge = rows[0]
    assert bridge["key_points"] and bridge["quotes"]
    for q in bridge["quotes"]:
        assert set(q) == {"text", "speaker", "start", "end", "speaker_confidence",
                          "speaker_rule"} and q["end"] > q["start"]
        assert 0.0 <= q["speaker_confidence"] <= 1.0 and q["speaker_rule"]
    assert any(q["speaker"] == "Jane Doe" for q in rows[1]["quotes"])


def test_summarize_bad_sources_get_one_line_each(capsys: pytest.CaptureFixture[str], http_server: Any) -> None:
    site = http_server({"/gone": Response("nope", status=404),
                        "/doc.pdf": Response(b"%PDF-1.4", content_type="application/pdf")})
    code, out, err = run(capsys, "summarize", "missing.html", site.url("/gone"), site.url("/doc.pdf"))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "no such file" in lines[0] and "404" in lines[1] and ("pdf" in lines[2].lower())


def test_feeds_add_list_export_remove_and_digest(capsys: pytest.CaptureFixture[str], http_server: Any) -> None:
    site = news_site(http_server())
    code, out, _ = run(capsys, "feeds", "add", site.url("/rss.xml"))
    assert code == 0 and "added: Loopback Herald" in out
    code, out, _ = run(capsys, "feeds", "add", site.url("/rss.xml"))
    assert code == 0 and "already added" in out
    code, out, _ = run(capsys, "feeds", "list")
    assert "Loopback Herald" in out and "items: 2" in out
    code, out, _ = run(capsys, "feeds", "export")
    assert "<opml" in out and site.url("/rss.xml") in out

    code, out, _ = run(capsys, "digest", "--dry-run")
    assert code == 0 and "Heatwave" in out
    code, out, _ = run(capsys, "digest")
    assert code == 0 and "Heatwave" in out
    code, out, _ = run(capsys, "digest")
    assert "Nothing new" in out
    code, out, _ = run(capsys, "digest", "--status")
    assert "1 sent" in out

    code, out, _ = run(capsys, "feeds", "remove", site.url("/rss.xml"))
    assert code == 0 and "removed" in out
    code, _, err = run(capsys, "feeds", "remove", "42")
    assert code == 1 and "no feed '42'" in err


def test_feeds_add_not_a_feed_and_private_address(capsys: pytest.CaptureFixture[str], http_server: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = http_server({"/page": Response("<html><body>hi</body></html>", content_type="text/html")})
    code, _, err = run(capsys, "feeds", "add", site.url("/page"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "feed" in err
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS", "false")
    code, _, err = run(capsys, "feeds", "add", site.url("/rss.xml"))
    assert code == 1 and ("private" in err.lower() or "loopback" in err.lower())


def test_opml_import_keeps_the_good_and_lists_the_bad(capsys: pytest.CaptureFixture[str], http_server: Any,
                                                      tmp_path: Path) -> None:
    site = news_site(http_server())
    opml = tmp_path / "feeds.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="good" type="rss" xmlUrl="{site.url('/rss.xml')}"/>
      <outline text="no url" type="rss"/>
      <outline text="ftp" type="rss" xmlUrl="ftp://example.com/feed"/>
    </body></opml>""")
    code, out, err = run(capsys, "feeds", "import", str(opml))
    assert code == 0 and "imported 1 of 3" in out
    assert err.count("skipped") == 2


def test_invalid_config_is_one_line_exit_2(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_POLL_INTERVAL_MINUTES", "often")
    code, out, err = run(capsys, "feeds", "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "poll_interval_minutes" in err


def test_digest_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "digest", "--chat", "nowhere")
    assert code == 1 and "PLATFORM:ID" in err
    code, _, err = run(capsys, "digest", "--since", "last tuesday")
    assert code == 1 and "--since" in err
