"""Log noise of ``newsbot digest --dry-run``: stderr lines of a baseline tree
and of this one, on the same feeds served on loopback, in the same run.

Feeds: the two bundled demo sites (bot/demo_server.py; one article is missing
on purpose) and real captured news feeds from ../shared/eval/feeds (Guardian,
heise, UOL, TechCrunch, Herald Sun) served from a loopback server. Their
article links point at the real sites, which this machine cannot reach, so
every one of those pages falls back to the feed's own text: the situation of
a paywalled or bot-blocking site, and what made the issue's ~125 INFO lines.

Each tree runs as a subprocess with its own fresh SQLite database:
``newsbot feeds add`` for every feed, then ``newsbot digest --dry-run``, whose
stderr is counted (all lines; lines by log level; progress-bar lines).

    python bench/log_lines.py                         # baseline: the main branch
    python bench/log_lines.py --baseline-ref HEAD~3   # any git ref
    python bench/log_lines.py --demo-only
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.demo_server import DemoServer  # noqa: E402
from tests.support.http_server import LoopbackServer, Response  # noqa: E402

EVAL_FEEDS = REPO.parent / "shared" / "eval" / "feeds"
REAL_FEEDS = ("rss-parser/guardian.rss", "rss-parser/heise.atom", "rss-parser/uolNoticias.rss",
              "feedjira/TechCrunch.xml", "rss-parser/heraldsun.rss")
LEVEL = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def export_tree(ref: str, into: Path) -> Path:
    """``ref``'s files (``git archive``) in ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def newsbot(tree: Path, args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``newsbot ARGS`` from ``tree``'s sources, with this interpreter."""
    code = "import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, str(tree), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=3600)


def measure(tree: Path, feeds: list[str], work: Path) -> tuple[list[str], float]:
    """stderr lines of ``digest --dry-run`` after adding ``feeds``; seconds it took."""
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(NEWSBOT_DATABASE_URL=f"sqlite:///{work / 'newsbot.db'}",
               NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS="true", NEWSBOT_FETCH_TIMEOUT_S="5",
               NEWSBOT_CONFIG=str(work / "none.toml"), PYTHONPATH="")
    (work / "none.toml").write_text("")
    added = newsbot(tree, ["feeds", "add", *feeds], env, work)
    if added.returncode != 0:
        raise SystemExit(f"feeds add failed in {tree}:\n{added.stderr[-2000:]}")
    start = time.perf_counter()
    run = newsbot(tree, ["digest", "--dry-run"], env, work)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"digest --dry-run failed in {tree}:\n{run.stderr[-2000:]}")
    return run.stderr.splitlines(), elapsed


def describe(lines: list[str]) -> str:
    levels = Counter(m.group(1) for line in lines if (m := LEVEL.match(line)))
    bars = sum("%|" in line for line in lines)
    parts = [f"{levels[k]} {k}" for k in ("INFO", "WARNING", "ERROR") if levels[k]]
    return f"{len(lines)} lines ({', '.join(parts) or 'no log records'}; {bars} progress-bar lines)"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline-ref", default="main", help="git ref of the baseline (default main)")
    p.add_argument("--demo-only", action="store_true", help="only the two demo sites")
    p.add_argument("--show", action="store_true", help="print each run's stderr")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsbot-loglines-") as tmp, DemoServer() as demo:
        root = Path(tmp)
        (root / "baseline").mkdir()
        baseline = export_tree(args.baseline_ref, root / "baseline")
        feeds = list(demo.feed_urls)
        server = None
        if not args.demo_only:
            routes = {f"/feed/{i}": Response((EVAL_FEEDS / name).read_bytes(), content_type=None)
                      for i, name in enumerate(REAL_FEEDS) if (EVAL_FEEDS / name).is_file()}
            if not routes:
                print(f"note: {EVAL_FEEDS} not found; demo feeds only", file=sys.stderr)
            server = LoopbackServer(routes).start() if routes else None
            if server is not None:
                feeds += [server.url(path) for path in routes]
        try:
            results = {}
            runs = ((f"baseline ({args.baseline_ref})", baseline, "run-baseline"),
                    ("this tree", REPO, "run-this"))
            for name, tree, folder in runs:
                lines, seconds = measure(tree, feeds, root / folder)
                results[name] = lines
                print(f"{name:<22} {describe(lines)}; {seconds:.0f}s", flush=True)
                if args.show:
                    print("\n".join("    " + line for line in lines))
        finally:
            if server is not None:
                server.stop()
    before, after = (len(v) for v in results.values())
    print(f"{len(feeds)} feeds: stderr lines {before} -> {after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
