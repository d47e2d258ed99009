"""canonicalize_url: one spelling per resource."""

from __future__ import annotations

import pytest

from bot.sources.urls import canonicalize_url, is_tracking_param, try_canonicalize


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=rss&utm_medium=feed&id=7",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2", "https://example.com/a"),
        ("https://example.com/a?igshid=1&ref_src=twsrc&b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/?UTM_Source=x&q=1", "https://example.com/?q=1"),
        # encoding of kept parameters is preserved byte for byte
        ("https://example.com/s?q=a%20b&x=%2F", "https://example.com/s?q=a%20b&x=%2F"),
        ("https://example.com/Path/Case", "https://example.com/Path/Case"),
        ("https://bücher.example/katalog", "https://xn--bcher-kva.example/katalog"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  https://example.com/a?  ", "https://example.com/a"),
        ("https://user:pw@Example.com/", "https://user:pw@example.com/"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonical_is_idempotent() -> None:
    once = canonicalize_url("HTTPS://News.Example.org:443/a/b?z=1&utm_campaign=x&a=2#top")
    assert once == "https://news.example.org/a/b?a=2&z=1"
    assert canonicalize_url(once) == once


@pytest.mark.parametrize("bad", ["", "example.com/a", "/relative/path", "mailto:"])
def test_rejects_non_absolute(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute URL"):
        canonicalize_url(bad)
    assert try_canonicalize(bad) == bad.strip()


def test_tracking_param_names() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("FBCLID")
    assert not is_tracking_param("id")
    assert not is_tracking_param("page")
