"""digest layout per chat, followed and muted topics, per-subscription keyword filters,
articles' lead image

``chats.layout`` (brief | full | headlines) defaults to ``brief`` for every
chat, the new default layout of scheduled digests. ``chat_topics`` holds the
words a chat follows or mutes; ``subscriptions.include_words`` /
``exclude_words`` filter one feed for one chat; ``articles.image_url`` is the
lead image a page declares (``og:image``); ``chats.digest_wanted_at`` marks a
/digest asked for while the first stories were still being read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sa.String(length=16), nullable=False,
                                      server_default='brief'))
        batch_op.add_column(sa.Column('digest_wanted_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_url', sa.String(length=2048), nullable=True))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('include_words', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('exclude_words', sa.String(length=512), nullable=True))
    op.create_table(
        'chat_topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['chats.id'],
                                name=op.f('fk_chat_topics_chat_id_chats'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_topics')),
        sa.UniqueConstraint('chat_id', 'kind', 'topic', name=op.f('uq_chat_topics_chat_id')),
    )
    with op.batch_alter_table('chat_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_topics_chat_id'), ['chat_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chat_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_topics_chat_id'))
    op.drop_table('chat_topics')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('exclude_words')
        batch_op.drop_column('include_words')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('image_url')
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.drop_column('digest_wanted_at')
        batch_op.drop_column('layout')
