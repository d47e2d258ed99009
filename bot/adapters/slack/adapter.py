"""The Slack adapter: slack-bolt ``AsyncApp`` in, Block Kit out.

A translator only (it implements :class:`bot.ports.ChatPlatform`). Inbound,
every Slack interaction is translated into a platform-free
:class:`~bot.domain.Command` for the core (:class:`bot.ports.Core`):

* slash commands: ``/newsbot <subcommand> ...`` (any command name other than
  one ending in ``summary``) and ``/summary <url> [--private]``;
* ``app_mention`` events (``@newsbot summary <url>``);
* ``message`` events in the bot's DMs (a bare link means ``summary``);
* button presses on a reply's choices (``block_actions``);
* the bot's own membership (``member_joined_channel``/``member_left_channel`` naming the
  bot user, ``channel_left``/``group_left``, ``*_archive``/``*_unarchive``), reported to
  the core at once so a channel is paused when the bot is removed, not at its next digest.

The core's questions are answered with ``users.info`` (workspace admins and
owners), ``conversations.info`` (the channel's creator; whether the bot is a
member, and whether the channel is private) and ``conversations.join``. Who
may manage a channel, and when to join one or ask for an ``/invite``, is the
core's decision (:mod:`bot.commands.access`).

Slack wants an answer within 3 seconds, and the core may fetch and summarize
for longer. Each listener is registered bolt's way for that, ``ack=`` plus
``lazy=[...]``: the ack function answers the HTTP request (or Socket Mode
envelope) at once, and bolt starts the lazy function as a separate asyncio task
that runs the command and answers through ``response_url`` or
``chat.postMessage`` / ``chat.postEphemeral``, each under the core's reply
policy. The adapter keeps a reference to those tasks so ``close()`` can let
them finish.

Outbound, :meth:`SlackAdapter.send_payload` posts one rendered payload and maps
failures onto newsbot's delivery errors (see :mod:`.failures`). slack_sdk's
retry handlers are switched off on this client so a 429 reaches the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.adapters.slack.failures import BAD_CREDENTIALS, api_error_code, map_exception, retry_after
from bot.adapters.slack.parse import (
    MEMBERSHIP_EVENTS,
    CommandLine,
    chat_kind,
    find_url,
    membership_event,
    parse_command_line,
    split_words,
    strip_mentions,
    unwrap_links,
)
from bot.adapters.slack.render import CHOICE_ACTION_PREFIX, render
from bot.commands.registry import BY_NAME
from bot.domain import ChatKind, ChatRef, Command, Digest, Platform, Reply, UserRef
from bot.errors import ConfigError, RateLimited, TransientDeliveryError
from bot.ports import ChatPlatform, Core, Posting, RateLimits, UpdateInbox
from bot.records import Payload
from bot.settings import Settings

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WORKING = "Working on it…"
MENTION_HINT_TEXT = ("Send me a link to summarize it, or type /newsbot help to see "
                     "what I can do.")
SLOW_COMMANDS = frozenset({"summary", "digest", "subscribe"})
FAILED = Reply(
    text="Sorry, something went wrong on our side. Please try again later.", is_error=True
)
DRAIN_TIMEOUT_S = 3.0  # SIGTERM must end the process within 8 s; the inbox keeps the rest
#: In HTTP mode several processes may receive; a request another one claimed
#: less than this long ago is left to it when recovering at start-up.
RECOVERY_AGE_S = 120.0
# chat.postMessage: 1 message/s per channel (short bursts tolerated) and
# "several hundred per minute" per workspace.
SLACK_LIMITS = RateLimits(global_per_second=5.0, per_chat_per_second=1.0)
_ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")


class SlackAdapter(ChatPlatform):
    """newsbot on Slack: Socket Mode when an app token is set, HTTP (``/slack/events``) otherwise."""

    platform: Platform = "slack"

    def __init__(self, settings: Settings, *, limits: RateLimits | None = None) -> None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
        if not token:
            raise ConfigError("Slack needs NEWSBOT_SLACK_BOT_TOKEN (the xoxb-... bot token)")
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else ""
        )
        app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
        if not app_token and not secret:
            raise ConfigError(
                "Slack HTTP mode needs NEWSBOT_SLACK_SIGNING_SECRET "
                "(or set NEWSBOT_SLACK_APP_TOKEN for Socket Mode)"
            )
        self.limits = limits or SLACK_LIMITS
        self.socket_mode = bool(app_token)
        self._app_token = app_token
        self._core: Core | None = None
        self._started = asyncio.Event()
        base_url = (
            settings.slack_api_url
            if settings.slack_api_url.endswith("/")
            else settings.slack_api_url + "/"
        )
        # Bolt's own client (auth.test, Socket Mode's apps.connections.open) has no
        # shared session: bolt deep-copies it into every lazy listener's request,
        # and an aiohttp session cannot be copied.
        bolt_client = AsyncWebClient(token=token, base_url=base_url)
        # Ours: one session for every send, and retry_handlers=[] so no hidden
        # retries: 429s and network errors reach the core.
        self.client = AsyncWebClient(token=token, base_url=base_url, retry_handlers=[])
        self.app = AsyncApp(
            client=bolt_client,
            signing_secret=secret,
            name="newsbot",
            logger=logging.getLogger("bot.adapters.slack.bolt"),
        )
        self.app.use(self._store_first)
        self._http = AsyncSlackRequestHandler(self.app)
        self._socket: Any = None
        self._session: aiohttp.ClientSession | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._inbox: UpdateInbox | None = None
        self._repeats: set[str] = set()  # inbox keys of requests handled before
        self._recovering: set[str] = set()  # stored by a previous run, dispatched again
        self.bot_user_id: str | None = None
        self._bot_name = "newsbot"  # the bot user's name, from auth.test (for "/invite @name")
        self._register()

    @property
    def bot_name(self) -> str:
        return self._bot_name

    @property
    def core(self) -> Core:
        if self._core is None:
            raise RuntimeError("the Slack adapter was not started")
        return self._core

    # ------------------------------------------------------------ outbound

    def render(self, message: Digest | Reply) -> list[Payload]:
        return render(message)

    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None:
        """``chat.postMessage`` one payload; return its ``ts``. Raises newsbot delivery errors."""
        self._ensure_session()
        try:
            response = await self.client.chat_postMessage(channel=to.external_id, **payload)
        except Exception as exc:
            raise map_exception(exc, to.external_id) from exc
        ts = response.get("ts")
        return str(ts) if ts is not None else None

    # ------------------------------------------------------------ lifecycle

    def routes(self) -> list[Route]:
        if self.socket_mode:
            return []
        return [Route(EVENTS_PATH, self._endpoint, methods=["POST"], name="slack_events")]

    async def _endpoint(self, request: Request) -> Response:
        # newsbot's web server may be up a moment before start(): wait for it
        await self._started.wait()
        return await self._http.handle(request)

    async def start(self, core: Core) -> None:
        """Check the token (fail fast on a wrong one), then connect Socket Mode if configured."""
        self._core = core
        self._started.set()
        await self.connect()
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self._app_token)
            await self._socket.connect_async()
            logger.info("Slack: connected in Socket Mode")
        else:
            logger.info("Slack: HTTP mode, Slack posts to %s", EVENTS_PATH)
        await self._recover_requests()

    async def connect(self) -> None:
        """Initialise for sending only: open the HTTP session and check the token,
        without receiving events (a delivery worker, ``newsbot run --delivery-only``)."""
        self._ensure_session()
        try:
            auth = await self.client.auth_test()
            self.bot_user_id = auth.get("user_id")
            self._bot_name = auth.get("user") or self._bot_name
            logger.info("Slack: signed in as %s in %s", auth.get("user"), auth.get("team"))
        except SlackApiError as exc:
            code = api_error_code(exc)
            if code in BAD_CREDENTIALS or code == "account_inactive":
                raise ConfigError(f"Slack rejected NEWSBOT_SLACK_BOT_TOKEN: {code}") from None
            logger.warning("Slack auth.test failed (%s); continuing", code)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            logger.warning("Slack is unreachable at start-up (%s); continuing", type(exc).__name__)

    async def close(self) -> None:
        """Close Socket Mode, let in-flight commands finish (bounded), close the HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(DRAIN_TIMEOUT_S)
        for task in list(self._inflight):
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
            self.client.session = None

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every command started so far has been answered (tests, shutdown)."""
        # Bolt schedules lazy listeners with ensure_future; one turn of the loop
        # lets those that are scheduled but not yet running register themselves.
        await asyncio.sleep(0)
        while self._inflight:
            done, _ = await asyncio.wait(set(self._inflight), timeout=timeout)
            if not done:
                logger.warning("Slack: %d commands still running at shutdown", len(self._inflight))
                return

    def _ensure_session(self) -> None:
        """One aiohttp session for every Web API call and response_url post."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self.client.session = self._session

    # ------------------------------------------------------------ questions

    async def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        """A workspace admin or owner (``users.info``), or the channel's creator
        (``conversations.info``)."""
        self._ensure_session()
        try:
            profile = (await self.client.users_info(user=user.external_id)).get("user") or {}
            if any(profile.get(flag) for flag in _ADMIN_FLAGS):
                return True
        except Exception as exc:
            self._question_failed("users.info", chat, exc, "users:read")
        info = await self._channel_info(chat)
        return info is not None and info.get("creator") == user.external_id

    async def posting(self, chat: ChatRef, kind: ChatKind) -> Posting:
        """From ``conversations.info``: a member (or a DM) may post; a public
        channel can be joined; a private one (which Slack hides from a bot that
        is not in it) needs an invite."""
        self._ensure_session()
        try:
            response = await self.client.conversations_info(channel=chat.external_id)
        except Exception as exc:
            code = api_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            if code == "channel_not_found":  # how a private channel the bot is not in looks
                return Posting.NEEDS_INVITE
            self._question_failed("conversations.info", chat, exc, "channels:read, groups:read")
            return Posting.UNKNOWN
        info = response.get("channel") or {}
        if info.get("is_member") or info.get("is_im") or info.get("is_mpim"):
            return Posting.ALLOWED
        return Posting.NEEDS_INVITE if info.get("is_private") else Posting.JOINABLE

    async def join(self, chat: ChatRef) -> bool:
        self._ensure_session()
        try:
            await self.client.conversations_join(channel=chat.external_id)
        except Exception as exc:
            code = api_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            logger.warning("Slack: could not join %s (%s)", chat, code)
            return False
        return True

    async def _channel_info(self, chat: ChatRef) -> dict[str, Any] | None:
        try:
            response = await self.client.conversations_info(channel=chat.external_id)
        except Exception as exc:
            self._question_failed("conversations.info", chat, exc, "channels:read, groups:read")
            return None
        info = response.get("channel")
        return info if isinstance(info, dict) else None

    @staticmethod
    def _question_failed(method: str, chat: ChatRef, exc: Exception, scopes: str) -> None:
        code = api_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
        hint = f" (add the {scopes} scopes)" if code == "missing_scope" else ""
        logger.warning("Slack: %s failed for %s: %s%s", method, chat, code, hint)

    # ------------------------------------------------------------ inbound

    def _register(self) -> None:
        self.app.command(re.compile(r"^/"))(ack=self._ack_command, lazy=[self._on_command])
        self.app.event("app_mention")(ack=self._ack, lazy=[self._on_mention])
        self.app.event("message")(ack=self._ack, lazy=[self._on_message])
        self.app.action(re.compile("^" + re.escape(CHOICE_ACTION_PREFIX)))(
            ack=self._ack, lazy=[self._on_choice]
        )
        for name in sorted(MEMBERSHIP_EVENTS):
            self.app.event(name)(ack=self._ack, lazy=[self._on_membership])

    @staticmethod
    async def _ack(ack: Any) -> None:
        await ack()

    async def _ack_command(self, ack: Any, command: dict[str, Any]) -> None:
        line = self._slash_line(command)
        if line.name in SLOW_COMMANDS:
            await ack(text=WORKING, response_type="ephemeral")
        else:
            await ack()

    # ------------------------------------------------------------ inbox

    def use_inbox(self, inbox: UpdateInbox) -> None:
        self._inbox = inbox

    async def _store_first(
        self, body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """bolt middleware, before any listener (and so before any ack, bolt's
        automatic one for events included): store the request in the inbox.
        When that fails Slack gets a 500 and sends it again; a request stored
        before (Slack's retry of one we acked) is acked and not handled again."""
        key = _inbox_key(body)
        if self._inbox is None or key is None:
            return await next()
        if key in self._recovering:
            self._recovering.discard(key)  # stored by a previous run, handled now
            return await next()
        try:
            new = await self._inbox.accept("slack", [(key, body)])
        except Exception as exc:
            logger.warning("Slack: could not store a request (%s); not acknowledging it, "
                           "Slack sends it again", type(exc).__name__)
            return BoltResponse(status=500, body="")
        if key not in new:
            self._repeats.add(key)
        return await next()

    def _first_time(self, body: dict[str, Any]) -> bool:
        """False for a request handled before, or not stored (its lazy listener
        does nothing)."""
        key = _inbox_key(body)
        if key is not None and key in self._repeats:
            self._repeats.discard(key)
            return False
        return True


    async def _handled(self, body: dict[str, Any]) -> None:
        key = _inbox_key(body)
        if self._inbox is None or key is None:
            return
        try:
            await self._inbox.handled("slack", key)
        except Exception as exc:
            logger.warning("Slack: could not mark a request handled (%s)", type(exc).__name__)

    async def _recover_requests(self) -> None:
        """Handle the requests a previous run stored and acknowledged but never
        finished (dispatched again through bolt, without a signature check)."""
        if self._inbox is None:
            return
        age = 0.0 if self.socket_mode else RECOVERY_AGE_S
        try:
            pending = await self._inbox.claim_unhandled("slack", older_than_s=age)
        except Exception as exc:
            logger.warning("Slack: could not look for unhandled requests (%s)",
                           type(exc).__name__)
            return
        for key, body in pending:
            self._recovering.add(key)
            await self.app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
        if pending:
            logger.info("Slack: handling %d requests a previous run did not finish",
                        len(pending))

    @staticmethod
    def _slash_line(command: dict[str, Any]) -> CommandLine:
        text = command.get("text") or ""
        if str(command.get("command", "")).lower().endswith("summary"):
            words, private = split_words(text)
            return CommandLine("summary", tuple(words), private)
        return parse_command_line(text)

    async def _on_command(self, command: dict[str, Any], body: dict[str, Any]) -> None:
        with self._tracked():
            if not self._first_time(body):
                return
            await self._run_command(command)
            await self._handled(body)

    async def _run_command(self, command: dict[str, Any]) -> None:
        line = self._slash_line(command)
        channel = command.get("channel_id", "")
        cmd = self._command(
            line,
            channel=channel,
            channel_name=command.get("channel_name"),
            user_id=command.get("user_id"),
            user_name=command.get("user_name"),
            raw=f"{command.get('command', '')} {command.get('text', '')}".strip(),
        )
        reply = await self._handle(cmd)
        ephemeral = reply.is_error or reply.private or line.private
        for payload in render(reply):
            message = {**payload, "response_type": "ephemeral" if ephemeral else "in_channel"}
            await self._respond(command.get("response_url"), cmd, message)

    async def _on_mention(
        self, event: dict[str, Any], context: Any, request: AsyncBoltRequest,
        body: dict[str, Any],
    ) -> None:
        with self._tracked():
            if not self._first_time(body) or (self._inbox is None and _is_retry(request)):
                return
            text = strip_mentions(event.get("text", ""), context.get("bot_user_id"))
            await self._reply_to_event(event, text)
            await self._handled(body)

    async def _on_message(
        self, event: dict[str, Any], request: AsyncBoltRequest, body: dict[str, Any]
    ) -> None:
        with self._tracked():
            if not self._first_time(body) or (self._inbox is None and _is_retry(request)):
                return
            if (event.get("channel_type") == "im" and not event.get("subtype")
                    and not event.get("bot_id") and event.get("user")):
                # not edits, joins, other bots, our own messages
                await self._reply_to_event(event, event.get("text", ""))
            await self._handled(body)

    async def _reply_to_event(self, event: dict[str, Any], text: str) -> None:
        line = _event_line(text)
        channel = event.get("channel", "")
        user = event.get("user")
        cmd = self._command(line, channel=channel, user_id=user, raw=text)
        if line.name == _HINT:
            # "what's new today?": one line that says where the commands are, not all of them.
            reply = Reply(MENTION_HINT_TEXT, private=True)
        else:
            reply = await self._handle(cmd)
        thread_ts = event.get("thread_ts")
        private = reply.is_error or reply.private or line.private
        for payload in render(reply):
            if thread_ts:
                payload = {**payload, "thread_ts": thread_ts}
            await self._post(cmd, payload, ephemeral_user=user if private else None)

    async def _on_choice(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        with self._tracked():
            if not self._first_time(body):
                return
            await self._run_choice(body, action)
            await self._handled(body)

    async def _run_choice(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        line = parse_command_line(action.get("value", ""))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id", ""
        )
        user = body.get("user") or {}
        cmd = self._command(
            line,
            channel=channel,
            channel_name=(body.get("channel") or {}).get("name"),
            user_id=user.get("id"),
            user_name=user.get("username") or user.get("name"),
            raw=action.get("value", ""),
        )
        reply = await self._handle(cmd)
        for i, payload in enumerate(render(reply)):
            if reply.is_error:
                extra = {"response_type": "ephemeral", "replace_original": False}
            elif i == 0:
                extra = {"replace_original": True}
            else:
                extra = {"response_type": "ephemeral" if reply.private else "in_channel"}
            await self._respond(body.get("response_url"), cmd, {**payload, **extra})

    @staticmethod
    def _command(
        line: CommandLine,
        *,
        channel: str,
        channel_name: str | None = None,
        user_id: str | None = None,
        user_name: str | None = None,
        raw: str = "",
    ) -> Command:
        kind = chat_kind(channel, channel_name)
        title = f"#{channel_name}" if channel_name and kind != "private" else None
        return Command(
            name=line.name,
            args=line.args,
            chat=ChatRef("slack", channel),
            user=UserRef("slack", user_id, user_name) if user_id else None,
            chat_kind=kind,
            chat_title=title,
            raw=raw,
        )

    async def _handle(self, command: Command) -> Reply:
        try:
            return await self.core.handle(command)
        except Exception:
            logger.exception("command %r failed in %s", command.name, command.chat)
            return FAILED

    # ------------------------------------------------------------ membership

    async def _on_membership(
        self, event: dict[str, Any], context: Any, body: dict[str, Any]
    ) -> None:
        """The bot was added to / removed from a channel, or the channel was (un)archived."""
        with self._tracked():
            if not self._first_time(body):
                return
            await self._membership(event, context)
            await self._handled(body)

    async def _membership(self, event: dict[str, Any], context: Any) -> None:
        bot_user = self.bot_user_id or context.get("bot_user_id")
        change = membership_event(event, bot_user)
        if change is None:
            return
        ref = ChatRef("slack", change.channel)
        logger.debug("Slack: %s in %s", event.get("type"), ref)
        try:
            if change.kind is None:
                await self.core.bot_returned(ref)
            else:
                await self.core.bot_removed(ref, change.kind, change.reason)
        except Exception:
            logger.exception("Slack: could not record the app's membership of %s", ref)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            self._ensure_session()
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    # ------------------------------------------------------------ direct replies

    async def _post(
        self, cmd: Command, payload: Payload, ephemeral_user: str | None = None
    ) -> None:
        """Reply with chat.postMessage, or chat.postEphemeral to ``ephemeral_user``."""
        channel = cmd.chat.external_id

        async def send(p: Payload) -> None:
            try:
                if ephemeral_user:
                    await self.client.chat_postEphemeral(channel=channel, user=ephemeral_user, **p)
                else:
                    await self.client.chat_postMessage(channel=channel, **p)
            except Exception as exc:
                raise map_exception(exc, channel) from exc

        await self.core.deliver_reply(
            cmd.chat, payload, send, group=cmd.chat_kind != "private",
            requeue=None if ephemeral_user else payload,
        )

    async def _respond(
        self, response_url: str | None, cmd: Command, message: Payload
    ) -> None:
        """Answer through a command's response_url. A public answer Slack keeps
        refusing may go out later as a channel message; a private one may not."""
        if not response_url:
            logger.warning("Slack: no response_url to answer in %s", cmd.chat)
            return
        webhook = AsyncWebhookClient(url=response_url, session=self._session, retry_handlers=[])

        async def send(m: Payload) -> None:
            try:
                response = await webhook.send_dict(m)
            except Exception as exc:
                raise map_exception(exc, cmd.chat.external_id) from exc
            if response.status_code == 429:
                raise RateLimited(retry_after(response.headers))
            if response.status_code != 200:
                raise TransientDeliveryError(
                    f"response_url answered {response.status_code}: {response.body[:100]}"
                )

        public = message.get("response_type") == "in_channel"
        requeue = (
            {k: v for k, v in message.items() if k not in ("response_type", "replace_original")}
            if public else None
        )
        await self.core.deliver_reply(
            cmd.chat, message, send, group=cmd.chat_kind != "private", requeue=requeue
        )


_HINT = "_hint"  # not a command: the one-line pointer to /newsbot help


def _event_line(text: str) -> CommandLine:
    """Mention / DM text -> command: a known command word, else a link means summary,
    nothing at all means help, and other words get the one-line hint."""
    line = parse_command_line(text)
    if line.name in BY_NAME:
        return line
    url = find_url(unwrap_links(text))
    if url is not None:
        return CommandLine("summary", (url,), line.private)
    return CommandLine(_HINT, (), line.private)


def _inbox_key(body: dict[str, Any]) -> str | None:
    """The inbox key of a Slack request: its event id, a button press's trigger
    and time, a slash command's content; None for anything else."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"[:128]
    if body.get("type") == "block_actions":
        actions = body.get("actions") or [{}]
        return f"action:{body.get('trigger_id')}:{actions[0].get('action_ts')}"[:128]
    if body.get("command"):
        # Slack never resends a slash command, and a test's trigger ids may repeat:
        # the whole request is the key
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        return f"command:{digest}"
    return None


def _is_retry(request: AsyncBoltRequest) -> bool:
    """Slack re-sends an event it thinks we missed; we acked at once, so a retry is a duplicate."""
    value: Any = request.headers.get("x-slack-retry-num")
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    try:
        # Socket Mode mirrors the header with "0" for a first delivery.
        return value is not None and int(value) > 0
    except (TypeError, ValueError):
        return False
