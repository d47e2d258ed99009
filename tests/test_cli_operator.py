"""The newsbot command as an operator meets it: help on every command and flag,
where data and config live, db backup/upgrade, and bad input as one line.
None of these load the model (each input is refused or handled before it)."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot import cli
from bot.digest.text import digest_text
from bot.domain import Digest
from bot.settings import load_settings
from bot.sources.opml import parse_opml
from bot.store import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NEWSBOT_DATABASE_URL", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------- help


def _leaf_parsers(parser: argparse.ArgumentParser, path: str = "newsbot"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _leaf_parsers(sub, f"{path} {name}")


def test_every_command_has_a_description_an_example_and_flag_help() -> None:
    parser = cli.build_parser()
    missing = []
    for path, sub in _leaf_parsers(parser):
        if path != "newsbot":
            if not sub.description:
                missing.append(f"{path}: no description")
            if "example" not in (sub.epilog or ""):
                missing.append(f"{path}: no example")
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if not choice.help:
                        missing.append(f"{path} {choice.dest}: no summary line")
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}: no help")
    assert missing == []


def test_feeds_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["feeds", "add", "--help"], ["feeds", "list", "--help"], ["db", "backup", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        out = capsys.readouterr().out
        assert "examples:" in out and f"newsbot {argv[0]} {argv[1]}" in out


# ------------------------------------------------- data folder, start-up line


def test_database_goes_to_the_data_folder_not_the_current_one(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data" / "nested"  # does not exist yet
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(data))
    code, out, err = run(capsys, "feeds", "list")
    assert code == 0 and "No feeds yet" in out
    assert (data / "newsbot.db").is_file()
    assert not (tmp_path / "newsbot.db").exists()  # the current folder is left alone
    lines = err.splitlines()
    assert len(lines) == 1 and "INFO bot.cli: created a new database" in lines[0]
    assert str(data / "newsbot.db") in lines[0] and "NEWSBOT_DATA_DIR" in lines[0]
    assert "config none found" in lines[0]
    code, out, err = run(capsys, "feeds", "list")
    assert code == 0 and err == ""  # a quick command on an existing database stays quiet


def test_older_database_in_the_current_folder_is_pointed_out(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "newsbot.db").write_bytes(b"")
    _, _, err = run(capsys, "feeds", "list")
    warnings = [line for line in err.splitlines() if " WARNING " in line]
    assert len(warnings) == 1 and "older newsbot" in warnings[0]
    assert f"NEWSBOT_DATABASE_URL=sqlite:///{tmp_path / 'newsbot.db'}" in warnings[0]


def test_unwritable_data_folder_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(blocker / "data"))
    code, out, err = run(capsys, "feeds", "list")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "cannot create the data folder" in err and "NEWSBOT_DATA_DIR" in err


# ------------------------------------------------------------- config


def test_config_example_is_a_valid_config(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "config", "example")
    assert code == 0 and "[newsbot]" in out
    assert tomllib.loads(out)["newsbot"]
    (tmp_path / "newsbot.toml").write_text(out)  # ./newsbot.toml is found
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    lines = out.splitlines()
    assert f"{tmp_path / 'newsbot.toml'}  (current folder; in use)" in lines[1]
    assert "user config folder" in lines[2] and "system config" in lines[3]
    assert f"data folder: {tmp_path / 'data'}  (NEWSBOT_DATA_DIR)" in out


def test_starter_feed_list_is_shipped() -> None:
    result = parse_opml(cli.starter_file("feeds.opml").encode())
    assert len(result.feeds) == 8 and not result.errors
    assert all(url.startswith("https://") for url, _ in result.feeds)


def test_import_needs_a_file_or_starter(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["feeds", "import"])
    assert info.value.code == 2 and "--starter" in capsys.readouterr().err
    code, _, err = run(capsys, "feeds", "import", "/nonexistent/feeds.opml")
    assert code == 1 and err.count("\n") == 1 and "/nonexistent/feeds.opml" in err


# ------------------------------------------------------------ db commands


def test_db_backup_copies_a_live_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "data" / "newsbot.db"
    db.parent.mkdir()

    async def seed() -> Store:
        store = await Store.open(f"sqlite:///{db}")
        await store.feeds.add_feed("https://example.com/feed.xml", title="Example")
        return store  # left open: the backup runs beside a live connection

    store = asyncio.run(seed())
    try:
        dest = tmp_path / "copy.db"
        code, out, _ = run(capsys, "db", "backup", str(dest))
        assert code == 0 and f"to {dest}" in out

        async def read() -> list[str]:
            copy = await Store.open(f"sqlite:///{dest}", migrate=False)
            try:
                return [f.url for f in await copy.feeds.list_feeds()]
            finally:
                await copy.close()

        assert asyncio.run(read()) == ["https://example.com/feed.xml"]
        code, _, err = run(capsys, "db", "backup", str(dest))  # never overwrites
        assert code == 1 and "already exists" in err and err.count("\n") == 1
        code, out, _ = run(capsys, "db", "backup")  # default: backups/ beside the database
        assert code == 0 and len(list((db.parent / "backups").glob("newsbot-*.db"))) == 1
    finally:
        asyncio.run(store.close())


def test_db_backup_of_postgres_or_nothing_is_one_line(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, "db", "backup")
    assert code == 1 and "no such database file" in err and err.count("\n") == 1
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "postgresql://bot:hunter2@127.0.0.1/newsbot")
    code, _, err = run(capsys, "db", "backup")
    assert code == 1 and "pg_dump" in err and "hunter2" not in err and err.count("\n") == 1


def test_db_upgrade_backs_up_then_migrates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from bot.store.maintenance import head_revision
    from bot.store.migrate import alembic_config

    code, out, _ = run(capsys, "db", "upgrade")  # a new database: no backup needed
    assert code == 0 and f"(empty) -> {head_revision()}" in out and "backed up" not in out
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "up to date" in out

    db = tmp_path / "data" / "newsbot.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # an older newsbot's schema
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    engine.dispose()
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "backed up" in out and f"-> {head_revision()}" in out
    assert len(list((db.parent / "backups").glob("newsbot-*.db"))) == 1


def test_db_upgrade_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "postgresql://bot:hunter2@127.0.0.1:1/newsbot")
    code, _, err = run(capsys, "db", "upgrade")
    errors = [line for line in err.splitlines() if line.startswith("newsbot:")]
    assert code == 1 and len(errors) == 1 and "127.0.0.1:1" in errors[0]
    assert "hunter2" not in err and "Traceback" not in err
    assert "INFO bot.cli: database postgresql://bot:***@127.0.0.1:1/newsbot" in err  # start-up line


# ------------------------------------------------------------- bad input


def test_missing_file_is_named_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summarize", "/tmp/newsbot-no-such-file.txt")
    assert code == 1 and out == ""
    assert err.count("/tmp/newsbot-no-such-file.txt") == 1 and err.count("\n") == 1


def test_empty_file_is_one_line_and_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    code, out, err = run(capsys, "summarize", str(empty))
    assert code == 1 and out == "" and err == f"newsbot: {empty}: empty, nothing to summarize\n"


def test_binary_stdin_is_one_line(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(png)))
    code, out, err = run(capsys, "summarize", "-")
    assert code == 1 and out == ""
    assert err == "newsbot: standard input: binary data, not text or HTML (give a UTF-8 .txt or .html)\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(png)))
    code, out, _ = run(capsys, "summarize", "-", "--json")
    assert code == 1 and '"error": "standard input: binary data' in out


@pytest.mark.parametrize("points", ["0", "-5", "11", "three", "2.5"])
def test_points_must_be_1_to_10(capsys: pytest.CaptureFixture[str], points: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["summarize", "--points", points, "x.txt"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "whole number from 1 to 10" in err


def test_points_in_range_parse() -> None:
    for points in ("1", "10"):
        args = cli.build_parser().parse_args(["summarize", "--points", points, "x.txt"])
        assert args.points == int(points)


def test_more_links_say_how_many_are_listed() -> None:
    links = tuple((f"Story {i}", f"https://example.com/{i}") for i in range(10))
    text = digest_text(Digest(chat=cli.CONSOLE, title="Digest", stories=(), more_count=115, more_links=links))
    assert "…and 115 more (the first 10 below):" in text
    text = digest_text(Digest(chat=cli.CONSOLE, title="Digest", stories=(), more_count=3, more_links=links[:3]))
    assert "…and 3 more:" in text


def test_unknown_variable_warning_reaches_the_terminal(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_KEYPOINTS", "4")
    code, _, err = run(capsys, "config", "show")
    assert code == 0 and "NEWSBOT_KEYPOINTS" in err and "NEWSBOT_KEY_POINTS?" in err


def test_webhook_secret_refused_at_start_up(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_TELEGRAM_WEBHOOK_SECRET", "not allowed!")
    code, out, err = run(capsys, "feeds", "list")
    assert code == 2 and out == "" and err.count("\n") == 1 and "not allowed!" not in err


# ------------------------------------------------------------ broken pipe


@pytest.mark.parametrize("argv", [["config", "example"], ["feeds", "list"]])
def test_closed_pipe_ends_quietly(argv: list[str], tmp_path: Path) -> None:
    """`newsbot feeds list --json | head`: the reader goes away; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is already gone: the first write fails with EPIPE
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data")}
    try:
        proc = subprocess.run([sys.executable, "-m", "bot", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, cwd=REPO, env=env, timeout=120, check=False)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert proc.returncode == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_settings_loaded_in_tests_use_the_sandbox() -> None:
    """conftest points the data folder away from the user's real one."""
    home_data = Path.home() / ".local" / "share" / "newsbot"
    assert load_settings().data_dir != home_data
