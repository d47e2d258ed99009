"""The outbox aggregate: every outgoing message as a row, written before it is
sent, and the chat leases that let several workers share the sending.

A row is ``pending`` until the platform accepts it (``sent``) or the outbox
gives up (``failed``). Rows of one chat go out in id order: a row is due only
when no earlier row of its chat is still waiting. A worker sends to a chat
only while it holds the chat's lease (``chats.lease_holder``/``lease_until``);
see :mod:`bot.delivery.outbox` for the rules the worker follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.domain import ChatRef
from bot.records import OutboxItem, OutboxStatus, Payload
from bot.store.chats import require_chat
from bot.store.database import Database, chunks
from bot.store.models import ChatRow, DeliveryRow


class OutboxStore:
    """Outbox rows and chat delivery leases."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def queue_message(self, ref: ChatRef, payloads: Sequence[Payload], *, key: str) -> bool:
        """Queue a plain (non-digest) message in the outbox: one row per payload,
        ``digest_id`` NULL, idempotency keys ``platform:chat:msg:<key>:<part>``.

        Returns False (and queues nothing) when a message with this key was
        already queued, so a caller that may run twice tells a chat once.
        """
        now = utcnow()
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            prefix = f"{ref.platform}:{ref.external_id}:msg:{key}"
            try:
                async with s.begin_nested():
                    s.add_all(outbox_rows(chat.id, None, prefix, payloads, now))
                    await s.flush()
            except IntegrityError:
                return False
            return True

    async def due_chats(
        self,
        now: datetime,
        limit: int,
        *,
        exclude_chats: Iterable[int] = (),
        worker: str | None = None,
    ) -> list[int]:
        """Up to ``limit`` chats (row ids) with a row that can be sent now, the
        chat whose oldest such row is oldest first; same rules as
        :meth:`due_deliveries`. The outbox's window counts chats, not rows, so
        a chat with a long queue takes one place in it."""
        excluded = list(exclude_chats)
        async with self.db.session() as s:
            q = (
                select(DeliveryRow.chat_id)
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(*_due_conditions(now, worker))
                .group_by(DeliveryRow.chat_id)
                .order_by(func.min(DeliveryRow.id))
                .limit(limit)
            )
            if excluded:
                q = q.where(DeliveryRow.chat_id.not_in(excluded))
            return list(await s.scalars(q))

    async def due_deliveries(
        self,
        now: datetime,
        limit: int = 500,
        *,
        exclude_chats: Iterable[int] = (),
        only_chats: Iterable[int] | None = None,
        worker: str | None = None,
        per_chat: int | None = None,
    ) -> list[OutboxItem]:
        """Unsent outbox rows whose time has come, oldest first, for active chats.

        A row is returned only when no earlier row of its chat is still waiting
        (for a retry or a rate limit), so part 1 never overtakes part 0; the
        rows of one chat come in the order they must be sent. ``exclude_chats``
        (chat row ids) skips chats the caller is already sending to;
        ``only_chats`` restricts the result to those chats; ``per_chat`` caps
        the rows of each chat (its first ones). Chats another outbox worker
        holds a live lease on are skipped: every one when ``worker`` is None,
        every one but ``worker``'s own otherwise.
        """
        excluded = list(exclude_chats)
        conds = list(_due_conditions(now, worker))
        if excluded:
            conds.append(DeliveryRow.chat_id.not_in(excluded))
        if only_chats is not None:
            conds.append(DeliveryRow.chat_id.in_(list(only_chats)))
        async with self.db.session() as s:
            q = select(DeliveryRow, ChatRow).join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
            if per_chat is None:
                q = q.where(*conds)
            else:
                rank = func.row_number().over(partition_by=DeliveryRow.chat_id,
                                              order_by=DeliveryRow.id).label("rank")
                ranked = (select(DeliveryRow.id, rank)
                          .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                          .where(*conds).subquery())
                q = q.where(DeliveryRow.id.in_(select(ranked.c.id).where(ranked.c.rank <= per_chat)))
            rows = await s.execute(q.order_by(DeliveryRow.id).limit(limit))
            return [
                OutboxItem(
                    id=d.id,
                    chat=ChatRef(c.platform, c.external_id),  # type: ignore[arg-type]
                    chat_kind=c.kind,  # type: ignore[arg-type]
                    digest_id=d.digest_id,
                    part=d.part,
                    idempotency_key=d.idempotency_key,
                    payload=d.payload,
                    attempts=d.attempts,
                    chat_id=c.id,
                )
                for d, c in rows
            ]

    async def next_delivery_time(
        self, now: datetime | None = None, *, worker: str | None = None
    ) -> datetime | None:
        """When the earliest chat-queue head becomes due (None: nothing pending).

        A chat another worker holds a live lease on (see :meth:`due_deliveries`
        for ``worker``) counts as due when that lease expires, so a worker does
        not poll for rows someone else is sending.
        """
        now = now or utcnow()
        due_at = case(
            (_lease_free(now, worker), DeliveryRow.next_attempt_at),
            else_=ChatRow.lease_until,
        )
        async with self.db.session() as s:
            return await s.scalar(
                select(func.min(due_at))
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(
                    DeliveryRow.status == "pending",
                    ChatRow.active.is_(True),
                    _no_earlier_pending(),
                )
            )

    # ---------------------------------------------------- chat delivery leases

    async def claim_chats(
        self, chat_ids: Iterable[int], worker: str, *, now: datetime, until: datetime
    ) -> set[int]:
        """Take the delivery lease on chats for ``worker`` until ``until``;
        return the ids of the chats it now holds.

        One conditional UPDATE (per 500 chats): a chat is taken only when its
        lease is free for ``worker`` (unclaimed, expired or already its own).
        The database re-checks that condition on the row it locks, so of two
        workers racing for a chat exactly one gets it, on SQLite and PostgreSQL.
        """
        claimed: set[int] = set()
        async with self.db.session() as s:
            for chunk in chunks(sorted(set(chat_ids))):
                rows = await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), _lease_free(now, worker))
                    .values(lease_holder=worker, lease_until=until)
                    .returning(ChatRow.id)
                    .execution_options(synchronize_session=False)
                )
                claimed.update(rows.scalars())
        return claimed

    async def renew_chat_leases(
        self, chat_ids: Iterable[int], worker: str, *, until: datetime
    ) -> set[int]:
        """Extend ``worker``'s leases on these chats to ``until``; return the
        chats it still holds (not one another worker took over meanwhile)."""
        renewed: set[int] = set()
        async with self.db.session() as s:
            for chunk in chunks(sorted(set(chat_ids))):
                rows = await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), ChatRow.lease_holder == worker)
                    .values(lease_until=until)
                    .returning(ChatRow.id)
                    .execution_options(synchronize_session=False)
                )
                renewed.update(rows.scalars())
        return renewed

    async def release_chats(self, chat_ids: Iterable[int], worker: str) -> None:
        """Give up ``worker``'s leases on these chats (others' are left alone)."""
        async with self.db.session() as s:
            for chunk in chunks(sorted(set(chat_ids))):
                await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), ChatRow.lease_holder == worker)
                    .values(lease_holder=None, lease_until=None)
                    .execution_options(synchronize_session=False)
                )

    async def lease_holders(self, now: datetime) -> set[str]:
        """The workers holding a live chat lease."""
        async with self.db.session() as s:
            return set(await s.scalars(
                select(ChatRow.lease_holder).distinct()
                .where(ChatRow.lease_holder.is_not(None), ChatRow.lease_until > now)
            ))

    async def release_leases_of(self, holders: Iterable[str]) -> int:
        """Release every chat lease held by these (dead) workers; return how many."""
        names = sorted(set(holders))
        if not names:
            return 0
        async with self.db.session() as s:
            result = await s.execute(
                update(ChatRow)
                .where(ChatRow.lease_holder.in_(names))
                .values(lease_holder=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- results

    async def mark_sent(self, delivery_id: int, message_id: str | None) -> None:
        async with self.db.session() as s:
            await s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(status="sent", sent_at=utcnow(), platform_message_id=message_id,
                        attempts=DeliveryRow.attempts + 1, last_error=None)
            )

    async def mark_sent_many(self, marks: Sequence[tuple[int, str | None]]) -> None:
        """Mark several deliveries sent in one transaction (the outbox's group
        commit: under load one commit covers every send that finished while
        the previous commit ran, instead of each waiting for the write lock)."""
        if not marks:
            return
        table = cast(Table, DeliveryRow.__table__)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(status="sent", sent_at=utcnow(), platform_message_id=bindparam("b_msg"),
                    attempts=table.c.attempts + 1, last_error=None)
        )
        async with self.db.session() as s:
            await s.execute(stmt, [{"b_id": i, "b_msg": m} for i, m in marks])

    async def mark_retry(
        self, delivery_id: int, *, next_attempt_at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        async with self.db.session() as s:
            values: dict[str, Any] = {"next_attempt_at": next_attempt_at, "last_error": error[:2000]}
            if count_attempt:
                values["attempts"] = DeliveryRow.attempts + 1
            await s.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        async with self.db.session() as s:
            await s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(status="failed", last_error=error[:2000], attempts=DeliveryRow.attempts + 1)
            )

    async def outbox_status(self, limit_failures: int = 20) -> OutboxStatus:
        async with self.db.session() as s:
            counts = dict(
                (await s.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status))).all()
            )
            failed = await s.execute(
                select(ChatRow.platform, ChatRow.external_id, DeliveryRow.idempotency_key, DeliveryRow.last_error)
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(DeliveryRow.status == "failed")
                .order_by(DeliveryRow.id.desc())
                .limit(limit_failures)
            )
            return OutboxStatus(
                pending=counts.get("pending", 0),
                sent=counts.get("sent", 0),
                failed=counts.get("failed", 0),
                failures=tuple((f"{p}:{e}", k, err or "") for p, e, k, err in failed),
            )


