"""Hostile input through the real CLI, before and after, measured in the same run.

For each hostile case of issue #15 (brotli bomb, ``gzip, gzip`` bomb, a 10 MB
Atom feed with 260,000 entries, a dripping server, a malformed Location, a
deeply nested JSON Feed, a URL with credentials) this runs ``newsbot
summarize URL`` and ``newsbot feeds add URL`` as the user would, against a
loopback server, and prints per run: peak RSS of the newsbot process (and of
its parse worker, if any), wall time, the worst event-loop lag, whether a
traceback was printed, and the last line the user saw.

"after" is this checkout; "before" is the code of another checkout (default:
a worktree of ``--before-ref``, the commit the issue was measured on, made at
``/tmp/hostile-base-<ref>``), run with the same
virtualenv, server and settings in the same run. Each child runs
``bot.cli.main`` with ``asyncio.run`` wrapped so a ticker task records the
longest gap on the event loop (tests/support/looplag.py).

Goals (#15): peak RSS <= 400 MB without the model, <= 60 s to a clear answer,
<= 250 ms event-loop lag, no traceback. "before" children are capped at
6 GB of address space and --timeout seconds so the machine survives them.

``--commands run`` measures the third path: ``newsbot run`` polling a sane
feed and a subscribed feed that turned hostile after it was added (the case's
body, plus ``long-fields``: a 600-character ETag and over-long link, title and
author), for ``--run-window`` seconds, then SIGTERM. Besides RSS and lag it
reports whether the sane feed's new entry was stored in that cycle ("other
feeds stored"); ``--db postgresql`` runs it on a fresh PostgreSQL database
(where over-long fields used to fail the whole batch). Its baseline row
``sane`` has no hostile feed: the loaded-model RSS the goal is measured from.

    python bench/hostile.py                       # every case, both commands, before + after
    python bench/hostile.py --commands run --db postgresql
    python bench/hostile.py --cases bomb-br,atom --no-before
    python bench/hostile.py --base /path/to/other/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
BEFORE_MEMORY_LIMIT = 6 * 1024 * MB


# ------------------------------------------------------------------- child side


def child(code: Path, result_path: Path, argv: list[str]) -> None:
    """Run ``newsbot argv`` from ``code`` with a lag ticker on its event loop."""
    sys.path.insert(0, str(code))
    import asyncio
    import importlib.util

    # The ticker comes from this checkout (the "before" code has none).
    spec = importlib.util.spec_from_file_location("looplag", REPO / "tests/support/looplag.py")
    assert spec is not None and spec.loader is not None
    looplag = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(looplag)
    lag = looplag.LagMonitor()
    real_run = asyncio.run

    def run(main: Any, **kwargs: Any) -> Any:
        async def wrapped() -> Any:
            try:
                return await main
            finally:
                await lag.stop()

        return real_run(wrapped(), **kwargs)

    asyncio.run = run  # type: ignore[assignment]
    # Lag is recorded from the first request on: start-up (imports, migrations) is
    # the same whatever the input and is not what this bench is about.
    from bot.sources.http import Fetcher

    real_fetch = Fetcher.fetch

    async def fetch(self: Any, *fargs: Any, **fkwargs: Any) -> Any:
        if lag._task is None:
            lag.start()
        return await real_fetch(self, *fargs, **fkwargs)

    Fetcher.fetch = fetch  # type: ignore[method-assign]

    def report() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        result_path.write_text(json.dumps({
            "lag_s": lag.worst,
            "rss_mb": usage.ru_maxrss / 1024,
            "worker_rss_mb": children.ru_maxrss / 1024,
        }))

    import atexit

    atexit.register(report)
    real_exit = os._exit

    def exit_now(code: int) -> None:  # newsbot run ends with os._exit after SIGTERM
        report()
        real_exit(code)

    os._exit = exit_now  # type: ignore[assignment]
    import bot

    assert Path(bot.__file__).resolve().is_relative_to(code.resolve()), bot.__file__
    from bot.cli import main

    sys.argv = ["newsbot", *argv]
    raise SystemExit(main())


# ------------------------------------------------------------------ parent side


def build_server() -> Any:
    sys.path.insert(0, str(REPO))
    from tests.fixtures.hostile import big_atom, bomb, deep_json
    from tests.support.http_server import LoopbackServer, Response

    page = (
        "<html><head><title>Fine</title></head><body><article><h1>Fine</h1>"
        + "<p>An ordinary paragraph about the council meeting that ran late into the night.</p>" * 30
        + "</article></body></html>"
    )
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/drip-feeds/f{i}.xml">'
        for i in range(5)
    )
    drip = Response(b"<rss>" + b" " * 100_000, content_type="application/rss+xml",
                    chunked=True, chunk_size=1, chunk_delay=1.0)
    routes = {
        "/bomb-br": Response(bomb("br", 2048 * MB), content_type="text/html",
                             headers={"Content-Encoding": "br"}),
        "/bomb-gzip-gzip": Response(bomb("gzip, gzip", 2048 * MB), content_type="text/html",
                                    headers={"Content-Encoding": "gzip, gzip"}),
        "/atom": Response(big_atom(), content_type="application/atom+xml"),
        "/drip/": Response(page, content_type="text/html", chunked=True, chunk_size=1,
                           chunk_delay=1.0),
        "/drip-feeds/": Response(f"<html><head>{links}</head><body>{page}</body></html>",
                                 content_type="text/html"),
        "/bad-location": Response(status=302, body=b"", content_type=None,
                                  headers={"Location": "http:\\\\host\\"}),
        "/deep.json": Response(deep_json(), content_type="application/feed+json"),
        "/page": Response(page, content_type="text/html"),
    }
    for i in range(5):
        routes[f"/drip-feeds/f{i}.xml"] = drip
    for path in ("/feed", "/rss", "/atom.xml", "/index.xml", "/feed.xml", "/rss.xml"):
        routes["/drip-feeds" + path] = drip
    return LoopbackServer(routes).start()


CASES = {
    "bomb-br": "/bomb-br",
    "bomb-gzip-gzip": "/bomb-gzip-gzip",
    "atom": "/atom",
    "drip": "/drip/",  # feeds add: a page advertising five dripping feeds (/drip-feeds/)
    "bad-location": "/bad-location",
    "deep-json": "/deep.json",
    "creds": "/page",
}


def case_url(server: Any, case: str, command: str) -> str:
    path = CASES[case]
    if case == "drip" and command == "feeds-add":
        path = "/drip-feeds/"
    url = server.url(path)
    if case == "creds":
        url = url.replace("http://", "http://alice:s3cret@")
    return url


def run_one(code: Path, argv: list[str], *, timeout: float, limit_memory: bool,
            workdir: Path) -> dict[str, Any]:
    result_path = workdir / f"result-{time.monotonic_ns()}.json"
    env = {
        **os.environ,
        "NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSBOT_DATABASE_URL": f"sqlite:///{workdir / f'db-{time.monotonic_ns()}.sqlite'}",
        "PYTHONPATH": str(code),
    }

    def limits() -> None:
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (BEFORE_MEMORY_LIMIT, BEFORE_MEMORY_LIMIT))

    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(code), str(result_path),
             "--", *argv],
            env=env, cwd=workdir, capture_output=True, timeout=timeout, preexec_fn=limits,
        )
        stdout = proc.stdout.decode("utf-8", "replace")
        out = stdout + proc.stderr.decode("utf-8", "replace")
        status = proc.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = ""
        out = ((exc.stdout or b"") + (exc.stderr or b"")).decode("utf-8", "replace")
        out += f"\n(killed after {timeout:g} s without an answer)"
        status = None
    wall = time.monotonic() - started
    figures = json.loads(result_path.read_text()) if result_path.exists() else {}
    # What the user saw: the answer on stdout, else the last line on stderr (log lines
    # from start-up such as "created a new database" are not the answer).
    lines = [line for line in out.splitlines() if line.strip() and "%|" not in line]
    answer = [line for line in stdout.splitlines() if line.strip()]
    if status == 0 and answer:
        lines = answer
    return {
        "wall_s": wall,
        "status": status,
        "traceback": "Traceback (most recent call last)" in out,
        "lines": len(lines),
        "saw": lines[-1].strip() if lines else "",
        **figures,
    }


# ------------------------------------------------------------- newsbot run


RUN_CASES = {"sane": None, "long-fields": None, **{c: p for c, p in CASES.items() if c != "creds"}}


def rss_feed(base: str, slug: str, items: list[str], *, long: bool = False) -> bytes:
    """An RSS feed whose items link to the fine page; ``long``: over-long fields."""
    title = "T" * 600 if long else "Item"
    author = "A" * 600 if long else "a@example.org (Reporter)"
    out = []
    for item in items:
        link = f"{base}/page?{slug}-{item}" + ("&q=" + "x" * 2100 if long else "")
        out.append(f"<item><title>{title} {item}</title><link>{link}</link><guid>{slug}-{item}</guid>"
                   f"<author>{author}</author><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>"
                   f"<description>About {item}.</description></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{slug}</title>'
            f"<link>{base}/</link>{''.join(out)}</channel></rss>").encode()


def fresh_database(kind: str, workdir: Path) -> tuple[str, Any]:
    """A new database URL and a function that drops it."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'run-{time.monotonic_ns()}.sqlite'}", lambda: None
    import psycopg

    admin_url = os.environ.get("NEWSBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"newsbot_hostile_{time.monotonic_ns()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def _sql(db_url: str, query: str, params: tuple[Any, ...] = ()) -> Any:
    """Run one statement on the run's database (either schema, either kind) with
    the driver directly; the first row, if any. ``%s`` placeholders."""
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query.replace("%s", "?"), params).fetchone()
    import psycopg

    with psycopg.connect(db_url) as conn:
        cur = conn.execute(query, params)
        return cur.fetchone() if cur.description else None


def make_due(db_url: str) -> None:
    """Every feed due now (``feeds add`` just polled them; ``run`` must poll again)."""
    _sql(db_url, "UPDATE feeds SET next_poll_at = NULL")


def stored(db_url: str, needle: str) -> int:
    """Articles whose URL contains ``needle`` (both schemas have articles.url)."""
    row = _sql(db_url, "SELECT count(*) FROM articles WHERE url LIKE %s", (f"%{needle}%",))
    return int(row[0]) if row else 0


def run_poll(code: Path, server: Any, case: str, *, db: str, window: float, timeout: float,
             limit_memory: bool, workdir: Path) -> dict[str, Any]:
    """``newsbot run`` over a sane feed and, unless ``case`` is ``sane``, a feed
    that turned into the case's hostile body after ``feeds add``."""
    from tests.support.http_server import Response

    tag = f"{case}-{time.monotonic_ns()}"
    base = server.base_url
    sane_path, bad_path = f"/run/{tag}/sane.xml", f"/run/{tag}/feed.xml"
    rss = "application/rss+xml"
    server.set(sane_path, Response(rss_feed(base, f"{tag}-sane", ["a"]), content_type=rss))
    server.set(bad_path, Response(rss_feed(base, f"{tag}-bad", ["a"]), content_type=rss))
    db_url, drop = fresh_database(db, workdir)
    env = {**os.environ, "NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
           "NEWSBOT_DATABASE_URL": db_url, "PYTHONPATH": str(code)}
    for name in [n for n in env if n.startswith(("NEWSBOT_TELEGRAM", "NEWSBOT_SLACK"))]:
        env.pop(name)
    try:
        for path in ([sane_path] if case == "sane" else [sane_path, bad_path]):
            added = subprocess.run([sys.executable, "-m", "bot", "feeds", "add", server.url(path)],
                                   env=env, cwd=workdir, capture_output=True, timeout=timeout)
            if added.returncode != 0:
                said = added.stderr.decode("utf-8", "replace").strip().splitlines()
                raise RuntimeError(f"feeds add {path} failed: {said[-1] if said else '?'}")
        make_due(db_url)
        # Now the world changes: the sane feed has a new entry, the other turns hostile.
        server.set(sane_path, Response(rss_feed(base, f"{tag}-sane", ["a", "b"]), content_type=rss))
        if case == "long-fields":
            server.set(bad_path, Response(rss_feed(base, f"{tag}-bad", ["a", "b"], long=True),
                                          content_type=rss, headers={"ETag": '"' + "e" * 600 + '"'}))
        elif case != "sane":
            # a dripping *feed* for run (the drip case's page is for summarize)
            hostile = server.lookup("/drip-feeds/f0.xml" if case == "drip" else CASES[case])
            server.set(bad_path, hostile)
        result_path = workdir / f"result-{time.monotonic_ns()}.json"

        def limits() -> None:
            if limit_memory:
                resource.setrlimit(resource.RLIMIT_AS, (BEFORE_MEMORY_LIMIT, BEFORE_MEMORY_LIMIT))

        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(code), str(result_path),
             "--", "run"],
            env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            preexec_fn=limits,
        )
        try:
            proc.wait(window)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
        stop_started = time.monotonic()
        try:
            out_bytes, _ = proc.communicate(timeout=30)
            stop_s: float | None = time.monotonic() - stop_started
        except subprocess.TimeoutExpired:
            proc.kill()
            out_bytes, _ = proc.communicate()
            stop_s = None
        out = out_bytes.decode("utf-8", "replace")
        figures = json.loads(result_path.read_text()) if result_path.exists() else {}
        lines = [line for line in out.splitlines() if line.strip() and "%|" not in line]
        others = stored(db_url, f"{tag}-sane-b")
    finally:
        drop()
    warnings = [line for line in lines if " WARNING " in line or " ERROR " in line
                or "Traceback" in line]
    return {
        "wall_s": time.monotonic() - started,
        "status": proc.returncode,
        "traceback": "Traceback (most recent call last)" in out,
        "lines": len(lines),
        "saw": (warnings or lines or [""])[-1].strip(),
        "others_stored": others,
        "stop_s": stop_s,
        **figures,
    }


