"""The schema of revision ``0001_initial``, frozen: the tables exactly as
``Base.metadata.create_all`` made them before migrations existed (the release of November 2026),
including the columns that release added to older databases (:data:`ADDED_COLUMNS`).

It is a copy, not an import of :mod:`bot.storage.models`: the models go on changing, and each later
change is a migration of its own, while this revision must keep meaning the same tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

sa.Table(
    "users", metadata,
    sa.Column("id", sa.BigInteger(), primary_key=True),
    sa.Column("chat_id", sa.BigInteger()),
    sa.Column("first_name", sa.String(128)),
    sa.Column("status", sa.String(32)),
    sa.Column("setting", sa.String(32)),
    sa.Column("interests", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(2)),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("nudges_enabled", sa.Boolean(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)

sa.Table(
    "turns", metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("sources", sa.JSON(), nullable=False),
    sa.Column("followups", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
)

sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("turn_id", sa.Integer()),
    sa.Column("rating", sa.Integer(), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("sources", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("user_id", "turn_id", name="one_rating_per_turn"),
)

sa.Table(
    "ce_credentials", metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("credential", sa.String(32), nullable=False),
    sa.Column("expiration", sa.Date(), nullable=False),
    sa.Column("snoozed_until", sa.DateTime()),
    sa.Column("cycle_start", sa.Date(), nullable=True),
    sa.UniqueConstraint("user_id", "credential", name="one_row_per_credential"),
)

sa.Table(
    "ce_entries", metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("hours", sa.Float(), nullable=False),
    sa.Column("topic", sa.String(32), nullable=False),
    sa.Column("audience", sa.String(1), nullable=False),
    sa.Column("completed_on", sa.Date(), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("uan", sa.String(40)),
    sa.Column("delivery", sa.String(16)),
    sa.Column("tags", sa.String(300), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("deleted_at", sa.DateTime(), nullable=True),
    sqlite_autoincrement=True,
)

sa.Table(
    "sent_nudges", metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("credential", sa.String(32), nullable=False),
    sa.Column("expiration", sa.Date(), nullable=False),
    sa.Column("milestone", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("claimed_at", sa.DateTime(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=True),
    sa.Column("next_try_at", sa.DateTime(), nullable=True),
    sa.UniqueConstraint("user_id", "credential", "expiration", "milestone", name="nudge_once"),
)

#: Tables of revision 0001; a database holding any of them was made by the bot.
TABLES: frozenset[str] = frozenset(metadata.tables)

#: Columns added to existing tables after their first release, before migrations existed:
#: ``create_all`` never altered an existing table, so ``Storage.init`` added these where missing
#: (nullable, no default, so existing rows read as NULL). A database from before them is still
#: brought up to 0001 with them.
ADDED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ce_credentials", "cycle_start"),
    ("ce_entries", "tags"),
    ("ce_entries", "deleted_at"),
    ("sent_nudges", "attempts"),
    ("sent_nudges", "next_try_at"),
)


def add_missing_columns(conn: Connection) -> list[str]:
    """``ALTER TABLE ... ADD COLUMN`` for each of :data:`ADDED_COLUMNS` the database lacks;
    idempotent. Returns what it added ("table.column")."""
    inspector = sa.inspect(conn)
    added = []
    for table_name, column_name in ADDED_COLUMNS:
        existing = {c["name"] for c in inspector.get_columns(table_name)}
        if column_name in existing:
            continue
        column = metadata.tables[table_name].c[column_name]
        ddl_type = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE {table_name} ADD COLUMN {column_name} {ddl_type}"))
        added.append(f"{table_name}.{column_name}")
    return added


def bring_up_to_0001(conn: Connection) -> list[str]:
    """Make the database hold the 0001 schema, keeping what it holds: create the tables it
    lacks (all of them in an empty database), add the columns an older release's tables lack.
    Returns what it created or added."""
    existing = set(sa.inspect(conn).get_table_names())
    metadata.create_all(conn, checkfirst=True)
    created = sorted(TABLES - existing)
    added = add_missing_columns(conn) if existing & TABLES else []
    return created + added
