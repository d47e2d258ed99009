"""why a chat is paused, as a kind the core can act on (bot.errors.GoneKind)

Chats paused before this revision only have ``inactive_reason`` prose. It is
read once here, with the wording newsbot used until now, so a chat paused
because the bot was removed still resumes when the bot is added back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (marker in the old reason, kind) in the order the old code matched them.
_OLD_REASONS = (
    ('blocked', 'blocked'),
    ('kicked', 'kicked'),
    ('removed', 'kicked'),
    ('not a member', 'not_a_member'),
    ('not_in_channel', 'not_a_member'),
    ('channel_private', 'not_a_member'),
    ('archived', 'archived'),
    ('have no rights to send', 'no_rights'),
    ('not enough rights to send', 'no_rights'),
    ('need administrator rights', 'no_rights'),
    ('chat not found', 'chat_not_found'),
    ('channel_not_found', 'chat_not_found'),
)


def upgrade() -> None:
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactive_kind', sa.String(length=32), nullable=True))
    chats = sa.table('chats', sa.column('id', sa.Integer), sa.column('active', sa.Boolean),
                     sa.column('inactive_reason', sa.Text), sa.column('inactive_kind', sa.String))
    conn = op.get_bind()
    paused = conn.execute(sa.select(chats.c.id, chats.c.inactive_reason)
                          .where(chats.c.active.is_(False))).all()
    for chat_id, reason in paused:
        low = (reason or '').lower()
        kind = next((k for marker, k in _OLD_REASONS if marker in low), None)
        if kind is not None:
            conn.execute(chats.update().where(chats.c.id == chat_id).values(inactive_kind=kind))


def downgrade() -> None:
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.drop_column('inactive_kind')
