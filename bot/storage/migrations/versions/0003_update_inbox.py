"""update_inbox: the updates webhook replicas received, each handled once (bot/service/inbox.py)

Revision ID: 0003_update_inbox
Revises: 0002_next_nudge_due

The table is written out here, not imported from :mod:`bot.service.inbox`: this revision must keep
meaning the same table while the model goes on changing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_update_inbox"
down_revision = "0002_next_nudge_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("update_inbox"):
        # made by create_all on a development database of this release, before this revision
        return
    op.create_table(
        "update_inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("replica", sa.String(64), nullable=True),
    )
    op.create_index("ix_update_inbox_chat", "update_inbox", ["chat_id", "update_id"])
    op.create_index("ix_update_inbox_state", "update_inbox", ["state", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_update_inbox_state", table_name="update_inbox")
    op.drop_index("ix_update_inbox_chat", table_name="update_inbox")
    op.drop_table("update_inbox")
