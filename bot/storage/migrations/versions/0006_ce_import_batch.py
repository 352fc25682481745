"""ce_entries.import_batch and ce_entries.provider: entries imported from a CPE Monitor
transcript carry the id of their import (NULL: logged by hand), so that Undo removes exactly that
import, and the activity's provider as the transcript gives it.

Revision ID: 0006_ce_import_batch
Revises: 0005_fleet_safety
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ce_import_batch"
down_revision = "0005_fleet_safety"
branch_labels = None
depends_on = None

INDEX = "ix_ce_entries_import_batch"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    # a development database made by create_all from these models has them already
    columns = {c["name"] for c in inspector.get_columns("ce_entries")}
    if "import_batch" not in columns:
        op.add_column("ce_entries", sa.Column("import_batch", sa.String(32), nullable=True))
    if "provider" not in columns:
        op.add_column("ce_entries", sa.Column("provider", sa.String(200), nullable=True))
    if INDEX not in {i["name"] for i in inspector.get_indexes("ce_entries")}:
        op.create_index(INDEX, "ce_entries", ["import_batch"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="ce_entries")
    op.drop_column("ce_entries", "provider")
    op.drop_column("ce_entries", "import_batch")
