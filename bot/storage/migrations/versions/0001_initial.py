"""The schema as it was before migrations: users, turns, feedback, CE credentials and entries,
sent nudges (see :mod:`bot.storage.migrations.schema_0001`, a frozen copy of those tables).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from bot.storage.migrations import schema_0001

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema_0001.bring_up_to_0001(op.get_bind())


def downgrade() -> None:
    schema_0001.metadata.drop_all(op.get_bind())
