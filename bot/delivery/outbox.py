"""The outbox worker: sends what the store says is due, and loses nothing.

Every outgoing message is an outbox row written (with its digest) before any
send. The worker sends due rows concurrently across chats, in order within a
chat, paced by one :class:`~bot.delivery.ratelimit.RateLimiter` per platform
(the composition root's, shared with direct replies), and records each result
at once:

=====================  =====================================================
the platform answers   the row
=====================  =====================================================
accepted               ``mark_sent`` immediately (nothing awaited in between)
``RateLimited(s)``     due again in ``s`` seconds, attempt *not* counted; the
                       chat (or, scope "platform", the platform) is blocked
                       in the limiter for ``s`` seconds
``RecipientGone``      stays pending; the chat is paused (its ``kind`` + reason)
``ChatMigrated(id)``   the chat moves to its new id and the row is resent
``MessageRejected``    failed at once (attempt counted, ``last_error`` starts
                       with :data:`REJECTED_PREFIX`); the chat's next row goes on
anything else          retried with exponential backoff and jitter; after
                       ``max_attempts`` sends it is marked failed
=====================  =====================================================

A row is sent only when no earlier row of its chat is still waiting, so
part 1 never overtakes part 0 (the store enforces this in
:meth:`~bot.store.outbox.OutboxStore.due_deliveries`).

Any number of workers may share one database. A worker sends to a chat only
while it holds the chat's *lease* (``chats.lease_holder``/``lease_until``):
it claims the chats with due rows in one conditional UPDATE, loads their rows
after the claim, renews the leases every ``renew_interval_s`` while it sends,
and releases them when it is done with the chat. A worker that dies leaves
leases that expire after ``lease_s``; another worker then takes the chats over.

Exactly-once is impossible without an idempotent platform API; the one
window that can still produce a duplicate is described in docs/delivery.md:
the platform accepted a message and the process died (or the database was
unreachable, or the answer was lost to a timeout) before ``mark_sent``
committed. With several workers the same window covers the message in flight
when a worker that froze for longer than its lease lost the chat to another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.delivery.ratelimit import RateLimiter
from bot.domain import ChatRef, Platform
from bot.errors import ChatMigrated, MessageRejected, NotFoundError, RateLimited, RecipientGone
from bot.metrics import Metrics
from bot.polling import backoff_time
from bot.ports import Sender
from bot.records import OutboxItem
from bot.store import Store

logger = logging.getLogger(__name__)

NO_SENDER_RETRY_S = 900.0
"""Rows for a platform with no configured sender are looked at again this often."""

_MARK_RETRIES = (0.05, 0.2, 0.5, 1.0, 2.0)

REJECTED_PREFIX = "rejected by the platform, not retried: "
"""Starts ``last_error`` of a row failed on ``MessageRejected`` (``newsbot digest --status``)."""


def default_worker_id() -> str:
    """``hostname:pid:random``: unique per process, and says where it runs.

    Never stable across restarts: two overlapping processes (a restart that
    overlaps the old one, two replicas) must not share leases. A restarted
    process takes back a dead predecessor's leases on the same host at once
    (:meth:`Outbox.reclaim_orphans`), so stability is not needed for that.
    """
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_dead_here(holder: str, me: str) -> bool:
    """Whether the worker ``holder`` ran on this host and its process is gone.

    Only ids made by :func:`default_worker_id` are judged; a worker on
    another host, or one whose process may still live, is not (its lease
    then simply expires). The same pid with another id is a predecessor
    (a container's pid 1 restarted).
    """
    parts = holder.rsplit(":", 2)
    mine = me.rsplit(":", 2)
    if len(parts) != 3 or len(mine) != 3 or parts[0] != mine[0] or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return holder != me
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: another user's live process
        return False
    return False


class Outbox:
    """Sends due outbox rows; see the module docstring for the rules.

    ``limiters`` are the platforms' rate limiters, shared with whatever else
    sends to them (the composition root's); a platform without one gets its
    own, built from its declared ``limits``.

    ``worker_id`` names this worker in the leases it takes (default
    :func:`default_worker_id`). A worker restarted with its predecessor's id
    takes that one's leases back at once instead of waiting for them to
    expire; two live workers must never share an id. ``lease_s`` is how long
    a claimed chat stays this worker's without renewal; leases are renewed
    every ``renew_interval_s`` (default: a third of ``lease_s``).
    """

    def __init__(
        self,
        store: Store,
        senders: Mapping[Platform, Sender],
        *,
        limiters: Mapping[Platform, RateLimiter] | None = None,
        max_attempts: int = 6,
        base_backoff_s: float = 2.0,
        max_backoff_s: float = 3600.0,
        send_timeout_s: float = 30.0,
        max_in_flight: int | None = None,
        max_unconfirmed: int = 32,
        per_chat_batch: int = 10,
        stop_grace_s: float = 4.0,
        idle_wakeup_s: float = 60.0,
        refill_interval_s: float = 0.5,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        lease_s: float = 60.0,
        renew_interval_s: float | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if not 0 < base_backoff_s <= max_backoff_s:
            # backoff_time() refuses a zero base: the row would stay due and spin
            raise ValueError("need 0 < base_backoff_s <= max_backoff_s")
        renew_interval_s = lease_s / 3 if renew_interval_s is None else renew_interval_s
        if send_timeout_s + renew_interval_s >= lease_s:
            # a send may only start on a lease that outlasts it (_holds_lease)
            raise ValueError("lease_s must exceed send_timeout_s + renew_interval_s")
        self.store = store
        self.metrics = metrics or Metrics()
        self.senders = dict(senders)
        self.max_attempts = max_attempts
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.send_timeout_s = send_timeout_s
        self.idle_wakeup_s = idle_wakeup_s
        self.refill_interval_s = refill_interval_s
        self._clock = clock
        self._rng = rng or random.Random()
        given = limiters or {}
        self._limiters: dict[Platform, RateLimiter] = {
            platform: given.get(platform) or RateLimiter(sender.limits)
            for platform, sender in self.senders.items()
        }
        if max_in_flight is None:
            # chats, not rows: a chat waiting on its own pace costs a sleeping
            # task and its loaded rows, never a share of the platform's rate
            total = sum(s.limits.global_per_second for s in self.senders.values()) or 30.0
            max_in_flight = int(min(2000, max(64, 10 * total)))
        self.max_in_flight = max_in_flight
        self.per_chat_batch = max(1, per_chat_batch)
        self.stop_grace_s = stop_grace_s
        self._crowded = False  # more chats were due than the window had room for
        self._renewer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        # Sends started but not yet marked sent: a crash can duplicate at most
        # this many messages (docs/delivery.md); it also caps concurrency.
        self.max_unconfirmed = max_unconfirmed
        self._unconfirmed = asyncio.Semaphore(max_unconfirmed)
        self._marks: list[tuple[OutboxItem, str | None, asyncio.Future[None]]] = []
        self._marker: asyncio.Task[None] | None = None
        # Chat leases (module docstring): several workers can share a database.
        self.worker_id = worker_id or default_worker_id()
        self.lease_s = lease_s
        self.renew_interval_s = renew_interval_s
        self._held: dict[int, datetime] = {}  # chat id -> when our lease on it ends
        self._finished: set[int] = set()  # chats done with, lease not released yet
        self._lease_lock = asyncio.Lock()  # claims, renewals, releases: one at a time

    # ------------------------------------------------------------ public API

    def notify(self) -> None:
        """Something was queued: wake :meth:`run_forever` now."""
        self._wake.set()

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Send due rows until ``stop_event`` is set; sleep until the next due
        row, a :meth:`notify`, or ``idle_wakeup_s`` (for chats re-activated
        elsewhere), whichever comes first. On stop, sends in progress finish
        (and are marked) and no new ones start."""
        self._stopping = False

        async def watch_stop() -> None:
            await stop_event.wait()
            self.stop()

        stopper = asyncio.create_task(watch_stop())
        try:
            try:
                await self.reclaim_orphans()
            except Exception:
                logger.warning("outbox: could not look for dead workers' leases", exc_info=True)
            while not self._stopping:
                self._wake.clear()  # before the run: a notify during it is not lost
                delay = self.idle_wakeup_s
                try:
                    await self.run_once()
                    nxt = await self.store.outbox.next_delivery_time(self._clock(),
                                                                    worker=self.worker_id)
                    if nxt is not None:
                        delay = (nxt - self._clock()).total_seconds()
                except Exception:
                    logger.exception("outbox run failed; trying again shortly")
                    delay = 5.0
                if self._stopping:
                    break
                delay = min(max(delay, 0.05), self.idle_wakeup_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
        finally:
            stopper.cancel()

    async def reclaim_orphans(self) -> int:
        """Release the chat leases of dead workers on this host (a crashed
        predecessor), so their chats need not wait for the leases to expire.
        Returns how many leases were released."""
        holders = await self.store.outbox.lease_holders(self._clock())
        dead = {h for h in holders if is_dead_here(h, self.worker_id)}
        released = await self.store.outbox.release_leases_of(dead)
        if released:
            logger.info("outbox: took back %d chat leases of %d dead workers on this host",
                        released, len(dead))
        return released

    def stop(self) -> None:
        """Finish the sends in progress and start no new ones."""
        self._stopping = True
        self._wake.set()

    async def run_once(self) -> int:
        """Send every row that is due now (and rows that fall due while this
        runs); return how many messages were sent.

        The window (``max_in_flight``) counts *chats* being sent to, each with
        at most ``per_chat_batch`` rows loaded at a time: a chat with a long
        queue takes one place and goes at its own pace, which the rate
        limiter keeps off everyone else's way. On stop, sends in progress get
        ``stop_grace_s`` to finish and be marked; then they are cancelled and
        their rows stay pending (handed back for the next run).
        """
        tasks: dict[int, asyncio.Task[int]] = {}
        sent = 0
        low_water = max(1, self.max_in_flight // 2)

        def reap(done: set[asyncio.Task[int]]) -> None:
            nonlocal sent
            for chat_id, task in list(tasks.items()):
                if task in done:
                    del tasks[chat_id]
                    if not task.cancelled() and task.exception() is None:
                        sent += task.result()

        try:
            while not self._stopping:
                await self._release_finished()
                room = self.max_in_flight - len(tasks)
                batches: dict[int, list[OutboxItem]] = {}
                if room > 0:
                    found, batches = await self._claim_due(room, busy=tuple(tasks))
                    self._crowded = found >= room
                for chat_id, chat_items in batches.items():
                    tasks[chat_id] = asyncio.create_task(self._deliver_chat(chat_id, chat_items))
                if not tasks:
                    break
                if self._crowded:
                    # more is waiting: top up as soon as half the window is free
                    while tasks and len(tasks) > low_water and not self._stopping:
                        done, _ = await asyncio.wait(
                            set(tasks.values()), timeout=self.refill_interval_s,
                            return_when=asyncio.FIRST_COMPLETED,
                        )
                        reap(done)
                else:
                    # everything due is in flight: look again now and then for
                    # rows that fall due (retries) or were queued meanwhile
                    done, _ = await asyncio.wait(set(tasks.values()),
                                                 timeout=self.refill_interval_s)
                    reap(done)
        finally:
            if tasks:
                done, _ = await asyncio.wait(set(tasks.values()), timeout=self.stop_grace_s
                                             if self._stopping else None)
                reap(done)
                await self._cancel(tasks)
            if self._marker is not None:
                await asyncio.wait([self._marker])
            await self._release_finished()
            await self._stop_renewer_if_idle()
        return sent

    async def deliver_chat(self, chat_id: int) -> int:
        """Send one chat's due rows now, in order; return how many were sent.

        For a task engine's per-chat delivery job: it takes the chat's lease
        (nothing is sent when another live worker holds it), renews it while
        sending, and releases it at the end, so it is safe beside any number
        of other workers and of ``run_forever`` loops.
        """
        now = self._clock()
        until = now + timedelta(seconds=self.lease_s)
        async with self._lease_lock:
            claimed = await self.store.outbox.claim_chats({chat_id}, self.worker_id,
                                                          now=now, until=until)
            self._held.update(dict.fromkeys(claimed, until))
        if not claimed:
            return 0
        self._ensure_renewer()
        task: asyncio.Task[int] | None = None
        try:
            items = await self.store.outbox.due_deliveries(
                now, limit=self.per_chat_batch, only_chats=[chat_id], worker=self.worker_id)
            if not items:
                self._finished.add(chat_id)
                return 0
            task = asyncio.create_task(self._deliver_chat(chat_id, items))
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task is not None:
                await self._cancel({chat_id: task})
            raise
        finally:
            await self._release_finished()
            await self._stop_renewer_if_idle()

    async def _cancel(self, tasks: Mapping[int, asyncio.Task[int]]) -> None:
        """Cancel chat tasks that did not finish in time (a hung send); their
        current rows stay pending, and a later run sends them."""
        pending = [t for t in tasks.values() if not t.done()]
        if not pending:
            return
        logger.warning("outbox: stopping with %d chats still sending; their current "
                       "messages stay queued", len(pending))
        for task in pending:
            task.cancel()
        await asyncio.wait(pending)

    # ---------------------------------------------------------- chat leases

    async def _claim_due(
        self, room: int, busy: tuple[int, ...]
    ) -> tuple[int, dict[int, list[OutboxItem]]]:
        """Claim up to ``room`` chats that have rows due (not the ``busy`` ones
        being sent to); return how many due chats were found and the first
        ``per_chat_batch`` due rows of each chat claimed.

        The rows are loaded again after the claim: another worker may have
        sent some of them and released the chat between the first look and
        the claim, and sending what was loaded before would repeat them.
        """
        now = self._clock()
        due = await self.store.outbox.due_chats(now, limit=room, exclude_chats=busy,
                                                worker=self.worker_id)
        if not due:
            return 0, {}
        until = now + timedelta(seconds=self.lease_s)
        async with self._lease_lock:
            claimed = await self.store.outbox.claim_chats(due, self.worker_id, now=now,
                                                          until=until)
            self._held.update(dict.fromkeys(claimed, until))
        if not claimed:
            return len(due), {}
        self._ensure_renewer()
        items = await self.store.outbox.due_deliveries(
            now, limit=len(claimed) * self.per_chat_batch, only_chats=claimed,
            worker=self.worker_id, per_chat=self.per_chat_batch)
        batches: dict[int, list[OutboxItem]] = {}
        for item in items:
            batches.setdefault(item.chat_id, []).append(item)
        self._finished.update(claimed - set(batches))
        return len(due), batches

    def _ensure_renewer(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._keep_leases())

    async def _stop_renewer_if_idle(self) -> None:
        renewer = self._renewer
        if renewer is not None and not self._held:
            renewer.cancel()
            await asyncio.wait([renewer])
            if self._renewer is renewer:
                self._renewer = None

    async def _keep_leases(self) -> None:
        """Renew the leases of the chats being sent to, every ``renew_interval_s``.

        A chat missing from the renewal was taken over by another worker (this
        one stalled past the lease's end): it gets no further sends from here.
        """
        while True:
            await asyncio.sleep(self.renew_interval_s)
            async with self._lease_lock:
                chats = set(self._held)
                if not chats:
                    return  # started again by the next claim
                until = self._clock() + timedelta(seconds=self.lease_s)
                try:
                    kept = await self.store.outbox.renew_chat_leases(chats, self.worker_id,
                                                                     until=until)
                except Exception:
                    logger.warning("outbox: renewing %d chat leases failed; trying again",
                                   len(chats), exc_info=True)
                    continue
                for chat_id in chats - kept:
                    del self._held[chat_id]
                    logger.warning("outbox: another worker took over chat %d", chat_id)
                self._held.update(dict.fromkeys(kept, until))

    async def _release_finished(self) -> None:
        """Release the leases of the chats finished since the last call, in one
        UPDATE rather than one transaction per chat."""
        if not self._finished:
            return
        async with self._lease_lock:
            chats, self._finished = self._finished, set()
            for chat_id in chats:
                self._held.pop(chat_id, None)
            try:
                await self.store.outbox.release_chats(chats, self.worker_id)
            except Exception:
                logger.warning("outbox: releasing %d chat leases failed; they expire in %gs",
                               len(chats), self.lease_s, exc_info=True)

    def _holds_lease(self, chat_id: int) -> bool:
        """Whether this worker's lease on the chat outlasts a send started now
        (timeout included), so no other worker can send to it meanwhile."""
        until = self._held.get(chat_id)
        return until is not None and self._clock() + timedelta(seconds=self.send_timeout_s) < until

    # ------------------------------------------------------------- internals

    async def _deliver_chat(self, chat_id: int, items: list[OutboxItem]) -> int:
        """Send one chat's due rows in order, ``per_chat_batch`` loaded at a
        time; stop at the first that must wait. When other chats are waiting
        for room in the window, the chat gives up its place after a batch
        (it is claimed again in turn). The chat's lease is released
        afterwards (by the run loop)."""
        sent = 0
        ref = items[0].chat
        try:
            while items:
                for item in items:
                    if self._stopping:
                        return sent
                    try:
                        ok, ref = await self._deliver(item, ref)
                    except Exception:
                        # a store error while recording a result: the row stays pending
                        logger.exception("outbox: recording the result for %s failed",
                                         item.idempotency_key)
                        return sent
                    if ok is None:
                        return sent
                    sent += ok
                if len(items) < self.per_chat_batch or self._crowded or self._stopping:
                    return sent
                # the previous batch's marks are committed: load the next one
                items = await self.store.outbox.due_deliveries(
                    self._clock(), limit=self.per_chat_batch, only_chats=[chat_id],
                    worker=self.worker_id)
        finally:
            self._finished.add(chat_id)
        return sent

    async def _deliver(self, item: OutboxItem, ref: ChatRef) -> tuple[int | None, ChatRef]:
        """Deliver one row. Returns (1 sent | 0 given up | None must wait, chat ref)."""
        sender = self.senders.get(ref.platform)
        if sender is None:
            await self.store.outbox.mark_retry(
                item.id,
                next_attempt_at=self._clock() + timedelta(seconds=NO_SENDER_RETRY_S),
                error=f"no sender configured for platform {ref.platform!r}",
                count_attempt=False,
            )
            return None, ref
        limiter = self._limiters[ref.platform]
        is_group = item.chat_kind != "private"
        migrated = False
        while True:
            await limiter.acquire(str(ref), is_group=is_group)
            if self._stopping:
                return None, ref  # stopping: nothing new starts
            async with self._unconfirmed:
                if not self._holds_lease(item.chat_id):
                    logger.warning("outbox: no live lease on %s; leaving its messages to "
                                   "whichever worker holds it next", ref)
                    return None, ref
                exc = await self._send_and_mark(sender, item, ref)
            self.metrics.delivery(ref.platform, _result(exc, item.attempts + 1 >= self.max_attempts))
            if exc is None:
                return 1, ref
            if isinstance(exc, RateLimited):
                wait = max(0.0, float(exc.retry_after))
                platform_wide = exc.scope == "platform"
                limiter.penalize(wait, None if platform_wide else str(ref))
                await self.store.outbox.mark_retry(
                    item.id,
                    next_attempt_at=self._clock() + timedelta(seconds=wait),
                    error=str(exc),
                    count_attempt=False,
                )
                logger.info("outbox: %s rate limited for %.1fs (%s)", ref, wait, exc.scope)
                return None, ref
            if isinstance(exc, RecipientGone):
                await self.store.chats.pause_chat(ref, exc.kind, exc.reason)
                limiter.forget(str(ref))
                logger.warning("outbox: %s is gone (%s: %s); chat paused, its messages kept",
                               ref, exc.kind, exc.reason)
                return None, ref
            if isinstance(exc, ChatMigrated) and not migrated and exc.new_external_id:
                new_ref = ChatRef(ref.platform, exc.new_external_id)
                with contextlib.suppress(NotFoundError):  # moved already by an inbound update
                    await self.store.chats.migrate_chat(ref, exc.new_external_id)
                logger.info("outbox: %s migrated to %s; resending", ref, new_ref)
                limiter.forget(str(ref))
                ref, migrated = new_ref, True
                continue
            if isinstance(exc, MessageRejected):
                return await self._rejected(item, ref, exc)
            # DeliveryError, timeouts, SDK surprises, bugs: retry later, never stop others
            return await self._failed_attempt(item, ref, exc, timed_out=isinstance(exc, TimeoutError))

    async def _send_and_mark(
        self, sender: Sender, item: OutboxItem, ref: ChatRef
    ) -> Exception | None:
        """One send; on success the sent mark is committed before returning.
        Returns the send's exception instead of raising it."""
        try:
            async with asyncio.timeout(self.send_timeout_s):
                message_id = await sender.send_payload(ref, item.payload)
        except Exception as exc:  # TimeoutError included; CancelledError is not an Exception
            return exc
        # Accepted by the platform. Record it now: the duplicate window is
        # exactly from here until this commit (docs/delivery.md).
        await self._mark_sent(item, message_id)
        return None

    async def _mark_sent(self, item: OutboxItem, message_id: str | None) -> None:
        """Queue the sent mark for the group commit and wait for it.

        Called with no await between the platform's answer and the queueing.
        The commit runs in its own task, so a shutdown cancelling this chat's
        task cannot cancel it halfway; the chat's next message waits for it,
        so a crash can never leave a later part marked and an earlier one not.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((item, message_id, future))
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._commit_marks())
        await asyncio.shield(future)

    async def _commit_marks(self) -> None:
        """Commit every queued sent mark, one transaction per batch: the marks
        that arrive while a commit runs go together in the next one."""
        while self._marks:
            batch, self._marks = self._marks, []
            marks = [(item.id, message_id) for item, message_id, _ in batch]
            error: Exception | None = None
            for pause in (*_MARK_RETRIES, None):
                try:
                    await self.store.outbox.mark_sent_many(marks)
                    error = None
                    break
                except Exception as exc:
                    error = exc
                    if pause is None:
                        break
                    logger.warning("outbox: recording %d sent messages failed; retrying", len(marks))
                    await asyncio.sleep(pause)
            for item, _, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    logger.error("outbox: %s was delivered but could not be marked sent; "
                                 "it will be sent again", item.idempotency_key)
                    future.set_exception(error)

    async def _rejected(
        self, item: OutboxItem, ref: ChatRef, exc: MessageRejected
    ) -> tuple[int, ChatRef]:
        """The platform refused the message itself: fail the row now (retries would
        only repeat the refusal) and let the chat's next row go. The chat stays active."""
        reason = f"{REJECTED_PREFIX}{exc.reason}"
        await self.store.outbox.mark_failed(item.id, reason)
        logger.warning("outbox: %s refused %s (%s); marked failed, not retried",
                       ref, item.idempotency_key, exc.reason)
        return 0, ref

    async def _failed_attempt(
        self, item: OutboxItem, ref: ChatRef, exc: BaseException, *, timed_out: bool = False
    ) -> tuple[int | None, ChatRef]:
        attempts = item.attempts + 1
        if timed_out:
            reason = f"send timed out after {self.send_timeout_s:g}s (the platform may have received it)"
        else:
            reason = f"{type(exc).__name__}: {exc}".strip()
        if attempts >= self.max_attempts:
            await self.store.outbox.mark_failed(item.id, reason)
            logger.error("outbox: giving up on %s after %d attempts: %s",
                         item.idempotency_key, attempts, reason)
            return 0, ref
        now = self._clock()
        when = backoff_time(now=now, failures=attempts, base_s=self.base_backoff_s,
                            cap_s=self.max_backoff_s, rng=self._rng)
        await self.store.outbox.mark_retry(item.id, next_attempt_at=when, error=reason)
        logger.warning("outbox: %s attempt %d failed (%s); retrying in %.1fs",
                       ref, attempts, reason, (when - now).total_seconds())
        return None, ref


def _result(exc: Exception | None, last_attempt: bool) -> str:
    """The ``newsbot_deliveries_total`` result of one send (see the module docstring)."""
    if exc is None:
        return "sent"
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, RecipientGone):
        return "gone"
    if isinstance(exc, ChatMigrated):
        return "migrated"
    if isinstance(exc, MessageRejected):
        return "rejected"
    return "failed" if last_attempt else "retry"


__all__ = ["REJECTED_PREFIX", "Outbox", "default_worker_id", "is_dead_here"]
