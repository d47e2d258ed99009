"""Alembic environment: runs migrations on the synchronous engine it is given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _sqlite_foreign_keys_off(conn: Connection) -> None:
    """SQLite: foreign keys off while migrating. Rebuilding a table (batch mode)
    drops the old one, which with foreign keys on deletes, by cascade, every
    row that references it. The pragma only takes effect outside a transaction,
    so this runs first; the caller must not reuse the connection afterwards
    (``Database.migrate`` disposes of its pool)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")


def _sqlite_check_foreign_keys(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys: "
                               f"{broken[:3]}")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves procrastinate's tables (the task engine's, applied by
    revision 0009) alone: they are not our models."""
    return not (name or "").startswith("procrastinate_")


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _sqlite_foreign_keys_off(connection)
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        _sqlite_check_foreign_keys(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _sqlite_foreign_keys_off(conn)
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=conn.dialect.name == "sqlite",
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        _sqlite_check_foreign_keys(conn)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()
