"""A database that cannot be opened is one line naming the URL (never its
password) and what to check, from the store and from every CLI command."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot import cli
from bot.errors import StoreUnavailableError
from bot.store import Store
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture(autouse=True)
def _restore_logging(root_logging: None) -> None:
    """cli.main configures logging: put it back for later tests (the shared fixture)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except Exception:
        return False
    return True


async def _refusal(url: str) -> str:
    with pytest.raises(StoreUnavailableError) as raised:
        await Store.open(url)
    message = str(raised.value)
    assert "\n" not in message and len(message) < 400, message
    assert "s3cret" not in message
    return message


async def test_nothing_listening() -> None:
    port = _free_port()
    message = await _refusal(f"postgresql://newsbot:s3cret@127.0.0.1:{port}/newsbot")
    assert f"postgresql://newsbot:***@127.0.0.1:{port}/newsbot" in message
    assert f"nothing is listening at 127.0.0.1:{port}" in message
    assert "check that PostgreSQL is running" in message


async def test_missing_database() -> None:
    if not _server_reachable():
        pytest.skip("PostgreSQL server not reachable")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    message = await _refusal(f"{base}/newsbot_no_such_db")
    assert "'newsbot_no_such_db' does not exist" in message
    assert "createdb newsbot_no_such_db" in message


async def test_unknown_host() -> None:
    message = await _refusal("postgresql://u:s3cret@no-such-host.invalid/db")
    assert "no-such-host.invalid" in message and "check the host" in message


async def test_sqlite_file_in_a_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "deeper"
    message = await _refusal(f"sqlite:///{missing / 'newsbot.db'}")
    assert f"the folder {missing} does not exist" in message


async def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    message = await _refusal(f"sqlite:///{junk}")
    assert "is not an SQLite database file" in message


async def test_malformed_url() -> None:
    message = await _refusal("postgresql://u:s3cret@host:notaport/db")
    assert "is not valid" in message


@pytest.mark.parametrize(
    "argv",
    [["feeds", "list"], ["feeds", "add", "https://example.com/rss"], ["feeds", "remove", "1"],
     ["feeds", "export"], ["feeds", "poll"], ["digest"], ["digest", "--status"], ["run"]],
)
def test_every_command_says_one_line(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NEWSBOT_DATABASE_URL",
                       f"postgresql://newsbot:s3cret@127.0.0.1:{_free_port()}/newsbot")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    for name in ("NEWSBOT_TELEGRAM_TOKEN", "NEWSBOT_SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if line.startswith("newsbot:")]
    assert len(said) == 1 and "Traceback" not in err and "s3cret" not in err, err
    assert said[0].startswith("newsbot: cannot open the database postgresql://newsbot:***@")


def test_sqlite_in_a_missing_folder_from_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", f"sqlite:///{tmp_path}/missing/newsbot.db")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert cli.main(["feeds", "list"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"newsbot: cannot open the SQLite database sqlite:///{tmp_path}/missing/"
                   f"newsbot.db: the folder {tmp_path}/missing does not exist; create it or "
                   "point the URL at an existing folder"]
