"""Bounded decoding of HTTP bodies (``Content-Encoding``), one piece at a time.

Why not let httpx decode: its decoders have no output limit, so one network
chunk of a brotli or ``gzip, gzip`` bomb (3 KB on the wire) expands to
gigabytes inside a single ``decode()`` call before any size check can run,
holding the event loop for seconds. Here every layer is asked for at most
:data:`PIECE` bytes of output per call, each layer's output is counted, and
decoding stops with :class:`DecodedTooLarge` as soon as any layer passes the
cap. Memory is therefore bounded by the cap plus a few pieces, and CPU by the
work needed to produce the cap, whatever the compression ratio.

Layers are undone in reverse order of ``Content-Encoding`` (``gzip, br`` was
gzipped first, then brotli'd). ``identity`` is a no-op; anything else
(``zstd``, ``compress``, typos) is refused with :class:`UnsupportedEncoding`
rather than handed on as garbage. We only advertise what we decode
(:data:`ACCEPT_ENCODING`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli

#: Most bytes one layer may return from one call.
PIECE = 64 * 1024
#: The Accept-Encoding we send: exactly what :class:`BoundedDecoder` decodes.
ACCEPT_ENCODING = "gzip, deflate, br"
_ALIASES = {"x-gzip": "gzip", "x-deflate": "deflate"}


class DecodeError(Exception):
    """The compressed body is corrupt."""


class UnsupportedEncoding(DecodeError):
    """A ``Content-Encoding`` newsbot cannot decode (``name`` says which)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unsupported Content-Encoding {name!r}")
        self.name = name


class DecodedTooLarge(Exception):
    """Decoding passed the cap (``cap`` bytes); the body is abandoned."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"decoded body larger than {cap} bytes")
        self.cap = cap


class _Layer(Protocol):
    def decode(self, data: bytes, limit: int) -> bytes:
        """Take ``data`` (kept if not consumed) and return at most ``limit`` bytes."""

    def has_more(self) -> bool:
        """True while input is buffered or output may be pending."""


class _ZlibLayer:
    """gzip (several members allowed) or deflate (zlib-wrapped, or raw as some servers send)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._wbits = zlib.MAX_WBITS | 16 if kind == "gzip" else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._tail = b""
        self._full = False  # the last call stopped at its limit: output may be pending
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        buf = self._tail + data if self._tail else data
        if not buf and not self._full:
            return b""
        try:
            out = self._d.decompress(buf, limit)
        except zlib.error as exc:
            if self.kind == "deflate" and not self._started:
                # "deflate" without the zlib wrapper: retry as raw deflate.
                self._wbits = -zlib.MAX_WBITS
                self._d = zlib.decompressobj(self._wbits)
                self._started = True
                return self.decode(buf, limit)
            raise DecodeError(f"corrupt {self.kind} data ({exc})") from None
        self._started = True
        self._tail = self._d.unconsumed_tail
        self._full = len(out) >= limit
        if self._d.eof:
            rest = self._d.unused_data
            if self.kind == "gzip" and rest.lstrip(b"\0").startswith(b"\x1f\x8b"):
                self._d = zlib.decompressobj(self._wbits)  # next gzip member
                self._tail = rest
            else:
                self._tail = b""
        return out

    def has_more(self) -> bool:
        return bool(self._tail) or self._full


class _BrotliLayer:
    """Brotli with an output limit per call (brotli >= 1.2's ``output_buffer_limit``).

    That limit stops the output buffer from *growing* once it is reached, so a
    call may return somewhat more; the surplus is held back and handed out
    first on the next call, so no call returns more than ``limit``.
    """

    def __init__(self) -> None:
        self._d = brotli.Decompressor()
        self._tail = b""
        self._held = b""
        self._full = False  # the last call reached its limit: output may be pending

    def decode(self, data: bytes, limit: int) -> bytes:
        if data:
            self._tail += data
        if not self._held and (self._tail or self._full):
            try:
                if self._d.can_accept_more_data():
                    buf, self._tail = self._tail, b""
                else:
                    buf = b""
                self._held = bytes(self._d.process(buf, output_buffer_limit=limit))
            except brotli.error as exc:
                raise DecodeError(f"corrupt br data ({exc})") from None
            self._full = len(self._held) >= limit and not self._d.is_finished()
        out, self._held = self._held[:limit], self._held[limit:]
        return out

    def has_more(self) -> bool:
        return bool(self._tail) or bool(self._held) or self._full


def _layer(name: str) -> _Layer:
    if name in ("gzip", "deflate"):
        return _ZlibLayer(name)
    if name == "br":
        return _BrotliLayer()
    raise UnsupportedEncoding(name)


def parse_content_encoding(value: str | None) -> list[str]:
    """The encodings of ``value`` in the order they were applied (identity dropped)."""
    names = [n.strip().lower() for n in (value or "").split(",")]
    return [_ALIASES.get(n, n) for n in names if n and n != "identity"]


class BoundedDecoder:
    """Undo ``content_encoding`` on a body fed in raw network chunks, at most ``cap`` bytes.

    ``feed(raw)`` yields decoded pieces (each at most :data:`PIECE` bytes);
    it raises :class:`DecodedTooLarge` as soon as the decoded body (or any
    intermediate layer) passes ``cap``, :class:`UnsupportedEncoding` at
    construction for an encoding it does not know, :class:`DecodeError` for
    corrupt data.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        self.encodings = parse_content_encoding(content_encoding)
        self._layers = [_layer(name) for name in reversed(self.encodings)]
        self._produced = [0] * (len(self._layers) + 1)

    @property
    def size(self) -> int:
        """Decoded bytes so far."""
        return self._produced[-1]

    def feed(self, raw: bytes) -> Iterator[bytes]:
        yield from self._push(0, raw)

    def _count(self, index: int, size: int) -> None:
        self._produced[index] += size
        if self._produced[index] > self.cap:
            raise DecodedTooLarge(self.cap)

    def _push(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                self._count(index, len(data))
                yield data
            return
        layer = self._layers[index]
        first = True
        idle = 0
        while first or layer.has_more():
            out = layer.decode(data if first else b"", PIECE)
            first = False
            if out:
                idle = 0
                self._count(index, len(out))
                yield from self._push(index + 1, out)
            else:
                idle += 1
                if idle > 2:  # no progress without more input
                    break
