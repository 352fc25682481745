"""update_inbox.owner, and the asked_questions table.

update_inbox.owner: the token of the drainer handling the row (NULL: none yet). Marking the row
as sent and settling it are conditional on it, so a drainer whose chat lock was lost (its
PostgreSQL backend died) stops instead of answering beside the replica that took the chat over.

A nullable column without a default: on PostgreSQL a catalog change, no table rewrite. The
migration sets ``lock_timeout`` first, so during a rolling upgrade it fails fast (and the
replica retries on its next start) rather than queueing live replicas behind its lock.

asked_questions: the private questions admitted in the last minute, by a hash of the user id,
for the question limit across replicas (a /forget does not reset it). New and empty: its
indexes are built with the table, so nothing waits on them.

Revision ID: 0005_fleet_safety
Revises: 0004_quiet_until
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_fleet_safety"
down_revision = "0004_quiet_until"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL lock_timeout = '5s'")
    # a development database made by create_all from these models has it already
    if "owner" not in {c["name"] for c in sa.inspect(bind).get_columns("update_inbox")}:
        op.add_column("update_inbox", sa.Column("owner", sa.String(32), nullable=True))
    if "asked_questions" not in sa.inspect(bind).get_table_names():
        op.create_table(
            "asked_questions",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("asker", sa.String(64), nullable=False),
            sa.Column("asked_at", sa.DateTime(), nullable=False),
        )
        op.create_index("ix_asked_questions_asker", "asked_questions", ["asker", "asked_at"])
        op.create_index("ix_asked_questions_asked_at", "asked_questions", ["asked_at"])
    # each nudge tick settles stale "sending" claims: by index, not by scanning sent_nudges
    if "ix_sent_nudges_status_claimed_at" not in {
            i["name"] for i in sa.inspect(bind).get_indexes("sent_nudges")}:
        op.create_index("ix_sent_nudges_status_claimed_at", "sent_nudges",
                        ["status", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_sent_nudges_status_claimed_at", "sent_nudges")
    op.drop_table("asked_questions")
    op.drop_column("update_inbox", "owner")
