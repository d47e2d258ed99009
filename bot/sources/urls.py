"""URL canonicalization: one spelling per article, so duplicates can be found.

``canonicalize_url`` is deliberately conservative: it only applies changes that
cannot change which resource a server returns (case of scheme/host, default
ports, fragments, query parameter order) plus the removal of well-known
click-tracking parameters. It never touches the path's case or encoding.
"""

from __future__ import annotations

import logging
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

import idna

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters that only track clicks; removed by ``canonicalize_url``.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "spm",
    }
)
#: Prefixes of tracking parameters (``utm_source``, ``utm_medium``...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "__hs")


def is_tracking_param(name: str) -> bool:
    """True for query parameter names that only track clicks."""
    key = name.strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _idna_host(host: str) -> str:
    """Lower-case ``host`` and encode an internationalised name as IDNA (punycode)."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        # Not a valid IDN; keep the lower-cased unicode rather than fail.
        return host


def _netloc(parts: SplitResult, scheme: str) -> str:
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else _idna_host(host)  # ":" only in IPv6 literals
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"invalid port in URL: {parts.geturl()}") from None
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    userinfo, sep, _ = parts.netloc.rpartition("@")
    if sep:
        netloc = f"{userinfo}@{netloc}"
    return netloc


def _clean_query(query: str) -> str:
    """Drop tracking parameters and sort the rest, keeping their exact encoding."""
    if not query:
        return ""
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = unquote_plus(piece.split("=", 1)[0])
        if is_tracking_param(name):
            continue
        kept.append(piece)
    kept.sort()
    return "&".join(kept)


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of an absolute URL.

    Lower-cases scheme and host (IDNA-encoding international hosts), drops
    default ports, the fragment and tracking parameters (``utm_*``, ``fbclid``,
    ``gclid``, ``mc_cid``, ... see :data:`TRACKING_PARAMS`), sorts the remaining
    query parameters (their encoding is kept byte for byte) and spells an empty
    path as ``/``. Raises ``ValueError`` for a URL without scheme or host.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc or not parts.hostname:
        raise ValueError(f"not an absolute URL: {url!r}")
    netloc = _netloc(parts, scheme)
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def try_canonicalize(url: str) -> str:
    """``canonicalize_url`` that returns ``url`` unchanged instead of raising."""
    try:
        return canonicalize_url(url)
    except ValueError:
        return url.strip()


def _split_authority(url: str) -> tuple[str, str, str] | None:
    """``(before, userinfo, after)`` when ``url``'s authority holds a user-info part."""
    text = url.strip()
    norm = text.replace("\\", "/")  # browsers and httpx read "\\" as "/" in http(s) URLs
    scheme_end = norm.find("//")
    if scheme_end < 0:
        return None
    start = scheme_end + 2
    end = len(text)
    for stop in ("/", "?", "#"):
        pos = norm.find(stop, start)
        if 0 <= pos < end:
            end = pos
    authority = text[start:end]
    at = authority.rfind("@")
    if at < 0:
        return None
    return text[:start], authority[:at], text[start + at + 1 :]


def has_userinfo(url: str) -> bool:
    """True when ``url`` carries a user name or password (``http://user:pass@host/``).

    Such URLs are refused everywhere: httpx would send them as Basic auth, and
    they would be echoed in replies and stored.
    """
    return _split_authority(url) is not None


def redact_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` part removed (for messages and logs)."""
    parts = _split_authority(url)
    if parts is None:
        return url
    before, _userinfo, after = parts
    return before + after
