"""task engine: leader leases, and procrastinate's schema on PostgreSQL

``leases`` holds the roles one process has at a time (Telegram polling).
On PostgreSQL this revision also applies the schema of the installed
procrastinate (its jobs, workers, periodic-defer and event tables and
functions); SQLite never runs the engine, so it gets only ``leases``.
procrastinate is pinned to a minor version in pyproject.toml: moving to a new
one needs a revision here that runs the SQL migration files it ships
(docs/deployment.md, "Upgrading").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'leases',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('holder', sa.String(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_leases')),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        from procrastinate.schema import SchemaManager

        exists = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar()
        if exists is None:
            # the driver formats %-placeholders even without parameters
            bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    op.drop_table('leases')
    # procrastinate's tables are left alone: jobs may still be in them.
