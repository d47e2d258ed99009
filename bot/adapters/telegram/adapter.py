"""The Telegram adapter: python-telegram-bot ``Application`` <-> newsbot core.

A translator only (it implements :class:`bot.ports.ChatPlatform`). Inbound,
updates become :class:`bot.domain.Command` objects handed to the core
(:class:`bot.ports.Core`), and the bot's own ``my_chat_member`` changes and
group migrations become membership news; outbound, ``Reply``/``Digest``
become HTML payloads (:mod:`.render`) sent with one shared HTTP connection
pool; SDK errors leave this package only as :mod:`bot.errors` exceptions
(:mod:`.error_map`). The core's questions are answered with getChatMember
(administrators, the bot's right to post in a channel) and getChat
(``@channel`` names). Rate limits, who may manage a chat, channel targeting
and retrying a rate-limited reply are the core's: PTB's own
``AIORateLimiter`` is not used.

Lifecycle (newsbot owns the event loop, so no ``run_polling``):
``connect()`` initialises the Application (getMe) for sending; ``start(core)``
also registers the commands, then either registers the webhook (``routes()``
serves it) or starts long polling; ``close()`` undoes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from telegram import (
    BotCommand,
    Chat,
    ChatMemberRestricted,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram import error as tg
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.ext import CommandHandler as PTBCommandHandler
from telegram.request import HTTPXRequest

from bot.adapters.telegram import render as tgrender
from bot.adapters.telegram.callbacks import CallbackTokens
from bot.adapters.telegram.error_map import (
    is_entity_error,
    is_not_modified,
    translate,
)
from bot.adapters.telegram.parsing import (
    bot_membership,
    find_urls,
    is_address,
    just_a_link,
    parse_command,
    parse_command_line,
)
from bot.adapters.telegram.webhook import (
    derive_secret,
    make_webhook_route,
    public_webhook_url,
    webhook_path,
)
from bot.commands.registry import COMMANDS
from bot.domain import ChatKind, ChatRef, Command, Digest, Platform, Reply, UserRef
from bot.errors import ConfigError, TransientDeliveryError
from bot.logredact import protect, redact
from bot.ports import ChatPlatform, ChatTarget, Core, Posting, RateLimits, UpdateInbox
from bot.records import Payload
from bot.settings import Settings

logger = logging.getLogger(__name__)

TELEGRAM_LIMITS = RateLimits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
# my_chat_member: the bot was added to / removed from a chat, or a user blocked it. Telegram only
# sends the update types listed here.
ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]
TYPING_INTERVAL_S = 4.0  # Telegram shows "typing…" for ~5 s per sendChatAction
ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})

UNKNOWN_COMMAND_TEXT = "I don't know /{name}. Send /help to see what I can do."
PRIVATE_HINT_TEXT = "Send me a link to summarize it, or /help to see what I can do."
MANY_LINKS_TEXT = "Send me one link at a time and I'll summarize it."
INTERNAL_ERROR_TEXT = "Something went wrong on my side. Please try again in a minute."
EXPIRED_BUTTON_TEXT = "This button has expired. Please run the command again."

ALERT_MAX = 200

TGApp = Application[Any, Any, Any, Any, Any, Any]

#: On close, commands still running get this long to finish; then they are
#: cancelled and their updates, still unhandled in the inbox, are handled
#: after the restart (SIGTERM must end the process within 8 s).
HANDLER_GRACE_S = 3.0
#: In webhook mode several processes receive; an update another one claimed
#: less than this long ago is left to it when recovering at start-up.
WEBHOOK_RECOVERY_AGE_S = 120.0


class _QuietUpdaterCleanup(logging.Filter):
    """PTB's Updater logs an ERROR with a traceback when its last ``getUpdates``
    at shutdown (confirming what was fetched) fails, say because the API is
    unreachable. Nothing is lost (the inbox skips updates Telegram sends
    again), so it becomes one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Error while calling `get_updates` one more time"):
            record.msg = ("telegram: could not confirm the last updates while stopping (%s); "
                          "Telegram sends them again and those already handled are skipped")
            error = record.exc_info[1] if record.exc_info else None
            record.args = (redact(str(error)) if error else "no answer",)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_UPDATER_FILTER = _QuietUpdaterCleanup()


