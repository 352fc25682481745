"""ce_credentials.next_nudge_due: when the credential's next milestone nudge becomes due (UTC,
NULL: none), indexed, so the dispatcher reads only the rows due now; filled for existing rows.

Revision ID: 0002_next_nudge_due
Revises: 0001_initial
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.migrations.reschedule import reschedule_all

revision = "0002_next_nudge_due"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

INDEX = "ix_ce_credentials_next_nudge_due"


#: How long a step may wait for a table lock (PostgreSQL): ADD COLUMN and CREATE INDEX need
#: ce_credentials' locks; waiting behind a long reader would queue every live replica's query
#: behind this migration. Past it the upgrade fails (and is retried on the next start).
LOCK_TIMEOUT = "5s"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    inspector = sa.inspect(op.get_bind())
    # a development database made by create_all from these models, before this revision,
    # has them already
    if "next_nudge_due" not in {c["name"] for c in inspector.get_columns("ce_credentials")}:
        op.add_column("ce_credentials",
                      sa.Column("next_nudge_due", sa.DateTime(), nullable=True))
    if INDEX not in {i["name"] for i in inspector.get_indexes("ce_credentials")}:
        op.create_index(INDEX, "ce_credentials", ["next_nudge_due"])
    reschedule_all(op.get_bind())


def downgrade() -> None:
    op.drop_index(INDEX, table_name="ce_credentials")
    op.drop_column("ce_credentials", "next_nudge_due")
