"""Slack text -> command words."""

from __future__ import annotations

from bot.adapters.slack.parse import (
    chat_kind,
    find_url,
    parse_command_line,
    strip_mentions,
    unwrap_links,
)


def test_unwrap_links_and_entities() -> None:
    assert unwrap_links("subscribe <https://example.com/feed?a=1&amp;b=2|example.com/feed>") == (
        "subscribe https://example.com/feed?a=1&b=2"
    )
    assert unwrap_links("<http://x.example>") == "http://x.example"
    assert unwrap_links("hi <@U1> &lt;3 <#C1|gen>") == "hi <@U1> <3 <#C1|gen>"
    assert unwrap_links("<mailto:a@b.c|a@b.c>") == "<mailto:a@b.c|a@b.c>"


def test_parse_command_line() -> None:
    line = parse_command_line("Subscribe <https://e.example/rss|e.example/rss> --private")
    assert (line.name, line.args, line.private) == ("subscribe", ("https://e.example/rss",), True)
    assert parse_command_line("").name == "help"
    assert parse_command_line("  schedule 07:30 Europe/Berlin weekdays ").args == (
        "07:30",
        "Europe/Berlin",
        "weekdays",
    )


def test_mentions_urls_and_chat_kind() -> None:
    assert (
        strip_mentions("<@UBOT> summary <https://x.example>", "UBOT")
        == "summary <https://x.example>"
    )
    assert strip_mentions("<@UOTHER> hi", "UBOT") == "<@UOTHER> hi"
    assert strip_mentions("<@UBOT|newsbot> hi") == "hi"
    assert find_url("look at https://x.example/a?b=1 please") == "https://x.example/a?b=1"
    assert find_url("nothing here") is None
    assert chat_kind("D024BE91L") == "private"
    assert chat_kind("C1", "directmessage") == "private"
    assert chat_kind("C1", "general") == "group"
    assert chat_kind("G1", "secret") == "group"