def fmt(result: dict[str, Any] | None) -> str:
    if result is None:
        return "-"
    rss = f"{result['rss_mb']:.0f}" if "rss_mb" in result else "?"
    worker = result.get("worker_rss_mb") or 0
    if worker > 1:
        rss += f"(+{worker:.0f}w)"
    lag = f"{result['lag_s'] * 1000:.0f}ms" if "lag_s" in result else "?"
    tb = " TRACEBACK" if result["traceback"] else ""
    if "others_stored" in result:
        tb += " others stored" if result["others_stored"] else " OTHERS LOST"
        tb += "" if result["stop_s"] is not None else " (SIGTERM ignored)"
    return f"{rss:>10} MB {result['wall_s']:6.1f}s lag {lag:>8}{tb}"


def noise_floor(seconds: float = 10.0) -> float:
    """Worst event-loop lag of an idle process on this machine right now: what
    the scheduler alone costs (2 shared cores under load stall any process)."""
    script = (
        "import asyncio, importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('looplag', {str(REPO / 'tests/support/looplag.py')!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "async def main():\n"
        "    async with mod.LagMonitor() as lag:\n"
        f"        await asyncio.sleep({seconds})\n"
        "    print(lag.worst)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    return float(out.stdout.decode().strip())


#: The code issue #15 was filed against (the last landed commit before this work).
BEFORE_REF = "ec155af"


def ensure_base(path: Path, ref: str) -> Path:
    if not path.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), ref],
                       check=True, capture_output=True)
    return path


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[5:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated: " + ", ".join(CASES) + " (run: also sane, long-fields;"
                             " --commands run alone takes all of its cases)")
    parser.add_argument("--commands", default="summarize,feeds-add",
                        help="comma-separated: summarize, feeds-add, run")
    parser.add_argument("--base", type=Path, default=None,
                        help="checkout whose code is the 'before' column (default: a worktree of "
                             "--before-ref at /tmp/hostile-base-<ref>)")
    parser.add_argument("--before-ref", default=BEFORE_REF,
                        help=f"git ref of the 'before' code (default {BEFORE_REF}, the code the "
                             "issue was measured on)")
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds before a run is killed")
    parser.add_argument("--json", action="store_true", help="also print every run as JSON")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite",
                        help="database of the 'run' command (default sqlite)")
    parser.add_argument("--run-window", type=float, default=60.0,
                        help="seconds 'newsbot run' polls before its SIGTERM (default 60)")
    args = parser.parse_args()

    cases = [c for c in args.cases.split(",") if c]
    if args.commands == "run" and args.cases == ",".join(CASES):
        cases = list(RUN_CASES)
    commands = {"summarize": ["summarize"], "feeds-add": ["feeds", "add"]}
    wanted = [c for c in args.commands.split(",") if c]
    base_path = args.base or Path(f"/tmp/hostile-base-{args.before_ref}")
    base = None if args.no_before else ensure_base(base_path, args.before_ref)
    floor = noise_floor()
    print(f"noise floor: an idle event loop on this machine lags up to {floor * 1000:.0f} ms "
          "(10 s sample)", flush=True)
    server = build_server()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsbot-hostile-") as tmp:
            workdir = Path(tmp)
            for case in cases:
                for command in wanted:
                    if command == "run":
                        if case not in RUN_CASES:
                            continue
                        kw = {"db": args.db, "window": args.run_window, "timeout": args.timeout,
                              "workdir": workdir}
                        after = run_poll(REPO, server, case, limit_memory=False, **kw)
                        before = (run_poll(base, server, case, limit_memory=True, **kw)
                                  if base else None)
                    else:
                        if case not in CASES:
                            continue
                        url = case_url(server, case, command)
                        argv = [*commands[command], url]
                        after = run_one(REPO, argv, timeout=args.timeout, limit_memory=False,
                                        workdir=workdir)
                        before = (run_one(base, argv, timeout=args.timeout, limit_memory=True,
                                          workdir=workdir) if base else None)
                    rows.append((case, command, before, after))
                    print(f"{case:15} {command:10} before {fmt(before)}   after {fmt(after)}",
                          flush=True)
                    if before:
                        print(f"{'':27}before saw: {before['saw'][:150]}")
                    print(f"{'':27} after saw: {after['saw'][:150]}", flush=True)
                    if args.json:
                        print(json.dumps({"case": case, "command": command, "before": before,
                                          "after": after}))
    finally:
        server.stop()
    worst_rss = max((r[3].get("rss_mb", 0) for r in rows), default=0)
    worst_worker = max((r[3].get("worker_rss_mb", 0) for r in rows), default=0)
    worst_wall = max((r[3]["wall_s"] for r in rows), default=0)
    worst_lag = max((r[3].get("lag_s", 0) for r in rows), default=0)
    tracebacks = sum(r[3]["traceback"] for r in rows)
    print(
        f"\nafter, worst of {len(rows)} runs: peak RSS {worst_rss:.0f} MB (goal <= 400; parse worker "
        f"{worst_worker:.0f} MB), wall {worst_wall:.1f} s (goal <= 60), event-loop lag "
        f"{worst_lag * 1000:.0f} ms (goal <= 250), tracebacks {tracebacks} (goal 0)"
    )
    runs = {r[0]: r[3] for r in rows if r[1] == "run"}
    if "sane" in runs and len(runs) > 1:
        base_rss = runs["sane"].get("rss_mb", 0)
        extra = max(r.get("rss_mb", 0) for r in runs.values()) - base_rss
        lost = [c for c, r in runs.items() if not r["others_stored"]]
        print(f"run ({args.db}): peak RSS {extra:+.0f} MB over the sane baseline's {base_rss:.0f} MB "
              f"(goal <= +100); other feeds lost in: {', '.join(lost) or 'none'}")
    print(f"noise floor before/after the runs: {floor * 1000:.0f} / {noise_floor() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
