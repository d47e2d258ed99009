"""Leader election through the database: one holder, takeover after a death,
hand-over on a clean stop, and a leader that loses the database steps down."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.engine.leader import Leader
from bot.store import Store
from bot.store.leases import LeaseStore

pytestmark = pytest.mark.postgres

TTL, RENEW, MARGIN = 3.0, 0.5, 1.0


class Role:
    """Records when a process held the role, to check no two overlap."""

    def __init__(self, log: list[tuple[str, str, float]], name: str) -> None:
        self.log, self.name, self.active = log, name, False

    async def elected(self) -> None:
        self.active = True
        self.log.append((self.name, "start", time.monotonic()))

    async def demoted(self) -> None:
        self.active = False
        self.log.append((self.name, "stop", time.monotonic()))


def leader(store: Store, role: Role) -> Leader:
    # each its own LeaseStore object, so one can be cut off alone
    return Leader(LeaseStore(store.db), "telegram-polling", on_elected=role.elected,
                  on_demoted=role.demoted, holder=role.name, ttl_s=TTL, renew_s=RENEW,
                  margin_s=MARGIN)


async def wait_until(cond: object, timeout: float) -> float:
    start = time.monotonic()
    while not cond():  # type: ignore[operator]
        assert time.monotonic() - start < timeout, "timed out"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_one_leader_then_takeover_after_a_death(pg_store: Store) -> None:
    log: list[tuple[str, str, float]] = []
    roles = [Role(log, f"p{i}") for i in range(3)]
    stops = [asyncio.Event() for _ in roles]
    leaders = [leader(pg_store, r) for r in roles]
    tasks = [asyncio.create_task(ld.run(st)) for ld, st in zip(leaders, stops, strict=True)]
    await wait_until(lambda: sum(r.active for r in roles) == 1, 5)
    await asyncio.sleep(2 * RENEW)
    assert sum(r.active for r in roles) == 1
    first = next(i for i, r in enumerate(roles) if r.active)

    # the leader's process freezes / loses its network: it renews nothing any more
    async def hang(*_a: object, **_k: object) -> None:
        await asyncio.sleep(3600)

    leaders[first].leases.acquire = hang  # type: ignore[method-assign]
    async def gone(*_a: object, **_k: object) -> None:
        return None

    leaders[first].leases.release = gone  # type: ignore[method-assign]
    others = [r for i, r in enumerate(roles) if i != first]
    took = await wait_until(lambda: sum(r.active for r in others) == 1, TTL + 3 * RENEW)
    assert took <= TTL + 2 * RENEW, took
    print(f"\ntakeover after {took:.1f}s (lease {TTL}s, renew {RENEW}s)")
    # never two at once: the cut-off leader stopped before the successor started
    events = sorted(log, key=lambda e: e[2])
    holding: set[str] = set()
    for name, what, _ in events:
        (holding.add if what == "start" else holding.discard)(name)
        assert len(holding) <= 1, events
    tasks[first].cancel()
    await asyncio.gather(tasks[first], return_exceptions=True)

    # clean stop of the new leader: the lease is released, the third takes over fast
    second = next(i for i, r in enumerate(roles) if i != first and r.active)
    stops[second].set()
    await tasks[second]
    start = time.monotonic()
    third = next(r for i, r in enumerate(roles) if i not in (first, second))
    await wait_until(lambda: third.active, 2 * RENEW + 2)
    assert time.monotonic() - start <= 2 * RENEW + 1
    for i, st in enumerate(stops):
        if i != first:
            st.set()
    await asyncio.gather(*(t for i, t in enumerate(tasks) if i != first))


async def test_a_leader_cut_off_from_the_database_steps_down_before_its_lease_ends(
        pg_store: Store) -> None:
    log: list[tuple[str, str, float]] = []
    role = Role(log, "cut")
    ld = leader(pg_store, role)
    stop = asyncio.Event()
    task = asyncio.create_task(ld.run(stop))
    await wait_until(lambda: role.active, 5)
    elected_at = log[-1][2]

    async def unreachable(*_a: object, **_k: object) -> None:
        await asyncio.sleep(3600)

    ld.leases.acquire = unreachable  # type: ignore[method-assign]
    await wait_until(lambda: not role.active, TTL + 2)
    stepped_down = log[-1][2]
    # stepped down before the lease (counted from its last renewal) could expire
    assert stepped_down - elected_at < TTL, stepped_down - elected_at
    stop.set()
    await asyncio.wait_for(task, 5)
