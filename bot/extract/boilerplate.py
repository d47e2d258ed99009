"""Recognise page furniture that must never become a key point or a quote.

News pages leave a lot of non-story text in the extracted article: photo
captions and credits, "Read more" links, newsletter and podcast plugs,
bylines and timestamps, cookie/subscription notices, "Scroll down for video".
:func:`is_boilerplate` judges one sentence; :func:`looks_like_caption` catches
captions that lost their line break and have no closing punctuation.
The patterns come from real CNN / Daily Mail pages (the cnndm dev set) and
common wire-service furniture; they are deliberately anchored so ordinary
story sentences that merely mention a photo or a podcast survive.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_I = re.IGNORECASE

_WHOLE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        # credits and captions
        r"^(?:photo|image|picture|video|graphic|illustration|source|credit)s?(?:\s+credits?)?\s*[:|]",
        r"^\(?(?:photo|image|picture)s?\s*(?:credit)?\s*[:/]?\s*(?:getty|ap|afp|reuters|pa|epa|shutterstock|rex)\b",
        r"(?:getty images|ap photo|afp photo|reuters/|shutterstock|rex features|/ ?pa wire)\W{0,3}$",
        r"^\s*(?:scroll|click)\s+down\b.*\bvideos?\b",
        r"^\s*(?:watch|video|pictured|above|below|left|right|inset|top|bottom)\s*[:)]",
        # links and plugs
        r"^\s*(?:read|click here|click|watch|listen|related|also read|learn more)\b.{0,40}"
        r"\b(?:more|here|story|stories|full|coverage|video|latest)\b\s*[:>.\-]*\s*$",
        r"^\s*read (?:more|next|the full)\b",
        r"^\s*(?:read more|related|recommended|more on this|see also|also see)\s*[:>-]",
        r"\bclick here\b",
        r"\b(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|briefing|updates|alerts|email)s?\b",
        r"\bnewsletter\b.{0,60}\b(?:sign up|subscribe|inbox|delivered)\b",
        r"\bwant a (?:quick|daily)\b.{0,40}\bbriefing\b",
        r"\blisten to (?:our|the) (?:latest )?podcasts?\b",
        r"\b(?:download|subscribe to) (?:our|the) (?:app|podcast)\b",
        r"\bhas the latest\b\W*$",
        r"^\s*(?:follow|like) (?:us|him|her|them|@\w+)\b.{0,40}\b(?:on )?(?:twitter|facebook|instagram|x)\b",
        r"^\s*follow @\w+",
        r"^\s*share (?:this|on)\b",
        r"^\s*(?:advertisement|sponsored|promoted)\s*$",
        # bylines and timestamps
        r"^\s*by\s*\.\s",
        r"\b(?:daily mail|mailonline|associated press|press association|sportsmail) reporters?\b\W*$",
        r"\b(?:published|updated|last updated)\s*:",
        r"^\s*(?:last )?updated\b.{0,40}\b(?:\d{1,2}:\d{2}|gmt|bst|est|edt|utc)\b",
        r"\bcontributed to this (?:report|story)\b",
        r"^\s*(?:copyright|©|\(c\))\b",
        r"\ball rights reserved\b",
        r"\bthis (?:article|story) (?:was|has been) (?:originally )?(?:published|updated|amended)\b",
        # cookies and paywalls
        r"\b(?:we|this site|this website) uses? cookies\b",
        r"\bcookie (?:policy|settings|preferences)\b",
        r"\b(?:subscribe|subscription|subscribers?) (?:now|today|only|to continue|to read)\b",
        r"\byou have reached your (?:free )?(?:article )?limit\b",
        r"\balready a subscriber\b",
        r"\benable javascript\b",
    )
)

# Case-sensitive: "By John Smith, Political Editor" but not "By the time he arrived, ..."
_BYLINE = re.compile(r"^\s*By\s*[.:]?\s+(?:[A-Z][\w'’.-]*\s*){1,4}(?:[.,|]|$|for\b|and\b|\b[A-Z]{2,})")

_CAPTION_MARKERS = re.compile(
    r"\((?:pictured|left|right|centre|center|top|bottom|inset|above|below|file(?: photo)?)\b[^)]*\)"
    r"|\bpictured\b|\b(?:left|right|centre|center)\s*,",
    _I,
)
_LABEL = re.compile(r"^[A-Z][\w'’-]*(?:[ \xa0][\w'’-]+){0,3}:[ \xa0]+\S")
_SAYS = re.compile(r"\b(?:said|says|added|told|explained|wrote|tweeted|replied|asked)\b", _I)
_TERMINAL = re.compile(r"[.!?。！？…][\"'’”»)\]]*\s*$")


def looks_like_caption(sentence: str) -> bool:
    """A caption glued into the text: 'Label: ...' or 'X (pictured) ...' with no closing stop."""
    text = sentence.strip()
    if not text or _TERMINAL.search(text):
        return False
    label = _LABEL.match(text)
    if label and not _SAYS.search(text[: text.index(":")]):
        return True
    return bool(_CAPTION_MARKERS.search(text))


_LABEL_SPEECH = re.compile(
    r"\b(?:said|says|added|told|explained|wrote|tweeted|replied|asked|statement|reads?|posted"
    r"|commented|captioned|quipped|joked|noted|insisted|warned|claimed|admitted)\b",
    _I,
)


# Labels that head real story text rather than a caption.
_NEWS_LABEL = re.compile(r"(?:update[d]?|breaking(?: news)?|exclusive|correction|analysis)$", _I)


def has_caption_label(sentence: str) -> bool:
    """A photo caption with its label kept: 'Tragic: The man was thrown off his bike.'

    Picture desks title captions with one to three words and a colon; when a
    page is flattened the caption lands in the story text with its full stop,
    so :func:`looks_like_caption` cannot see it. Such a sentence repeats the
    story and reads as furniture, so it never becomes a key point. A label
    that introduces speech (``He said: '...'``, ``The statement reads: ...``)
    is not a caption.
    """
    text = sentence.strip()
    label = _LABEL.match(text)
    if not label:
        return False
    head = text[: text.index(":")]
    if len(head.split()) > 3 or _LABEL_SPEECH.search(head) or _NEWS_LABEL.match(head):
        return False
    rest = text[text.index(":") + 1:].lstrip()
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def has_terminal_punctuation(sentence: str) -> bool:
    """True when the sentence ends like a sentence (., !, ?, CJK stops, optional closing quote)."""
    return bool(_TERMINAL.search(sentence))


def is_boilerplate(sentence: str) -> bool:
    """True when ``sentence`` is page furniture rather than story text."""
    text = " ".join(sentence.split())
    if not text:
        return True
    if not any(ch.isalpha() for ch in text):
        return True
    if _BYLINE.search(text) or any(p.search(text) for p in _WHOLE_PATTERNS):
        return True
    return looks_like_caption(text)