class _Inbox:
    """The adapter's side of the update inbox (:class:`bot.ports.UpdateInbox`):
    updates are stored before Telegram is told they arrived (the next
    ``getUpdates`` offset, or the webhook's 200) and marked handled when
    their handler returns. Without an inbox (tests, tools) it does nothing."""

    def __init__(self) -> None:
        self.store: UpdateInbox | None = None
        self.known: set[int] = set()  # update ids handled (or being handled) before
        self.running: set[asyncio.Task[Any]] = set()  # handlers in progress

    async def accept(self, updates: Sequence[Update]) -> set[int]:
        """Store the updates; return the ids of those to handle. Raises
        ``NetworkError`` when they could not be stored, so PTB retries the
        ``getUpdates`` without confirming them."""
        if self.store is None or not updates:
            return {u.update_id for u in updates}
        try:
            new = await self.store.accept(
                "telegram", [(str(u.update_id), u.to_dict()) for u in updates])
        except Exception as exc:
            logger.warning("telegram: could not store %d updates (%s); not confirming them",
                           len(updates), type(exc).__name__)
            raise tg.NetworkError("updates could not be stored in the inbox") from None
        fresh = {u.update_id for u in updates if str(u.update_id) in new}
        self.known.update(u.update_id for u in updates if u.update_id not in fresh)
        return fresh

    async def handled(self, update_id: int) -> None:
        if self.store is None:
            return
        try:
            await self.store.handled("telegram", str(update_id))
        except Exception as exc:  # handled again after a restart: acceptable, logged
            logger.warning("telegram: could not mark update %d handled (%s)",
                           update_id, type(exc).__name__)


