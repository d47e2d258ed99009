"""task engine: an index on procrastinate_jobs.lock for waiting and running jobs

procrastinate's fetch rejects a candidate job when another job with its lock
is running or queued before it (a ``NOT EXISTS`` per candidate). The pinned
version indexes ``(id, lock)`` for that, which a lookup by lock can only scan
whole: with 1,780 poll jobs waiting, one fetch cost 297 ms and 60,000 buffer
reads, and PostgreSQL sat at a full core while the workers idled
(bench/scale.py). Indexed by lock, the same fetch takes 7 ms. Upstream knows
the problem (procrastinate issues 393 and 1242); the index is ours and named
so, and harmless if a later procrastinate adds its own.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:20:00.000000
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEX = 'newsbot_procrastinate_jobs_lock_idx'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite never runs the engine
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON procrastinate_jobs (lock) "
               "WHERE status IN ('todo', 'doing')")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f'DROP INDEX IF EXISTS {INDEX}')
