"""Bounded Content-Encoding decoding: every layer stops at the cap, whatever the ratio."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from bot.sources.decode import (
    PIECE,
    BoundedDecoder,
    DecodedTooLarge,
    DecodeError,
    UnsupportedEncoding,
    parse_content_encoding,
)
from tests.fixtures.hostile import bomb

TEXT = ("<p>Le ministre a déclaré « nous verrons » hier soir.</p>\n" * 2000).encode()


def decode_all(body: bytes, encoding: str | None, cap: int, chunk: int = 4096) -> bytes:
    decoder = BoundedDecoder(encoding, cap)
    out = bytearray()
    for start in range(0, len(body), chunk):
        for piece in decoder.feed(body[start : start + chunk]):
            assert len(piece) <= PIECE
            out += piece
    return bytes(out)


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        (None, lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # raw deflate, as some servers send
        ("br", brotli.compress),
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
        ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
        ("br, deflate", lambda b: zlib.compress(brotli.compress(b))),
    ],
)
def test_round_trip(encoding: str | None, encode) -> None:  # type: ignore[no-untyped-def]
    body = encode(TEXT)
    assert decode_all(body, encoding, cap=len(TEXT)) == TEXT
    assert decode_all(body, encoding, cap=len(TEXT), chunk=7) == TEXT


def test_multi_member_gzip() -> None:
    body = gzip.compress(b"first ") + gzip.compress(b"second")
    assert decode_all(body, "gzip", cap=1000) == b"first second"


def test_exactly_the_cap_is_allowed_one_more_byte_is_not() -> None:
    body = gzip.compress(b"a" * 5000)
    assert len(decode_all(body, "gzip", cap=5000)) == 5000
    with pytest.raises(DecodedTooLarge):
        decode_all(body, "gzip", cap=4999)


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "br", "deflate, br"])
def test_bombs_stop_at_the_cap_inside_decompression(encoding: str) -> None:
    """A body that expands to 64 MB produces at most the cap plus one piece."""
    body = bomb(encoding, 64 * 1024 * 1024)
    cap = 1024 * 1024
    decoder = BoundedDecoder(encoding, cap)
    produced = 0
    with pytest.raises(DecodedTooLarge):
        for piece in decoder.feed(body):
            produced += len(piece)
    assert produced <= cap + PIECE
    assert len(body) < 100_000  # the attack: a small body on the wire


@pytest.mark.parametrize("name", ["zstd", "compress", "gzip, zstd", "bogus"])
def test_unknown_encodings_are_refused(name: str) -> None:
    with pytest.raises(UnsupportedEncoding) as info:
        BoundedDecoder(name, 1000)
    assert info.value.name in name


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_corrupt_data_is_a_decode_error(encoding: str) -> None:
    with pytest.raises(DecodeError):
        decode_all(b"\x1f\x8b\x08\x00this is not compressed at all" * 10, encoding, cap=10_000)


def test_parse_content_encoding_order_and_aliases() -> None:
    assert parse_content_encoding("gzip, identity, BR") == ["gzip", "br"]
    assert parse_content_encoding(" x-gzip ") == ["gzip"]
    assert parse_content_encoding(None) == []