class _InboxBot(ExtBot[None]):
    """PTB's bot, storing what ``getUpdates`` returns in the inbox before
    returning it: PTB confirms updates with the offset of its next call, so
    nothing is confirmed that was not stored."""

    __slots__ = ("_inbox",)

    def __init__(self, token: str, inbox: _Inbox, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        with self._unfrozen():
            self._inbox = inbox

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        updates = await super().get_updates(offset=offset, limit=limit, timeout=timeout,
                                            allowed_updates=allowed_updates, **kwargs)
        await self._inbox.accept(updates)
        return updates


class _InboxApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, skipping updates handled before and marking each
    update handled in the inbox once its handlers returned."""

    inbox: _Inbox

    async def process_update(self, update: object) -> None:
        inbox = self.inbox
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        if update.update_id in inbox.known:
            inbox.known.discard(update.update_id)
            return  # sent again by Telegram; it was handled (or is being) already
        task = asyncio.current_task()
        if task is not None:
            inbox.running.add(task)
        try:
            await super().process_update(update)
        finally:
            if task is not None:
                inbox.running.discard(task)
        await inbox.handled(update.update_id)


def _file_url(api_url: str) -> str:
    """``.../bot`` -> ``.../file/bot`` (the Bot API's file endpoint next to the method endpoint)."""
    return api_url[: -len("/bot")] + "/file/bot" if api_url.endswith("/bot") else api_url


def _alert_text(text: str) -> str:
    """answerCallbackQuery shows at most 200 characters."""
    text = " ".join(text.split())
    return text if len(text) <= ALERT_MAX else text[: ALERT_MAX - 1] + "…"


def _user_ref(user: User | None) -> UserRef | None:
    if user is None:
        return None
    return UserRef("telegram", str(user.id), user.full_name or user.username,
                   username=user.username)


def _chat_id(external_id: str) -> int | str:
    """Numeric chat ids as int; ``@channelname`` stays a string."""
    try:
        return int(external_id)
    except ValueError:
        return external_id


def _chat_ref(chat_id: int | str) -> ChatRef:
    return ChatRef("telegram", str(chat_id))


def _kind_of(chat_type: str) -> ChatKind:
    if chat_type == ChatType.PRIVATE:
        return "private"
    return "channel" if chat_type == ChatType.CHANNEL else "group"


class TelegramAdapter(ChatPlatform):
    """newsbot on Telegram."""

    platform: Platform = "telegram"

    def __init__(
        self,
        settings: Settings,
        *,
        limits: RateLimits | None = None,
        poll_timeout: float = 10.0,
        request_timeout: float = 15.0,
        connection_pool_size: int = 64,
        concurrent_updates: int = 32,
    ) -> None:
        if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
            raise ConfigError("NEWSBOT_TELEGRAM_TOKEN is not set")
        token = settings.telegram_token.get_secret_value()
        self.settings = settings
        self.limits = limits or TELEGRAM_LIMITS
        self.poll_timeout = poll_timeout
        self._core: Core | None = None
        self._tokens = CallbackTokens()
        self._webhook_url = settings.telegram_webhook_url
        secret = settings.telegram_webhook_secret
        if secret and secret.get_secret_value():
            self._webhook_secret = secret.get_secret_value()
        else:
            self._webhook_secret = derive_secret(token)
            protect(self._webhook_secret)  # not a setting, so the redactor must be told
        self._request = HTTPXRequest(
            connection_pool_size=connection_pool_size,
            connect_timeout=min(5.0, request_timeout),
            read_timeout=request_timeout,
            write_timeout=request_timeout,
            pool_timeout=request_timeout,
        )
        # getUpdates holds its connection for up to poll_timeout: its own small pool, so a long
        # poll never waits for (or blocks) a send.
        self._updates_request = HTTPXRequest(
            connection_pool_size=2,
            connect_timeout=min(5.0, request_timeout),
            read_timeout=request_timeout,
            write_timeout=request_timeout,
            pool_timeout=request_timeout,
        )
        updater_log = logging.getLogger("telegram.ext.Updater")
        if _UPDATER_FILTER not in updater_log.filters:
            updater_log.addFilter(_UPDATER_FILTER)
        self._inbox = _Inbox()
        bot = _InboxBot(
            token,
            self._inbox,
            base_url=settings.telegram_api_url,
            base_file_url=_file_url(settings.telegram_api_url),
            request=self._request,
            get_updates_request=self._updates_request,
        )
        builder = (
            ApplicationBuilder()
            .application_class(_InboxApplication)
            .bot(bot)
            .job_queue(None)
            .concurrent_updates(concurrent_updates)
        )
        if self._webhook_url:
            builder = builder.updater(None)
        self._app: TGApp = builder.build()
        assert isinstance(self._app, _InboxApplication)
        self._app.inbox = self._inbox
        self._install_handlers(self._app)

    # ------------------------------------------------------------ lifecycle

    @property
    def application(self) -> TGApp:
        """The PTB Application (for tests and diagnostics; never hand it to the core)."""
        return self._app

    @property
    def webhook_secret(self) -> str:
        return self._webhook_secret

    @property
    def bot_name(self) -> str:
        try:
            return str(self._app.bot.username)
        except RuntimeError:  # PTB knows the name only after getMe (connect)
            return super().bot_name

    @property
    def core(self) -> Core:
        if self._core is None:
            raise RuntimeError("the Telegram adapter was not started")
        return self._core

    def use_inbox(self, inbox: UpdateInbox) -> None:
        self._inbox.store = inbox

    def routes(self) -> list[Any]:
        if not self._webhook_url:
            return []
        return [
            make_webhook_route(
                webhook_path(self._webhook_url), self._webhook_secret, lambda: self._app,
                accept=self._accept_webhook_update,
            )
        ]

    async def _accept_webhook_update(self, update: Update) -> bool:
        """Store a webhook update before answering 200; False: seen before."""
        return bool(await self._inbox.accept([update]))

    async def _recover_updates(self) -> None:
        """Handle the updates a previous process stored but never finished."""
        if self._inbox.store is None:
            return
        age = WEBHOOK_RECOVERY_AGE_S if self._webhook_url else 0.0
        try:
            pending = await self._inbox.store.claim_unhandled("telegram", older_than_s=age)
        except Exception as exc:
            logger.warning("telegram: could not look for unhandled updates (%s)",
                           type(exc).__name__)
            return
        for key, payload in pending:
            try:
                update = Update.de_json(payload, self._app.bot)
            except (KeyError, TypeError, ValueError) as exc:
                logger.warning("telegram: stored update %s is unreadable (%s); dropped", key, exc)
                await self._inbox.handled(int(key))
                continue
            await self._app.update_queue.put(update)
        if pending:
            logger.info("telegram: handling %d updates a previous run did not finish",
                        len(pending))

    async def connect(self) -> None:
        """Initialise for sending only (getMe), without receiving updates.

        For an outbound-only process (a delivery worker beside a webhook web
        process); ``start()`` calls it too, ``close()`` closes it. Idempotent.
        """
        app = self._app
        try:
            await app.initialize()  # a no-op when already initialised
        except tg.InvalidToken:
            await self._close_requests()
            raise ConfigError("Telegram rejected NEWSBOT_TELEGRAM_TOKEN (getMe failed)") from None
        except tg.TelegramError as exc:
            await self._close_requests()
            raise TransientDeliveryError(
                f"cannot reach the Telegram Bot API: {redact(str(exc))}"
            ) from None

    async def start(self, core: Core) -> None:
        self._core = core
        app = self._app
        await self.connect()
        try:
            await app.bot.set_my_commands(
                [BotCommand(spec.name, spec.description[:256]) for spec in COMMANDS]
            )
            if self._webhook_url:
                await app.bot.set_webhook(
                    public_webhook_url(self._webhook_url),
                    secret_token=self._webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
                logger.info("telegram: webhook registered for @%s", app.bot.username)
            else:
                assert app.updater is not None
                await app.updater.start_polling(
                    timeout=int(self.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=self._polling_error,
                )
                logger.info("telegram: long polling as @%s", app.bot.username)
            await app.start()
            await self._recover_updates()
        except tg.TelegramError as exc:
            await self.close()
            raise TransientDeliveryError(f"telegram start-up failed: {redact(str(exc))}") from None

    @property
    def receives_by_polling(self) -> bool:
        return not self._webhook_url

    async def stop_receiving(self) -> None:
        """Stop long polling and handling updates; the bot still sends."""
        app = self._app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()

    async def close(self) -> None:
        """Stop receiving; commands in progress get :data:`HANDLER_GRACE_S` to
        finish, then are cancelled (their updates stay unhandled in the inbox
        and are handled after the restart); close the connections."""
        app = self._app
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        running = set(self._inbox.running)
        if running:
            _, late = await asyncio.wait(running, timeout=HANDLER_GRACE_S)
            if late:
                logger.info("telegram: stopping with %d commands unfinished; they are "
                            "handled after the restart", len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
        if app.running:
            await app.stop()
        with contextlib.suppress(tg.TelegramError):
            await app.shutdown()

    async def _close_requests(self) -> None:
        for request in (self._request, self._updates_request):
            with contextlib.suppress(Exception):
                await request.shutdown()

    @staticmethod
    def _polling_error(exc: tg.TelegramError) -> None:
        logger.warning("telegram polling error: %s", redact(str(exc)))

    # ------------------------------------------------------------ outbound

    def render(self, message: Digest | Reply) -> list[Payload]:
        """Payloads for one digest or reply (a digest's layout setting may ask
        for one message per story)."""
        if isinstance(message, Digest):
            return tgrender.render_digest(message, per_story=message.one_message_per_story)
        return tgrender.render_reply(message, self._tokens.encode)

    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None:
        """Send one payload; raise RateLimited / RecipientGone / ChatMigrated /
        MessageRejected / TransientDeliveryError.

        A payload whose HTML Telegram cannot parse is resent once as plain
        text, so one story's markup never blocks a digest.
        """
        try:
            message = await self._send_message(_chat_id(to.external_id), payload)
        except tg.TelegramError as exc:
            if not (is_entity_error(exc) and payload.get("parse_mode")):
                raise translate(exc) from None
            logger.warning(
                "telegram could not parse a message's HTML (%s); resending as plain text",
                redact(exc.message),
            )
            try:
                message = await self._send_message(
                    _chat_id(to.external_id), tgrender.plain_payload(payload)
                )
            except tg.TelegramError as again:
                raise translate(again) from None
        return str(message.message_id)

    async def _send_message(self, chat_id: int | str, payload: Payload) -> Message:
        return await self._app.bot.send_message(chat_id=chat_id, **self._message_kwargs(payload))

    def _message_kwargs(self, payload: Payload) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "text": payload["text"],
            "parse_mode": payload.get("parse_mode"),
        }
        if options := payload.get("link_preview_options"):
            kwargs["link_preview_options"] = LinkPreviewOptions(**options)
        if markup := payload.get("reply_markup"):
            kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(markup, self._app.bot)
        if reply_to := payload.get("reply_parameters"):
            kwargs["reply_parameters"] = ReplyParameters(**reply_to)
        return kwargs

    async def _send_reply(self, chat: Chat, reply: Reply, reply_to: int | None = None) -> None:
        """Answer in ``chat`` (quoting message ``reply_to``) under the core's reply policy."""
        payloads = self.render(reply)
        if payloads and reply_to is not None:
            payloads[0]["reply_parameters"] = {
                "message_id": reply_to,
                "allow_sending_without_reply": True,
            }
        for payload in payloads:
            await self._deliver(chat, payload)

    async def _deliver(self, chat: Chat, payload: Payload) -> None:
        here = _chat_ref(chat.id)

        async def send(p: Payload) -> None:
            await self.send_payload(here, p)

        await self.core.deliver_reply(
            here, payload, send, group=chat.type != ChatType.PRIVATE, requeue=payload
        )

    async def _edit_or_send(self, chat: Chat, message_id: int, payload: Payload) -> None:
        """Replace a message's text (after a button press); a message that cannot
        be edited gets the payload as a new message instead."""
        here = _chat_ref(chat.id)

        async def edit(p: Payload) -> None:
            try:
                await self._edit(here, message_id, p)
            except tg.RetryAfter as exc:
                raise translate(exc) from None
            except tg.TelegramError as exc:
                if is_not_modified(exc):
                    return
                logger.warning("could not edit a message in %s: %s", here, redact(exc.message))
                await self.send_payload(here, p)

        await self.core.deliver_reply(
            here, payload, edit, group=chat.type != ChatType.PRIVATE, requeue=payload
        )

    async def _edit(self, chat: ChatRef, message_id: int, payload: Payload) -> None:
        """editMessageText; HTML Telegram cannot parse is tried once more as plain text."""
        try:
            await self._app.bot.edit_message_text(
                chat_id=_chat_id(chat.external_id), message_id=message_id,
                **self._message_kwargs(payload),
            )
        except tg.TelegramError as exc:
            if not (is_entity_error(exc) and payload.get("parse_mode")):
                raise
            await self._app.bot.edit_message_text(
                chat_id=_chat_id(chat.external_id), message_id=message_id,
                **self._message_kwargs(tgrender.plain_payload(payload)),
            )

    @contextlib.asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" in the chat while the block runs (refreshed every 4 s)."""

        async def keep_typing() -> None:
            while True:
                try:
                    await self._app.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
                except tg.TelegramError as exc:
                    logger.debug("typing indicator failed: %s", redact(str(exc)))
                await asyncio.sleep(TYPING_INTERVAL_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ------------------------------------------------------------ questions

    async def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return await self._has_admin_status(_chat_id(chat.external_id), int(user.external_id))

    async def posting(self, chat: ChatRef, kind: ChatKind) -> Posting:
        """Telegram sends a bot updates only from chats it is in, and anyone in a
        private chat or group may post; in a channel only administrators can."""
        if kind != "channel":
            return Posting.ALLOWED
        bot_id = self._app.bot.id
        if await self._has_admin_status(_chat_id(chat.external_id), bot_id):
            return Posting.ALLOWED
        return Posting.NEEDS_RIGHTS

    def channel_address(self, word: str) -> str | None:
        return word if is_address(word) else None

    async def resolve_channel(self, address: str) -> ChatTarget | None:
        try:
            found = await self._app.bot.get_chat(chat_id=address)
        except tg.TelegramError as exc:
            logger.info("telegram: no chat %s (%s)", address, redact(str(exc)))
            return None
        return ChatTarget(_chat_ref(found.id), _kind_of(found.type), found.title)

    async def _has_admin_status(self, chat_id: int | str, user_id: int) -> bool:
        try:
            member = await self._app.bot.get_chat_member(chat_id=chat_id, user_id=user_id)
        except tg.TelegramError as exc:
            logger.warning("could not check admin rights in %s: %s", chat_id, redact(str(exc)))
            return False
        return member.status in ADMIN_STATUSES

    # ------------------------------------------------------------ inbound

    def _install_handlers(self, app: TGApp) -> None:
        new_posts = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        app.add_handler(
            PTBCommandHandler([spec.name for spec in COMMANDS], self._on_command, filters=new_posts)
        )
        app.add_handler(MessageHandler(new_posts & filters.COMMAND, self._on_unknown_command))
        app.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE
                & filters.ChatType.PRIVATE
                & filters.TEXT
                & ~filters.COMMAND,
                self._on_private_text,
            )
        )
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(
            ChatMemberHandler(self._on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self._on_migration))
        app.add_error_handler(self._on_error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        logger.error(
            "telegram update handling failed: %s",
            redact(repr(error)),
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )

    async def _run(self, command: Command, chat_id: int) -> Reply:
        """Hand the command to the core (typing indicator for /summary); never raises."""
        typing = self._typing(chat_id) if command.name == "summary" else contextlib.nullcontext()
        try:
            async with typing:
                return await self.core.handle(command)
        except Exception:
            logger.exception("command /%s failed in %s", command.name, command.chat)
            return Reply(text=INTERNAL_ERROR_TEXT, is_error=True)

    @staticmethod
    def _command(
        name: str,
        args: tuple[str, ...],
        chat: Chat,
        user: User | None,
        raw: str,
        *,
        as_chat: bool = False,
    ) -> Command:
        return Command(
            name=name,
            args=args,
            chat=_chat_ref(chat.id),
            user=_user_ref(user),
            chat_kind=_kind_of(chat.type),
            as_chat=as_chat,
            chat_title=chat.title or chat.effective_name,
            raw=raw,
            chat_username=chat.username,
        )

    @staticmethod
    def _links(message: Message) -> list[str]:
        """Links in a message: url / text_link entities first, then a scan of the text."""
        urls: list[str] = []
        entities = message.parse_entities(["url", "text_link"]) or message.parse_caption_entities(
            ["url", "text_link"]
        )
        for entity, text in entities.items():
            url = entity.url or text
            if url and not url.lower().startswith(("http://", "https://")):
                url = "https://" + url  # Telegram marks bare "example.com/x" as a url entity
            if url:
                urls.append(url)
        urls.extend(find_urls(message.text or message.caption or ""))
        return list(dict.fromkeys(urls))

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return
        parsed = parse_command(message.text or "")
        if parsed is None:
            return
        args = parsed.args
        if parsed.name == "summary" and not args and message.reply_to_message is not None:
            links = self._links(message.reply_to_message)
            if links:
                args = (links[0],)
        # Posted in the chat's own name: a channel post, or an anonymous group administrator.
        as_chat = chat.type == ChatType.CHANNEL or (
            message.sender_chat is not None and message.sender_chat.id == chat.id
        )
        command = self._command(parsed.name, args, chat, message.from_user, message.text or "",
                                as_chat=as_chat)
        reply = await self._run(command, chat.id)
        reply_to = (
            message.message_id if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) else None
        )
        await self._send_reply(chat, reply, reply_to)

    async def _on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        parsed = parse_command(message.text)
        if parsed is None:
            return
        own = (self._app.bot.username or "").lower()
        addressed_to_us = parsed.addressee is not None and parsed.addressee.lower() == own
        if parsed.addressee is not None and not addressed_to_us:
            return  # /command@otherbot
        if chat.type != ChatType.PRIVATE and not addressed_to_us:
            return  # in groups an unaddressed unknown command may be another bot's
        text = UNKNOWN_COMMAND_TEXT.format(name=parsed.name)
        reply_to = message.message_id if chat.type != ChatType.PRIVATE else None
        await self._send_reply(chat, Reply(text=text, is_error=True), reply_to)

    async def _on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message with one link ("Have you seen this? <url>") is summarized;
        several links get a hint to send one at a time; no link, the short hint."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        links = self._links(message)
        url = just_a_link(message.text) or (links[0] if len(links) == 1 else None)
        if url is None:
            hint = MANY_LINKS_TEXT if links else PRIVATE_HINT_TEXT
            await self._send_reply(chat, Reply(text=hint))
            return
        command = self._command("summary", (url,), chat, message.from_user, message.text)
        reply = await self._run(command, chat.id)
        await self._send_reply(chat, reply)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        line = self._tokens.decode(query.data or "")
        parsed = parse_command_line(line) if line else None
        chat = query.message.chat if query.message is not None else None
        if parsed is None or chat is None:
            with contextlib.suppress(tg.TelegramError):
                await query.answer(EXPIRED_BUTTON_TEXT, show_alert=True)
            return
        command = self._command(parsed.name, parsed.args, chat, query.from_user, line or "")
        reply = await self._run(command, chat.id)
        if reply.refused:
            # Someone who may not press this button (not an administrator): tell them in an
            # alert and leave the message, with its buttons, to the one who may.
            with contextlib.suppress(tg.TelegramError):
                await query.answer(_alert_text(reply.text), show_alert=True)
            return
        with contextlib.suppress(tg.TelegramError):
            await query.answer()  # stop the button's spinner; the result replaces the message
        payloads = self.render(reply)
        if payloads and isinstance(query.message, Message):
            await self._edit_or_send(chat, query.message.message_id, payloads[0])
            payloads = payloads[1:]
        for payload in payloads:
            await self._deliver(chat, payload)

    # ------------------------------------------------------------ membership

    async def _on_my_chat_member(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """The bot's own status changed: added, removed, promoted, or blocked by a user."""
        change = update.my_chat_member
        if change is None:
            return
        new = change.new_chat_member
        is_member = new.is_member if isinstance(new, ChatMemberRestricted) else None
        membership = bot_membership(new.status, change.chat.type, is_member=is_member)
        if membership is None:
            return
        ref = _chat_ref(change.chat.id)
        logger.debug("telegram: bot status in %s is now %r", ref, new.status)
        try:
            if membership.kind is None:
                await self.core.bot_returned(ref)
            else:
                await self.core.bot_removed(ref, membership.kind, membership.reason)
        except Exception:
            logger.exception("telegram: could not record the bot's new status in %s", ref)

    async def _on_migration(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: Telegram posts ``migrate_to_chat_id`` in the old group
        and ``migrate_from_chat_id`` in the new one. Either moves the chat (the second finds
        nothing left to move)."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        try:
            await self.core.chat_migrated(_chat_ref(old), str(new))
        except Exception:
            logger.exception("telegram: could not move chat %s to %s", old, new)
