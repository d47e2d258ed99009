"""URLs as unbounded text, unique on their hash

A feed or entry link over 2,048 characters failed the whole poll batch on
PostgreSQL (``value too long for type character varying(2048)``). URLs are
now TEXT; uniqueness moves to ``feeds.url_hash`` and
``articles.canonical_url_hash`` (SHA-256 hex, see ``bot/store/bounds.py``),
which fit in a B-tree whatever the URL's length.

On SQLite the tables are rebuilt (batch mode). That is only safe with
foreign keys off (dropping the old table would otherwise cascade-delete the
rows that reference it), which ``migrations/env.py`` does for every SQLite
run; this migration refuses to run otherwise.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:30:00.000000
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, url column, hash column, old unique constraint, other URL columns)
_TABLES = (
    ('feeds', 'url', 'url_hash', 'uq_feeds_url', ('site_url',)),
    ('articles', 'canonical_url', 'canonical_url_hash', 'uq_articles_canonical_url', ('url',)),
)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode('utf-8')).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    _foreign_keys_off(conn)
    for table, url_col, hash_col, old_unique, others in _TABLES:
        op.add_column(table, sa.Column(hash_col, sa.String(length=64), nullable=True))
        t = sa.table(table, sa.column('id', sa.Integer), sa.column(url_col, sa.Text),
                     sa.column(hash_col, sa.String))
        rows = conn.execute(sa.select(t.c.id, t.c[url_col])).all()
        if rows:
            conn.execute(
                t.update().where(t.c.id == sa.bindparam('row_id'))
                .values({hash_col: sa.bindparam('digest')}),
                [{'row_id': row_id, 'digest': _sha256(url)} for row_id, url in rows],
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column(hash_col, existing_type=sa.String(length=64), nullable=False)
            batch.create_unique_constraint(f'uq_{table}_{hash_col}', [hash_col])
            batch.drop_constraint(old_unique, type_='unique')
            for col in (url_col, *others):
                batch.alter_column(col, type_=sa.Text(), existing_type=sa.String(length=2048))


def downgrade() -> None:
    _foreign_keys_off(op.get_bind())
    for table, url_col, hash_col, old_unique, others in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            for col in (url_col, *others):
                batch.alter_column(col, type_=sa.String(length=2048), existing_type=sa.Text(),
                                   postgresql_using=f'left({col}, 2048)')
            batch.create_unique_constraint(old_unique, [url_col])
            batch.drop_constraint(f'uq_{table}_{hash_col}', type_='unique')
            batch.drop_column(hash_col)


def _foreign_keys_off(conn: sa.Connection) -> None:
    """Refuse to rebuild SQLite tables with foreign keys on (see the docstring)."""
    if conn.dialect.name == 'sqlite' and conn.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('migration 0006 rebuilds tables and needs SQLite foreign keys off; '
                           'run it through newsbot (bot/store/migrations/env.py turns them off)')
