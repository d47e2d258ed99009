"""The lead image a page declares (og:image, else twitter:image) is kept with the article."""

from __future__ import annotations

from pathlib import Path

from bot.extract.html import extract_article

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "https://news.example.org/local/bridge-vote"


def with_meta(meta: str) -> bytes:
    page = (PAGES / "article_bridge.html").read_text(encoding="utf-8")
    return page.replace("<head>", "<head>\n  " + meta, 1).encode("utf-8")


def image(meta: str) -> str | None:
    result = extract_article(with_meta(meta), URL)
    assert result is not None
    return result.image_url


def test_og_image_is_read_and_made_absolute() -> None:
    assert image('<meta property="og:image" content="https://cdn.example.org/a.jpg">') == \
        "https://cdn.example.org/a.jpg"
    assert image('<meta property="og:image" content="/img/b.jpg">') == \
        "https://news.example.org/img/b.jpg"
    assert image('<meta name="twitter:image" content="https://cdn.example.org/t.jpg">') == \
        "https://cdn.example.org/t.jpg"


def test_no_image_or_an_unsafe_one_is_none() -> None:
    plain = extract_article((PAGES / "article_bridge.html").read_bytes(), URL)
    assert plain is not None and plain.image_url is None
    assert image('<meta property="og:image" content="javascript:alert(1)">') is None
    assert image('<meta property="og:image" content="data:image/png;base64,AAAA">') is None
    assert image(f'<meta property="og:image" content="https://x.example/{"a" * 3000}.jpg">') is None
