"""Pure rendering: escaping, structure, splitting under 4,096 characters."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.adapters.telegram.callbacks import CallbackTokens
from bot.adapters.telegram.parsing import find_urls, just_a_link, parse_command
from bot.adapters.telegram.render import (
    html_to_plain,
    plain_payload,
    render_digest,
    render_reply,
    shown_len,
    split_line,
    utf16_len,
)
from bot.domain import ChatRef, Choice, Digest, Reply
from tests.adapters.telegram.helpers import make_story
from tests.support.fake_telegram import parse_telegram_html

ALLOWED = {"b", "i", "a", "blockquote"}


class _Balanced(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def assert_valid(text: str) -> None:
    parser = _Balanced()
    parser.feed(text)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    assert parser.tags <= ALLOWED, parser.tags
    assert shown_len(text) <= 4000  # as Telegram counts: after parsing the HTML
    parse_telegram_html(text)  # what the fake server (and Telegram) accept


def digest(n: int, **story_overrides: object) -> Digest:
    stories = tuple(
        make_story(
            f"https://example.com/{i}",
            article_id=i,
            title=f"Story {i} <script>x</script> & co",
            **story_overrides,
        )
        for i in range(n)
    )
    return Digest(
        chat=ChatRef("telegram", "1"),
        title="Morning <digest> & news",
        stories=stories,
        more_count=3,
        more_links=(
            ("Left out <1>", "https://example.com/m1"),
            ("Left out 2", "https://example.com/m2"),
        ),
    )


def test_story_is_escaped_and_structured() -> None:
    [payload] = render_reply(Reply(story=make_story()))
    text = payload["text"]
    assert payload["parse_mode"] == "HTML"
    assert payload["link_preview_options"] == {"is_disabled": True}
    assert (
        '<b><a href="https://example.com/a">Council &lt;b&gt;approves&lt;/b&gt; budget &amp; more</a></b>'
        in text
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert "<i>“We had no choice”</i> — Jane Doe" in text
    assert "<i>Example News · 24 Nov 2025, 17:54 UTC</i>" in text
    assert 'Also reported by: <a href="https://other.example/b">Other Paper</a>' in text
    assert_valid(text)


def test_non_http_links_are_not_linked() -> None:
    [payload] = render_reply(Reply(story=make_story("javascript:alert(1)")))
    title_line = payload["text"].split("\n")[0]
    assert title_line == "<b>Council &lt;b&gt;approves&lt;/b&gt; budget &amp; more</b>"


def test_long_digest_splits_between_stories_with_valid_html() -> None:
    payloads = render_digest(digest(60))
    assert len(payloads) > 1
    texts = [p["text"] for p in payloads]
    for text in texts:
        assert_valid(text)
        assert "<script>" not in text and "& " not in text.replace("&amp; ", "")
    joined = "\n\n".join(texts)
    for i in range(60):  # no story lost or cut: each title appears whole exactly once
        assert joined.count(f"Story {i} &lt;script&gt;x&lt;/script&gt; &amp; co</a>") == 1
    assert texts[0].startswith("<b>Morning &lt;digest&gt; &amp; news</b>")
    assert (
        "…and 3 more stories:" in texts[-1]
        and '<a href="https://example.com/m1">Left out &lt;1&gt;</a>' in texts[-1]
    )
    assert all(p["link_preview_options"] == {"is_disabled": True} for p in payloads)


def test_pathological_story_is_cut_at_lines_and_inside_only_when_it_must() -> None:
    monster = make_story(
        title="T" * 5000 + " & <end>",
        key_points=("word " * 3000, "short point", "é😀 " * 2500),
        key_quotes=(),
    )
    payloads = render_reply(Reply(text="Here:", story=monster))
    assert len(payloads) >= 4
    for p in payloads:
        assert_valid(p["text"])
    plain = "".join(html_to_plain(p["text"]) for p in payloads)
    assert plain.count("word") == 3000 and "short point" in plain and plain.count("😀") == 2500


def test_split_line_closes_and_reopens_tags() -> None:
    line = '<b><a href="https://x.example/">' + "abc &amp; " * 500 + "</a></b>"
    parts = split_line(line, 1000)
    assert len(parts) > 1
    for part in parts:
        assert part.startswith('<b><a href="https://x.example/">') and part.endswith("</a></b>")
        assert utf16_len(part) <= 1000
        assert_valid(part)
    assert "".join(html_to_plain(p) for p in parts).count("&") == 500


def test_one_message_per_story() -> None:
    payloads = render_digest(digest(4), per_story=True)
    assert len(payloads) == 5  # header+story 0, stories 1-3, the "more" tail
    assert "Story 0" in payloads[0]["text"] and "Morning" in payloads[0]["text"]
    assert all(sum(f"Story {i} " in p["text"] for i in range(4)) == 1 for p in payloads[:4])


def test_reply_text_escaped_and_keyboard_encoded() -> None:
    tokens = CallbackTokens()
    reply = Reply(
        text="Pick <one> & go",
        choices=(Choice("A", "list"), Choice("B", "unsubscribe " + "x" * 100)),
    )
    [payload] = render_reply(reply, tokens.encode)
    assert payload["text"] == "Pick &lt;one&gt; &amp; go"
    rows = payload["reply_markup"]["inline_keyboard"]
    datas = [row[0]["callback_data"] for row in rows]
    assert all(len(d.encode()) <= 64 for d in datas)
    assert [tokens.decode(d) for d in datas] == ["list", "unsubscribe " + "x" * 100]
    assert tokens.decode("t|unknown") is None


def test_callback_tokens_are_bounded() -> None:
    tokens = CallbackTokens(capacity=3)
    datas = [tokens.encode(f"unsubscribe https://example.com/{'y' * 60}/{i}") for i in range(5)]
    assert len(tokens) == 3
    assert tokens.decode(datas[0]) is None and tokens.decode(datas[4]) is not None


def test_plain_payload_fallback() -> None:
    payload = render_reply(Reply(story=make_story()))[0]
    plain = plain_payload(payload)
    assert "parse_mode" not in plain
    assert "Council <b>approves</b> budget & more (https://example.com/a)" in plain["text"]


def test_parsing_helpers() -> None:
    cmd = parse_command("/Summary@NewsBot  https://a.example/x  ")
    assert cmd is not None and (cmd.name, cmd.addressee, cmd.args) == (
        "summary",
        "NewsBot",
        ("https://a.example/x",),
    )
    assert parse_command("hello") is None
    assert find_urls("see (https://a.example/x_(y)), and https://b.example/z.") == [
        "https://a.example/x_(y)",
        "https://b.example/z",
    ]
    assert just_a_link("  https://a.example/x?q=1 ") == "https://a.example/x?q=1"
    assert just_a_link("look https://a.example/x") is None
