"""CPU-heavy parsing off the event loop, each job with its own bounds.

Parsing a feed, extracting an article or reading a page's ``<link>`` tags is
pure CPU; on the event loop a 10 MB feed froze the whole bot (Telegram
updates, other fetches, deliveries) for 40 s. So:

* inputs under :data:`SUBPROCESS_MIN_BYTES` run in a small dedicated thread
  pool (:data:`THREADS` threads, so parsing cannot crowd out DNS lookups in
  the loop's default pool). The GIL is still shared, but Python hands it
  back to the loop every few milliseconds;
* bigger inputs run in a fresh subprocess (``python -m bot.sources.worker``)
  with an address-space limit of :data:`WORKER_MEMORY_MB` and a CPU-time
  limit, killed at :data:`WORKER_TIMEOUT_S` wall time: a pathological
  document costs one short-lived process, never the bot's memory or loop.
  At most :data:`MAX_WORKERS` run at once.

Every job returns a value or raises a :class:`~bot.errors.NewsbotError`
subclass with one line; nothing else escapes (a bug in a parser, a
RecursionError on deep nesting, a worker killed by its limits).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from bot.errors import ExtractionError, FeedError, NewsbotError

if TYPE_CHECKING:
    from bot.domain import Article
    from bot.extract.html import Extracted
    from bot.records import FeedCopy
    from bot.sources.feeds import ParsedFeed

logger = logging.getLogger(__name__)

#: Inputs at least this large are parsed in a subprocess.
SUBPROCESS_MIN_BYTES = 1024 * 1024
THREADS = 2
MAX_WORKERS = 2
WORKER_MEMORY_MB = 1024
WORKER_TIMEOUT_S = 60.0

_threads: ThreadPoolExecutor | None = None
_workers: asyncio.Semaphore | None = None
_workers_loop: asyncio.AbstractEventLoop | None = None


def _pool() -> ThreadPoolExecutor:
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="newsbot-parse")
    return _threads


def _worker_slots() -> asyncio.Semaphore:
    global _workers, _workers_loop
    loop = asyncio.get_running_loop()
    if _workers is None or _workers_loop is not loop:
        _workers, _workers_loop = asyncio.Semaphore(MAX_WORKERS), loop
    return _workers


# ------------------------------------------------------------------ the jobs
# Each runs in a thread or in the worker process; each returns or raises NewsbotError.


def job_parse_feed(
    content: bytes, url: str, headers: Mapping[str, str] | None, max_entries: int | None
) -> Any:
    """Parse a feed and turn every entry's HTML into text (so nothing of it runs on the loop)."""
    from dataclasses import replace

    from bot.extract.html import html_to_text
    from bot.sources.feeds import parse_feed

    parsed = parse_feed(content, url, headers, max_entries=max_entries)
    entries = [
        replace(e, text=html_to_text(e.content_html) if e.content_html else "")
        for e in parsed.entries
    ]
    return replace(parsed, entries=entries)


def job_extract_page(content: bytes, url: str) -> Any:
    """The page's main text and its fingerprint (NFKC over megabytes is not for the loop)."""
    from bot.extract.html import content_fingerprint, extract_article

    extracted = extract_article(content, url)
    if extracted is None:
        return None
    return extracted, content_fingerprint(extracted.text)


def job_article_from_feed(feed: Any, note: str, url: str | None) -> Any:
    from bot.sources.articles import article_from_feed

    return article_from_feed(feed, note, url=url)


def job_find_feed_links(content: bytes, url: str) -> Any:
    from bot.sources.discovery import find_feed_links

    return find_feed_links(content, url)


JOBS: dict[str, Callable[..., Any]] = {
    "feed": job_parse_feed,
    "article": job_extract_page,
    "feed-article": job_article_from_feed,
    "links": job_find_feed_links,
}
_ERRORS: dict[str, type[NewsbotError]] = {
    "feed": FeedError,
    "article": ExtractionError,
    "feed-article": ExtractionError,
    "links": FeedError,
}


def run_job(job: str, args: tuple[Any, ...], url: str) -> Any:
    """Run ``job`` here and now; every failure becomes the job's one-line error."""
    error = _ERRORS[job]
    try:
        return JOBS[job](*args)
    except NewsbotError:
        raise
    except RecursionError:
        raise error(f"{url} is nested too deeply to read") from None
    except MemoryError:
        raise error(f"{url} needs too much memory to read") from None
    except Exception as exc:  # a parser bug must not escape as a traceback
        logger.warning("parsing %s failed: %r", url, exc)
        raise error(f"could not read {url} ({type(exc).__name__})") from None


async def offload(job: str, args: tuple[Any, ...], *, url: str, size: int) -> Any:
    """Run ``job(*args)`` off the event loop: a thread for small inputs, a worker
    process for ``size`` >= :data:`SUBPROCESS_MIN_BYTES`."""
    if size < SUBPROCESS_MIN_BYTES:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_pool(), run_job, job, args, url)
    async with _worker_slots():
        return await _in_worker(job, args, url)


async def _in_worker(job: str, args: tuple[Any, ...], url: str) -> Any:
    error = _ERRORS[job]
    payload = pickle.dumps((job, args, url), protocol=pickle.HIGHEST_PROTOCOL)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sources.worker",
        str(WORKER_MEMORY_MB),
        str(int(WORKER_TIMEOUT_S)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(WORKER_TIMEOUT_S):
            out, err = await proc.communicate(payload)
    except TimeoutError:
        raise error(f"reading {url} took longer than {WORKER_TIMEOUT_S:g}s; gave up") from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0 or not out:
        code = proc.returncode or 0
        why = (
            f"killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals()
            else f"exit status {code}"
        )
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
        logger.warning("parse worker for %s failed (%s) %s", url, why, tail[0] if tail else "")
        if b"MemoryError" in (err or b""):
            raise error(f"{url} needs more than {WORKER_MEMORY_MB} MB to read; gave up")
        raise error(f"could not read {url} (the parser stopped: {why})")
    status, value = pickle.loads(out)
    if status == "ok":
        return value
    kind, message = value
    raise (FeedError if kind == "FeedError" else ExtractionError if kind == "ExtractionError"
           else error)(message)


async def parse_feed_async(
    content: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    max_entries: int | None = None,
) -> ParsedFeed:
    """:func:`bot.sources.feeds.parse_feed` off the event loop; entries also get
    ``FeedEntry.text``. Raises :class:`FeedError` (one line)."""
    parsed = await offload(
        "feed", (content, url, dict(headers or {}), max_entries), url=url, size=len(content)
    )
    return cast("ParsedFeed", parsed)


async def extract_page_async(content: bytes, url: str) -> tuple[Extracted, str] | None:
    """:func:`bot.extract.html.extract_article` and the text's
    :func:`~bot.extract.html.content_fingerprint`, off the event loop (None: no main text)."""
    found = await offload("article", (content, url), url=url, size=len(content))
    return cast("tuple[Extracted, str] | None", found)


async def article_from_feed_async(feed: FeedCopy, note: str, *, url: str | None = None) -> Article:
    """:func:`bot.sources.articles.article_from_feed` (fingerprint, language) off the event loop."""
    article = await offload(
        "feed-article", (feed, note, url), url=url or feed.url, size=len(feed.text)
    )
    return cast("Article", article)


async def find_feed_links_async(content: bytes, url: str) -> list[str]:
    """:func:`bot.sources.discovery.find_feed_links` off the event loop."""
    links: list[str] = await offload("links", (content, url), url=url, size=len(content))
    return links
