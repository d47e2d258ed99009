"""extract_article, html_to_text and content_fingerprint on saved pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.extract.html import (
    Extracted,
    content_fingerprint,
    extract_article,
    guess_language,
    html_to_text,
)

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_news_article_text_and_metadata() -> None:
    result = extract_article(
        page("article_bridge.html"), "https://news.example.org/local/bridge-vote"
    )
    assert isinstance(result, Extracted)
    assert result.title == "Council approves riverside pedestrian bridge"
    assert result.author == "Ana Lopez"
    assert result.site_name == "The Riverside Herald"
    assert result.language == "en"
    assert result.date == datetime(2024, 5, 20, 6, 30, tzinfo=UTC)
    paragraphs = result.text.split("\n\n")
    assert len(paragraphs) == 7
    assert paragraphs[0].startswith("Riverside's city council voted seven to two")
    assert paragraphs[-1].startswith("A public exhibition")
    assert all(p == p.strip() and "\n" not in p for p in paragraphs)
    # quotes survive intact, with their attribution
    assert '"Right now the river is a wall," she said.' in result.text
    for noise in (
        "Read more", "Ferry service", "cookies", "Subscribe", "Comments", "Finally!",
        "artist's impression", "Share this", "Privacy", "dataLayer", "font-family",
        "Council approves riverside pedestrian bridge",  # the <h1> is the title, not body
    ):  # fmt: skip
        assert noise.lower() not in result.text.lower(), noise


def test_article_without_html_lang_guesses_language_from_og_locale() -> None:
    result = extract_article(page("article_heatwave.html"), "https://coastal.example/heat")
    assert result is not None
    assert result.language == "en"
    assert result.author == "Priya Shah"
    assert result.date == datetime(2024, 6, 14, 6, 0, tzinfo=UTC)
    assert result.site_name == "Coastal Times"
    assert "Advertisement" not in result.text and "Read more" not in result.text
    assert '"Nights will be the hardest part," said senior forecaster Daniel Ortiz.' in result.text


def test_german_article_drops_byline() -> None:
    result = extract_article(page("article_lab_de.html"), "https://stadt.example/wissen/labor")
    assert result is not None
    assert result.language == "de"
    assert result.author == "Lena Fischer"
    assert result.date == datetime(2024, 5, 17, tzinfo=UTC)
    assert result.text.startswith("Die Technische Universität hat am Freitag")
    assert "Von Lena Fischer" not in result.text
    assert "„Wir wollen zeigen" in result.text


@pytest.mark.parametrize("name", ["site_home.html", "no_feed.html"])
def test_pages_without_an_article(name: str) -> None:
    assert extract_article(page(name), "https://e.com/") is None


@pytest.mark.parametrize("junk", [b"", b"   ", b"\x00\x01\x02", "plain words, no markup"])
def test_junk_input(junk: bytes | str) -> None:
    assert extract_article(junk, "https://e.com/") is None


def test_str_and_bytes_agree() -> None:
    raw = page("article_lab_de.html")
    from_bytes = extract_article(raw, "https://e.com/")
    from_str = extract_article(raw.decode("utf-8"), "https://e.com/")
    assert from_bytes is not None and from_str is not None
    assert from_bytes.text == from_str.text


def test_latin1_page_is_decoded() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Caf\xe9 ferm\xe9</title></head><body><article>'
        + "<p>Le caf\xe9 de la place a ferm\xe9 ses portes apr\xe8s quarante ans, a annonc\xe9 la mairie.</p>"
        + "<p>Les habitués étaient nombreux à venir dire au revoir au patron, très ému, mardi soir.</p>"
        + "<p>Un nouveau propriétaire reprendra les lieux à l'automne pour y ouvrir une librairie.</p>"
        + "</article></body></html>"
    ).encode("latin-1")
    result = extract_article(html, "https://e.fr/cafe")
    assert result is not None and "Le café de la place a fermé" in result.text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One <b>bold</b> move.</p><p>Two.</p>", "One bold move.\n\nTwo."),
        ("Line one<br>line two<br/>line three", "Line one\nline two\nline three"),
        ("<div><p>A</p>\n\n\n<p>B</p></div>", "A\n\nB"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("Tom &amp; Jerry &lt;3 &quot;cheese&quot;", 'Tom & Jerry <3 "cheese"'),
        (
            "<p>Keep</p><script>alert(1)</script><style>p{}</style><!-- hidden -->tail",
            "Keep\n\ntail",
        ),
        ("<p>  spaced \t\u00a0 out  </p>", "spaced out"),
        ("<p>unclosed <i>tags", "unclosed tags"),
        ("", ""),
        (None, ""),
        ("<img src=x>", ""),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
    ],
)
def test_html_to_text(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


def test_fingerprint_ignores_case_whitespace_and_punctuation() -> None:
    a = content_fingerprint("It's a “great” day —  said the Mayor.\n\nNew paragraph!")
    b = content_fingerprint("its a great day said the mayor new paragraph")
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0
    assert content_fingerprint("its a great day said the mayor") != b
    assert content_fingerprint("Ｆｕｌｌ width") == content_fingerprint("full width")  # NFKC


def test_guess_language() -> None:
    english = "The mayor said that the bridge is going to be built in the spring and it will be open to the public for walkers and cyclists."
    german = "Die Stadt hat am Freitag bekannt gegeben, dass die Brücke im Frühjahr gebaut wird und dann für alle Fußgänger und Radfahrer offen ist."
    assert guess_language(english) == "en"
    assert guess_language(german) == "de"
    assert guess_language("Too short to tell.") is None
