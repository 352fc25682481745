"""users.quiet_until: after a crisis reply, no renewal nudge reaches that user before this time
(UTC, NULL: none).

Revision ID: 0004_quiet_until
Revises: 0003_update_inbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_quiet_until"
down_revision = "0003_update_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a development database made by create_all from these models has it already
    if "quiet_until" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}:
        op.add_column("users", sa.Column("quiet_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "quiet_until")