def outbox_rows(
    chat_id: int, digest_id: int | None, key_prefix: str,
    payloads: Sequence[Payload], now: datetime,
) -> list[DeliveryRow]:
    """One pending outbox row per payload, keyed ``<key_prefix>:<part>``."""
    return [
        DeliveryRow(
            digest_id=digest_id,
            chat_id=chat_id,
            part=part,
            idempotency_key=f"{key_prefix}:{part}",
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for part, payload in enumerate(payloads)
    ]


def _due_conditions(now: datetime, worker: str | None) -> tuple[Any, ...]:
    """A pending row of an active chat, due now, with no earlier row of its
    chat still waiting, on a chat no other worker holds a live lease on."""
    return (
        DeliveryRow.status == "pending",
        ChatRow.active.is_(True),
        or_(DeliveryRow.next_attempt_at.is_(None), DeliveryRow.next_attempt_at <= now),
        _no_earlier_pending(now),
        _lease_free(now, worker),
    )


def _no_earlier_pending(waiting_after: datetime | None = None) -> Any:
    """A chat's messages go out in the order they were queued.

    Without ``waiting_after``: the row is the head of its chat's queue (no
    earlier pending row). With it: no earlier pending row of the chat is
    still waiting (due after ``waiting_after``), so every row returned can
    be sent now, in id order, without overtaking one held back for a retry.
    """
    earlier = DeliveryRow.__table__.alias("earlier")
    conds = [
        earlier.c.chat_id == DeliveryRow.chat_id,
        earlier.c.status == "pending",
        earlier.c.id < DeliveryRow.id,
    ]
    if waiting_after is not None:
        conds.append(earlier.c.next_attempt_at > waiting_after)
    return ~exists().where(*conds)


def _lease_free(now: datetime, worker: str | None) -> Any:
    """No live lease of another worker on the chat: it is unclaimed, its
    lease has expired, or (``worker`` given) the lease is ``worker``'s."""
    conds = [ChatRow.lease_holder.is_(None), ChatRow.lease_until.is_(None),
             ChatRow.lease_until <= now]
    if worker is not None:
        conds.append(ChatRow.lease_holder == worker)
    return or_(*conds)


__all__ = ["OutboxStore", "outbox_rows"]
