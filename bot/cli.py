"""The ``newsbot`` command.

Every subcommand fails with one clear line (exit status 2 for bad input or
configuration, 1 for other errors) and never a traceback for expected
problems. Run ``newsbot <command> --help`` for details and examples.

Commands get their objects from the composition root (:mod:`bot.app`):
``services()`` for store and pipeline work, ``wire()`` when a platform sends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Awaitable, Coroutine, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from bot import __version__
from bot.domain import LAYOUTS, ChatRef, Platform
from bot.errors import ConfigError, NewsbotError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:  # the heavy modules load when a command needs them
    from bot.app import Services
    from bot.domain import Article, FeedInfo, Summary
    from bot.logsetup import LogFormat

logger = logging.getLogger(__name__)

CONSOLE = ChatRef("console", "local")
CONSOLE_CHAT = str(CONSOLE)

EPILOG = """\
quick start:
  newsbot demo                          see a digest from bundled sample feeds (no network, no tokens)
  newsbot feeds add https://example.com  follow a feed (or a site that links to its feed)
  newsbot digest                        fetch, summarize and print a digest now
  newsbot summarize https://example.com/article
  newsbot run                           the long-running bot (Telegram/Slack when tokens are set)

configuration: environment variables NEWSBOT_* and a newsbot.toml (first of: $NEWSBOT_CONFIG,
./newsbot.toml, ~/.config/newsbot/newsbot.toml, /etc/newsbot/newsbot.toml); 'newsbot config
show' says which is in use and where the database is, 'newsbot config example' prints a starter.
"""


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _points(value: str) -> int:
    """--points: a whole number of key points from 1 to 10."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 10:
        raise argparse.ArgumentTypeError(f"{value!r}: give a whole number from 1 to 10")
    return number


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsbot",
        description="Self-hosted news digests: key points and attributed quotes from your feeds, "
        "in Telegram, Slack or the terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"newsbot {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="run the bot: scheduler + Telegram/Slack (or the console)",
                         description="Run newsbot until interrupted: polls feeds, summarizes new "
                         "articles, sends digests on each chat's schedule and answers commands. "
                         "Telegram runs when NEWSBOT_TELEGRAM_TOKEN is set, Slack when "
                         "NEWSBOT_SLACK_BOT_TOKEN is set; with neither, digests are printed here.",
                         epilog=_examples("newsbot run",
                                          "NEWSBOT_TELEGRAM_TOKEN=123456:ABC... newsbot run",
                                          "newsbot run --delivery-only   # an extra sender beside one 'newsbot run'"),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--delivery-only", action="store_true",
                     help="run only an extra delivery worker: send queued digests and replies; "
                     "no feed polling, schedules or incoming commands. Start it beside one full "
                     "'newsbot run' on the same database (PostgreSQL, or a shared SQLite file) "
                     "when one process cannot send fast enough; chat leases keep workers from "
                     "sending the same chat's messages (docs/delivery.md)")
    run.set_defaults(func=cmd_run)

    work = sub.add_parser(
        "worker", help="run task-engine jobs only (PostgreSQL; beside 'newsbot run')",
        description="Run jobs of the task engine until interrupted: poll feeds, summarize "
        "articles, build digests and send queued messages, on any machine that reaches the "
        "PostgreSQL database. Needs NEWSBOT_DATABASE_URL=postgresql://...; incoming commands "
        "stay with 'newsbot run' (docs/deployment.md).",
        epilog="examples:\n  newsbot worker\n  newsbot worker --queues process\n"
        "  newsbot worker --queues delivery digest --concurrency 32",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    work.add_argument("--queues", nargs="+", metavar="QUEUE",
                      help="only these queues: poll, process, digest, delivery, ticks "
                      "(default: all)")
    work.add_argument("--concurrency", type=int, default=None, metavar="N",
                      help="jobs run at once (default: NEWSBOT_ENGINE_CONCURRENCY, 16)")
    work.set_defaults(func=cmd_worker)

    summ = sub.add_parser(
        "summarize", help="summarize articles (URL, .html/.txt file, or - for stdin)",
        description="Print the key points and the quotes with their speakers of each SOURCE. "
        "The model is loaded once for all sources.",
        epilog="examples:\n  newsbot summarize https://example.com/news/story\n"
        "  newsbot summarize saved.html notes.txt --json\n  cat article.txt | newsbot summarize -",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    summ.add_argument("sources", nargs="+", metavar="SOURCE", help="http(s) URL, .html/.txt file, or -")
    summ.add_argument("--json", action="store_true",
                      help="print one JSON object per source, one per line (fields in the README); "
                      "a source that fails gives {\"source\", \"error\"}")
    summ.add_argument("--points", type=_points, default=None, metavar="N",
                      help="key points per article, 1-10 (default: NEWSBOT_KEY_POINTS, 3)")
    summ.set_defaults(func=cmd_summarize, store=False)

    feeds = sub.add_parser("feeds", help="add, list, remove, import, export and poll feeds",
                           description="Manage the feeds newsbot polls. Feeds added here are "
                           "followed by the terminal's own digest (newsbot digest); chats follow "
                           "feeds with /subscribe.",
                           epilog=_examples("newsbot feeds add https://www.theguardian.com/world",
                                            "newsbot feeds import --starter", "newsbot feeds list",
                                            "newsbot feeds export > my-feeds.opml"),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    fsub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    raw = argparse.RawDescriptionHelpFormatter
    fadd = fsub.add_parser(
        "add", help="add a feed URL, or a site whose feed is discovered", formatter_class=raw,
        description="Add each URL: a feed (RSS, Atom, JSON Feed), or a web page that links to "
        "its feed (the feed is discovered). The feed is fetched once to check it and its "
        "entries are stored; the terminal's digest follows it.",
        epilog=_examples("newsbot feeds add https://feeds.npr.org/1001/rss.xml",
                         "newsbot feeds add https://www.theguardian.com/world https://arstechnica.com"))
    fadd.add_argument("urls", nargs="+", metavar="URL", help="http(s) URL of a feed or of a site")
    fadd.set_defaults(func=cmd_feeds_add)
    flist = fsub.add_parser(
        "list", help="feeds with last fetch, item count and error state", formatter_class=raw,
        description="List every feed: its id, title, URL, last fetch, number of items and "
        "whether it is failing or deactivated.",
        epilog=_examples("newsbot feeds list", "newsbot feeds list --json | head -n 3"))
    flist.add_argument("--json", action="store_true",
                       help="one JSON object per feed per line (id, url, title, active, "
                       "last_fetched_at, last_error, consecutive_failures, item_count, ...)")
    flist.set_defaults(func=cmd_feeds_list)
    frm = fsub.add_parser(
        "remove", help="remove a feed (by URL or id from feeds list)", formatter_class=raw,
        description="Remove feeds, with their subscriptions. Articles already delivered stay "
        "in the history.",
        epilog=_examples("newsbot feeds remove 3", "newsbot feeds remove https://feeds.npr.org/1001/rss.xml"))
    frm.add_argument("feeds", nargs="+", metavar="URL_OR_ID",
                     help="a feed's URL or its id as shown by 'newsbot feeds list'")
    frm.set_defaults(func=cmd_feeds_remove)
    fimp = fsub.add_parser(
        "import", help="import feeds from an OPML file (or the bundled starter list)",
        formatter_class=raw,
        description="Add every feed of an OPML file (as exported by most feed readers). "
        "Entries that are not feeds are skipped with one line each; the rest are added.",
        epilog=_examples("newsbot feeds import my-feeds.opml", "newsbot feeds import --starter"))
    source = fimp.add_mutually_exclusive_group(required=True)
    source.add_argument("file", type=Path, metavar="FILE.opml", nargs="?", help="the OPML file")
    source.add_argument("--starter", action="store_true",
                        help="the starter list shipped with newsbot (world news, technology, "
                        "science: 8 feeds)")
    fimp.set_defaults(func=cmd_feeds_import)
    fexp = fsub.add_parser(
        "export", help="print all feeds as OPML", formatter_class=raw,
        description="Print every feed as an OPML 2.0 document on standard output, for "
        "another feed reader or another newsbot ('newsbot feeds import FILE').",
        epilog=_examples("newsbot feeds export > my-feeds.opml"))
    fexp.set_defaults(func=cmd_feeds_export)
    fpoll = fsub.add_parser(
        "poll", help="poll every feed now and summarize what is new", formatter_class=raw,
        description="Fetch every active feed now, whatever its schedule, store new entries "
        "and summarize them; prints the article counts. 'newsbot run' does this on its own.",
        epilog=_examples("newsbot feeds poll"))
    fpoll.set_defaults(func=cmd_feeds_poll)

    dig = sub.add_parser("digest", help="build (and send) a digest now",
                         description="Build a digest of the stories a chat has not seen yet and "
                         "send it. Without --chat it is the terminal's own digest of the feeds "
                         "added with 'newsbot feeds add'.",
                         epilog="examples:\n  newsbot digest\n  newsbot digest --since 24h --dry-run\n"
                         "  newsbot digest --layout headlines --dry-run\n"
                         "  newsbot digest --chat telegram:123456789\n  newsbot digest --status",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    dig.add_argument("--chat", default=CONSOLE_CHAT, metavar="PLATFORM:ID",
                     help=f"the chat, e.g. telegram:12345 or slack:C0123 (default {CONSOLE_CHAT})")
    dig.add_argument("--since", metavar="WHEN", help="only stories ingested since: 24h, 2d, 90m or an ISO date")
    dig.add_argument("--dry-run", action="store_true", help="print the digest; send and record nothing")
    dig.add_argument("--layout", choices=LAYOUTS, default=None,
                     help="brief (one key point and a quote per story), full (key points and "
                     "quotes) or headlines (one line per story); default: the chat's setting, "
                     "brief unless changed")
    dig.add_argument("--no-refresh", action="store_true", help="don't poll feeds and summarize first")
    dig.add_argument("--status", action="store_true", help="show the outbox: pending, sent, failed with reasons")
    dig.set_defaults(func=cmd_digest)

    demo = sub.add_parser("demo", help="see newsbot work on bundled sample news (no network, no tokens)",
                          description="Serves bundled sample feeds and articles on 127.0.0.1, "
                          "ingests them through the real pipeline and prints the digest.",
                          epilog=_examples("newsbot demo",
                                           "newsbot demo --database postgresql://postgres@127.0.0.1/test"),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("--database", default=None, metavar="URL",
                      help="database to use (default: a temporary SQLite file)")
    demo.set_defaults(func=cmd_demo, store=False)

    cfg = sub.add_parser("config", help="where the config and database are; a starter config",
                         description="Show which config file and database newsbot uses (and "
                         "where it looked), or print a starter config file.",
                         epilog=_examples("newsbot config show",
                                          "newsbot config example > ~/.config/newsbot/newsbot.toml"),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    cshow = csub.add_parser("show", help="the config file and database in use, and the lookup order",
                            description="Print the config files looked for (in order, the one "
                            "in use marked), the data folder and the database URL (password "
                            "hidden).", epilog=_examples("newsbot config show"),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    cshow.set_defaults(func=cmd_config_show, store=False)
    cex = csub.add_parser("example", help="print the starter config (every setting explained)",
                          description="Print the starter newsbot.toml shipped with newsbot. "
                          "Save it where newsbot looks (see 'newsbot config show') and edit it.",
                          epilog=_examples("newsbot config example > newsbot.toml"),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    cex.set_defaults(func=cmd_config_example, store=False)

    db = sub.add_parser("db", help="upgrade or back up the database",
                        description="Database maintenance. 'newsbot run' and every command "
                        "upgrade the schema on start; 'db upgrade' does it on its own, after "
                        "a backup (see the upgrade steps in docs/operations.md).",
                        epilog=_examples("newsbot db backup", "newsbot db backup /srv/backups/newsbot.db",
                                         "newsbot db upgrade"),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dup = dsub.add_parser("upgrade", help="apply pending schema migrations (SQLite: backed up first)",
                          description="Bring the database schema up to this version of newsbot. "
                          "On SQLite a backup is taken first when anything would change.",
                          epilog=_examples("newsbot db upgrade", "newsbot db upgrade --no-backup"),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    dup.add_argument("--no-backup", action="store_true",
                     help="don't back up the SQLite file before migrating")
    dup.set_defaults(func=cmd_db_upgrade, store=False)
    dbk = dsub.add_parser("backup", help="copy the SQLite database safely while newsbot runs",
                          description="Copy the SQLite database with SQLite's online backup API "
                          "(consistent even while newsbot writes to it). For PostgreSQL it "
                          "prints the pg_dump command to use instead.",
                          epilog=_examples("newsbot db backup",
                                           "newsbot db backup /srv/backups/newsbot-$(date +%F).db"),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    dbk.add_argument("dest", nargs="?", type=Path, metavar="FILE",
                     help="where to write the copy (must not exist; default: "
                     "backups/newsbot-<UTC time>.db beside the database)")
    dbk.set_defaults(func=cmd_db_backup, store=False)

    try:
        from bot.evaluation.cli import add_eval_parser
    except ImportError:  # pragma: no cover - evaluation extras missing
        pass
    else:
        add_eval_parser(sub)
    return p


NO_STORE_COMMANDS = frozenset({"summarize", "demo", "config", "db", "eval"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = load_settings()
        configure_logging(args.verbose, settings.log_level, settings.log_format)
        new_db: Path | None = None
        if args.command not in NO_STORE_COMMANDS and getattr(args, "store", True):
            new_db = prepare_storage(settings, announce=args.command == "run")
        result = args.func(args, settings)
        exit_at_once = asyncio.iscoroutine(result) and args.func is cmd_run and argv is None
        if exit_at_once:
            result = _run_without_waiting_for_threads(result)
        elif asyncio.iscoroutine(result):
            result = asyncio.run(result)
        if new_db is not None and new_db.exists() and not result:  # bad input stays one line
            from bot.settings import describe

            logger.info("created a new %s", describe(settings))
        if exit_at_once:
            _exit_now(int(result or 0))
        return int(result or 0)
    except ConfigError as exc:
        print(f"newsbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`newsbot feeds list --json | head`): stop quietly, and
        # point stdout at /dev/null so the flush at exit cannot raise again.
        _silence_stdout()
        return 141  # 128 + SIGPIPE, as a command killed by the signal reports


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to do
        pass


def prepare_storage(settings: Settings, *, announce: bool = True) -> Path | None:
    """Create the data folder when the database lives there, point at a database an
    older newsbot left in this folder, and (``announce``) say in one line which
    database and config are in use. Returns the SQLite file when it does not exist
    yet, so the caller can say that it was created."""
    from bot.settings import DATABASE_FILE_NAME, describe

    path = settings.sqlite_path
    if settings.database_in_data_dir:
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the data folder {settings.data_dir}: "
                              f"{exc.strerror}; set NEWSBOT_DATA_DIR to a writable folder") from None
        old = Path.cwd() / DATABASE_FILE_NAME
        if old.is_file() and path is not None and not path.exists() and old.resolve() != path:
            logger.warning("%s is a database from an older newsbot, which kept it in the current "
                           "folder; this run uses %s. To keep the old one, move it there or set "
                           "NEWSBOT_DATABASE_URL=sqlite:///%s", old, path, old.resolve())
    if announce:
        logger.info("%s", describe(settings))
    return path if path is not None and not path.exists() else None


def _run_without_waiting_for_threads(main: Coroutine[Any, Any, Any]) -> Any:
    """``asyncio.run`` for ``newsbot run``, except that it does not wait for the
    default executor's threads (a summary being computed when SIGTERM came):
    the process ends right after (:func:`_exit_now`), and their work was
    handed back (the command stays in the inbox)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())


def _exit_now(code: int) -> None:
    """End ``newsbot run`` once everything is closed, skipping the interpreter's
    teardown of ~900 modules: seconds on a loaded machine, which would count
    against a supervisor's stop grace (SIGTERM must end the process within 8 s)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def configure_logging(verbose: bool, level: str = "INFO", fmt: LogFormat = "text") -> None:
    """Text or JSON lines on stderr (:mod:`bot.logsetup`); ``-v`` means DEBUG."""
    from bot.logsetup import configure

    configure(logging.DEBUG if verbose else level, fmt)


# --------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    from bot.app import run

    return run(settings, delivery_only=args.delivery_only)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> Awaitable[None]:
    from bot.app import run_worker

    if args.concurrency is not None and not 1 <= args.concurrency <= 256:
        raise ConfigError("--concurrency must be between 1 and 256")
    return run_worker(settings, queues=args.queues, concurrency=args.concurrency)


# --------------------------------------------------------------- summarize


def _read_source(source: str, max_bytes: int) -> tuple[str, str | None]:
    """Return (content, url-or-None) of a local SOURCE; raise NewsbotError (whose
    message names the source once)."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream (tests, embedding): already decoded
            data = sys.stdin.read(max_bytes + 1).encode("utf-8")
        else:
            data = stream.read(max_bytes + 1)
        return _check_text(data, _label(source), max_bytes), None
    path = Path(source)
    if not path.is_file():
        raise NewsbotError(f"{source}: no such file (give an http(s) URL, a .html/.txt file, or -)")
    if path.suffix.lower() not in (".html", ".htm", ".txt", ".text", ".md"):
        raise NewsbotError(f"{source}: unsupported file type {path.suffix or '(none)'}; use .html or .txt")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise NewsbotError(f"{source}: {exc.strerror}") from None
    return _check_text(data, source, max_bytes), path.resolve().as_uri()


def _label(source: str) -> str:
    return "standard input" if source == "-" else source


def _check_text(data: bytes, source: str, max_bytes: int) -> str:
    """Decode text or HTML; refuse what is empty, too large or binary with one line."""
    if len(data) > max_bytes:
        raise NewsbotError(f"{source}: larger than the {max_bytes // (1024 * 1024)} MB cap "
                           "(NEWSBOT_FETCH_MAX_BYTES)")
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise NewsbotError(f"{source}: empty, nothing to summarize")
    head = text[:65536]
    if "\x00" in head or head.count("\ufffd") > max(8, len(head) // 100):
        raise NewsbotError(f"{source}: binary data, not text or HTML (give a UTF-8 .txt or .html)")
    return text


def local_article(source: str, max_bytes: int = 10 * 1024 * 1024) -> Article:
    """Build an Article from a local file or stdin (HTML is extracted, text used as is)."""
    from bot.domain import Article
    from bot.extract.html import content_fingerprint, extract_article

    content, url = _read_source(source, max_bytes)
    is_html = (url or "").endswith((".html", ".htm")) or content.lstrip()[:1] == "<"
    if is_html:
        extracted = extract_article(content, url or "stdin:")
        if extracted is None:
            raise NewsbotError(f"{source}: no article text found in this HTML")
        return Article(url=url or "-", title=extracted.title or "", text=extracted.text,
                       fingerprint=content_fingerprint(extracted.text), author=extracted.author,
                       published=extracted.date, language=extracted.language,
                       site_name=extracted.site_name)
    text = content.strip()
    title = text.splitlines()[0].strip() if text else ""
    if len(title) > 200 or title.endswith("."):
        title = ""
    return Article(url=url or "-", title=title, text=text, fingerprint=content_fingerprint(text))


async def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import summarizing
    from bot.errors import FetchError
    from bot.sources.articles import fetch_article

    points = args.points or settings.key_points
    failures = 0
    async with summarizing(settings) as (fetcher, summarizer):
        for source in args.sources:
            try:
                if re.match(r"^https?://", source, re.IGNORECASE):
                    article = await fetch_article(fetcher, source)
                else:
                    article = local_article(source, settings.fetch_max_bytes)
                summary = await asyncio.to_thread(summarizer.summarize, article.text, article.title,
                                                  article.language, points, settings.key_quotes)
            except NewsbotError as exc:
                failures += 1
                if args.json:
                    print(json.dumps({"source": source, "error": str(exc)}, ensure_ascii=False))
                elif isinstance(exc, FetchError) or str(exc).startswith(_label(source)):
                    print(f"newsbot: {exc}", file=sys.stderr)  # it already names the source
                else:
                    print(f"newsbot: {_label(source)}: {exc}", file=sys.stderr)
                continue
            if args.json:
                print(json.dumps({
                    "source": source,
                    "title": article.title,
                    "url": article.url,
                    "language": summary.language or article.language,
                    "key_points": list(summary.key_points),
                    "quotes": [asdict(q) for q in summary.quotes],
                    "key_quotes": [asdict(q) for q in summary.key_quotes],
                    "engine": summary.engine,
                    "extraction_note": article.extraction_note,
                }, ensure_ascii=False), flush=True)
            else:
                print(_human_summary(article, summary), flush=True)
    return 1 if failures and failures == len(args.sources) else 0


def _human_summary(article: Article, summary: Summary) -> str:
    lines = [article.title or article.url]
    if article.url and article.url != "-":
        lines.append(article.url)
    lines.append("")
    if summary.key_points:
        lines.append("Key points:")
        lines += [f"  • {p}" for p in summary.key_points]
    else:
        lines.append("No key points: the text is empty or too short.")
    if summary.quotes:
        lines.append("Quotes:")
        for q in summary.quotes:
            lines.append(f"  “{q.text}” — {q.speaker or 'speaker unknown'}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------- feeds


async def _follow_in_console(svc: Services, feed_id: int) -> None:
    """Feeds added from the terminal are followed by the terminal's own chat,
    which `newsbot run` (without chat platforms) prints as stories arrive."""
    from bot.domain import Schedule

    chats = svc.store.chats
    chat = await chats.upsert_chat(CONSOLE, "private", "terminal")
    if chat.schedule.mode == "off":
        await chats.set_schedule(CONSOLE, Schedule(mode="realtime"))
    await chats.subscribe(CONSOLE, feed_id)


async def cmd_feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services
    from bot.commands.handlers import fetch_error_text, parse_url
    from bot.errors import CommandError, FeedError, FetchError

    failures = 0
    async with services(settings) as svc:
        for raw in args.urls:
            try:
                feed, created = await svc.pipeline.add_feed(parse_url(raw))
            except (FetchError, FeedError) as exc:
                failures += 1
                print(f"newsbot: {fetch_error_text(exc)}", file=sys.stderr)
                continue
            except CommandError as exc:
                failures += 1
                print(f"newsbot: {exc}", file=sys.stderr)
                continue
            await _follow_in_console(svc, feed.id)
            info = await svc.store.feeds.get_feed(feed.id)
            items = info.item_count if info else 0
            verb = "added" if created else "already added"
            print(f"{verb}: {feed.title or feed.url} <{feed.url}> ({items} items)")
    return 1 if failures else 0


async def cmd_feeds_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services

    async with services(settings) as svc:
        feeds = await svc.store.feeds.list_feeds()
    if args.json:
        for f in feeds:
            print(json.dumps(asdict(f), default=str, ensure_ascii=False))
        return 0
    if not feeds:
        print("No feeds yet. Add one with: newsbot feeds add <feed or site URL>")
        return 0
    for f in feeds:
        when = f.last_fetched_at.strftime("%Y-%m-%d %H:%M UTC") if f.last_fetched_at else "never"
        if not f.active:
            state = f"DEACTIVATED after {f.consecutive_failures} failures: {f.last_error}"
        elif f.last_error:
            state = f"ERROR ({f.consecutive_failures} in a row): {f.last_error}"
        else:
            state = "ok"
        print(f"{f.id:>4}  {f.title or '(untitled)'}\n      {f.url}\n"
              f"      last fetch: {when} · items: {f.item_count} · {state}")
    return 0


async def cmd_feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services

    failures = 0
    async with services(settings) as svc:
        for key in args.feeds:
            feed = await svc.store.feeds.find_feed(key)
            if feed is None:
                failures += 1
                print(f"newsbot: no feed {key!r} (see newsbot feeds list)", file=sys.stderr)
                continue
            await svc.store.feeds.remove_feed(feed.id)
            print(f"removed: {feed.title or feed.url} <{feed.url}>")
    return 1 if failures else 0


async def cmd_feeds_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services
    from bot.commands.handlers import fetch_error_text
    from bot.errors import FeedError, FetchError
    from bot.sources.opml import parse_opml

    if args.starter:
        data = starter_file("feeds.opml").encode("utf-8")
    else:
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise NewsbotError(f"{args.file}: {exc.strerror}") from None
    result = parse_opml(data)
    for problem in result.errors:
        print(f"skipped: {problem}", file=sys.stderr)
    imported = 0
    async with services(settings) as svc:
        from tqdm import tqdm

        for url, _title in tqdm(result.feeds, desc="importing", unit="feed", file=sys.stderr,
                                disable=not sys.stderr.isatty()):
            try:
                feed, _ = await svc.pipeline.add_feed(url)
            except (FetchError, FeedError) as exc:
                print(f"skipped: {fetch_error_text(exc)}", file=sys.stderr)
                continue
            await _follow_in_console(svc, feed.id)
            imported += 1
    print(f"imported {imported} of {len(result.feeds) + len(result.errors)} entries")
    return 0 if imported or not (result.feeds or result.errors) else 1


async def cmd_feeds_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services
    from bot.sources.opml import write_opml

    async with services(settings) as svc:
        feeds = await svc.store.feeds.list_feeds()
    sys.stdout.write(write_opml([(f.url, f.title) for f in feeds], title="newsbot feeds"))
    return 0


async def refresh(
    svc: Services, *, feeds: list[FeedInfo] | None = None, show_progress: bool = True
) -> None:
    """Poll feeds (default: those due) and summarize what is new, with progress
    bars on a terminal; one summary log line for the whole cycle."""
    from bot.metrics import PollCycle

    with PollCycle(svc.metrics, logger):
        await _refresh(svc, feeds, show_progress)


async def _refresh(svc: Services, feeds: list[FeedInfo] | None, show_progress: bool) -> None:
    from tqdm import tqdm

    if feeds is None:
        feeds = await svc.store.feeds.due_feeds(datetime.now(UTC))
    if feeds:
        with tqdm(total=len(feeds), desc="polling feeds", unit="feed", file=sys.stderr,
                  disable=not (show_progress and sys.stderr.isatty())) as bar:
            await svc.pipeline.poll_feeds(feeds, progress=lambda _o: bar.update())
    counts = await svc.store.articles.article_counts()
    pending = counts.get("pending", 0)
    if pending:
        with tqdm(total=pending, desc="summarizing", unit="article", file=sys.stderr,
                  disable=not (show_progress and sys.stderr.isatty())) as bar:
            while True:
                batch = await svc.store.articles.pending_articles(limit=8)
                if not batch:
                    break
                await svc.pipeline.process_pending(limit=8)
                bar.update(len(batch))


async def cmd_feeds_poll(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import services

    async with services(settings) as svc:
        await refresh(svc, feeds=await svc.store.feeds.list_feeds(active_only=True))
        counts = await svc.store.articles.article_counts()
    print("articles: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else "no articles yet")
    return 0


# ------------------------------------------------------------------ digest


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    if not value:
        return None
    now = now or datetime.now(UTC)
    m = re.fullmatch(r"(\d+)\s*([mhdw])", value.strip().lower())
    if m:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m.group(2)]
        return now - timedelta(**{unit: int(m.group(1))})
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise NewsbotError(f"--since {value!r}: use 24h, 2d, 90m or an ISO date like 2026-11-24") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_chat(value: str) -> ChatRef:
    platform, sep, ident = value.partition(":")
    for known in get_args(Platform):
        if sep and ident and platform == known:
            return ChatRef(known, ident)
    raise NewsbotError(f"--chat {value!r}: use PLATFORM:ID, e.g. telegram:123456789 or slack:C0123")


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_platforms, connected, services, wire
    from bot.digest.builder import build_digest, queue_digest
    from bot.digest.text import digest_text

    ref = parse_chat(args.chat)
    since = parse_since(args.since)
    async with services(settings) as svc:
        if args.status:
            status = await svc.store.outbox.outbox_status()
            print(f"outbox: {status.pending} pending, {status.sent} sent, {status.failed} failed")
            for where, key, error in status.failures:
                print(f"  failed {key} ({where}): {error}")
            return 0
        chat = await svc.store.chats.get_chat(ref)
        if chat is None:
            if ref.platform == "console":
                print("No feeds followed yet. Add one with: newsbot feeds add <feed or site URL>")
                return 0
            raise NewsbotError(f"unknown chat {ref}: it has never talked to newsbot")
        if not args.no_refresh:
            await refresh(svc)
        if args.dry_run:
            built = await build_digest(svc.store, ref, since=since, layout=args.layout,
                                       update_novelty=settings.story_update_novelty,
                                       embed=svc.pipeline.embed_topics)
            print(digest_text(built.digest) if built and built.digest else "Nothing new for this chat.")
            return 0
        wired = wire(svc, build_platforms(settings, [ref.platform]))
        async with connected(wired):
            digest_id = await queue_digest(svc.store, wired.platforms[ref.platform], ref,
                                           since=since, layout=args.layout,
                                           update_novelty=settings.story_update_novelty,
                                           embed=svc.pipeline.embed_topics)
            if digest_id is None:
                print("Nothing new for this chat.")
                return 0
            await wired.outbox.run_once()
        status = await svc.store.outbox.outbox_status()
        if ref.platform != "console":
            print(f"digest {digest_id} sent to {ref}; outbox: {status.pending} pending, {status.failed} failed")
    return 0


# ------------------------------------------------------------- config, db


def starter_file(name: str) -> str:
    """A file shipped in the package's starter folder (config, feed list)."""
    from importlib.resources import files

    return (files("bot") / "starter" / name).read_text(encoding="utf-8")


def cmd_config_example(args: argparse.Namespace, settings: Settings) -> int:
    sys.stdout.write(starter_file("newsbot.toml"))
    return 0


def cmd_config_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.settings import config_candidates, default_data_dir, find_config_file, redact_url

    in_use, _ = find_config_file()
    print("config files, first found is used:")
    for path, why in config_candidates():
        mark = "in use" if path == in_use else ("found" if path.is_file() else "absent")
        print(f"  {path}  ({why}; {mark})")
    if in_use is None:
        print("  none found: defaults and NEWSBOT_* variables ('newsbot config example' prints a starter)")
    folder, why = default_data_dir()
    print(f"data folder: {settings.data_dir}"
          + (f"  ({why})" if folder.absolute() == settings.data_dir else "  (data_dir in the config file)"))
    print(f"database: {redact_url(settings.database_url)}")
    return 0


async def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.maintenance import backup_sqlite, default_backup_path, schema_revisions, upgrade

    prepare_storage(settings, announce=True)
    current, head = await schema_revisions(settings.database_url)
    if current == head:
        print(f"database is up to date (schema {head})")
        return 0
    path = settings.sqlite_path
    if path is not None and path.exists() and current is not None and not args.no_backup:
        dest = default_backup_path(path)
        await asyncio.to_thread(backup_sqlite, path, dest)
        print(f"backed up {path} to {dest}")
    await upgrade(settings.database_url)
    print(f"database upgraded: schema {current or '(empty)'} -> {head}")
    return 0


async def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.settings import redact_url
    from bot.store.maintenance import backup_sqlite, default_backup_path

    path = settings.sqlite_path
    if path is None:
        url = redact_url(settings.database_url)
        raise NewsbotError(f"{url} is not a SQLite file; back up PostgreSQL with pg_dump, e.g. "
                           "pg_dump --format=custom --file=newsbot.dump \"$NEWSBOT_DATABASE_URL\"")
    if not path.is_file():
        raise NewsbotError(f"{path}: no such database file (see 'newsbot config show')")
    dest = args.dest or default_backup_path(path)
    size = await asyncio.to_thread(backup_sqlite, path, dest)
    print(f"backed up {path} to {dest} ({size / 1e6:.1f} MB)")
    return 0


# -------------------------------------------------------------------- demo


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from bot.app import services
    from bot.demo_server import DemoServer
    from bot.digest.builder import build_digest
    from bot.digest.text import digest_text

    with tempfile.TemporaryDirectory(prefix="newsbot-demo-") as tmp, DemoServer() as server:
        url = args.database or f"sqlite:///{Path(tmp) / 'demo.db'}"
        demo_settings = settings.model_copy(update={"database_url": url,
                                                    "fetch_allow_private_networks": True})
        print(f"Serving sample news sites on {server.base_url} (nothing leaves this machine).\n",
              file=sys.stderr)
        async with services(demo_settings) as svc:
            for site in server.site_urls:
                feed, _ = await svc.pipeline.add_feed(site)
                await _follow_in_console(svc, feed.id)
                print(f"discovered feed {feed.url} from {site}", file=sys.stderr)
            await refresh(svc)
            built = await build_digest(svc.store, CONSOLE)
            if built is None or built.digest is None:
                print("The demo found no stories (this is a bug; please report it).")
                return 1
            print(digest_text(built.digest))
    return 0
