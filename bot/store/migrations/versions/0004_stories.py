"""stories: one story per event across outlets, its articles, and what each chat was given

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('outlet_count', sa.Integer(), nullable=False),
        sa.Column('outlets', sa.JSON(), nullable=False),
        sa.Column('centroid_sum', sa.LargeBinary(), nullable=True),
        sa.Column('term_sum', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stories')),
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_last_seen'), ['last_seen'], unique=False)
        batch_op.create_index(batch_op.f('ix_stories_updated_at'), ['updated_at'], unique=False)
    op.create_table(
        'story_articles',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('outlet', sa.String(length=512), nullable=False),
        sa.Column('published', sa.DateTime(timezone=True), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=True),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.Column('words', sa.JSON(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'],
                                name=op.f('fk_story_articles_article_id_articles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['story_id'], ['stories.id'],
                                name=op.f('fk_story_articles_story_id_stories'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('article_id', name=op.f('pk_story_articles')),
    )
    with op.batch_alter_table('story_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_articles_story_id'), ['story_id'], unique=False)
    op.create_table(
        'chat_stories',
        sa.Column('chat_id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.Column('updated_digest_id', sa.Integer(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['chat_id'], ['chats.id'],
                                name=op.f('fk_chat_stories_chat_id_chats'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['story_id'], ['stories.id'],
                                name=op.f('fk_chat_stories_story_id_stories'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['digest_id'], ['digests.id'],
                                name=op.f('fk_chat_stories_digest_id_digests'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['updated_digest_id'], ['digests.id'],
                                name=op.f('fk_chat_stories_updated_digest_id_digests'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('chat_id', 'story_id', name=op.f('pk_chat_stories')),
    )


def downgrade() -> None:
    op.drop_table('chat_stories')
    with op.batch_alter_table('story_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_articles_story_id'))
    op.drop_table('story_articles')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stories_updated_at'))
        batch_op.drop_index(batch_op.f('ix_stories_last_seen'))
    op.drop_table('stories')
