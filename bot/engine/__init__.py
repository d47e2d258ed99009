"""The task engine: newsbot's work as procrastinate jobs on PostgreSQL.

One machine needs none of this: ``newsbot run`` on SQLite (or with
``NEWSBOT_ENGINE=local``) does everything in one process with APScheduler and
the outbox loop. When a deployment outgrows a machine it already runs
PostgreSQL, and procrastinate (PostgreSQL-based, asyncio-native) turns the
same work into jobs any number of processes share:

- :mod:`.tasks`   what each job does, on plain newsbot objects
- :mod:`.app`     the procrastinate App: tasks, periodic ticks, retries, stalled-job recovery
- :mod:`.leader`  leader election through the database (one Telegram poller)
- :mod:`.process` ``newsbot run`` and ``newsbot worker`` on the engine

Only the store speaks SQL: the jobs written with outbox rows in the same
transaction, the lease table and the queries joining procrastinate's tables
live in :mod:`bot.store.jobs` and :mod:`bot.store.leases`. This package never
imports a chat SDK. docs/deployment.md says how to run it.
"""
