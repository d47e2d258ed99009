"""quota_events: uses of commands with a per-user quota, so quotas survive restarts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quota_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=160), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_events')),
    )
    op.create_index('ix_quota_events_subject_action_at', 'quota_events',
                    ['subject', 'action', 'at'], unique=False)
    op.create_index(op.f('ix_quota_events_at'), 'quota_events', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_quota_events_at'), table_name='quota_events')
    op.drop_index('ix_quota_events_subject_action_at', table_name='quota_events')
    op.drop_table('quota_events')
