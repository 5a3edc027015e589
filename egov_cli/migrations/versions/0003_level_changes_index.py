"""Level changes by service: a partial covering index on change_record

Progress of targets reads every service's level updates (old and new value, when) in one pass;
this index holds exactly those rows and columns, so the table itself is not read. Its condition
is one expression (entity and field joined), which no other index serves: a query stating it
can only be answered from this index, also by SQLite's planner without table statistics.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVEL_CHANGES = "entity || ':' || field = 'service:level'"


def upgrade() -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_level",
            ["entity_id", "changed_at", "old_value", "new_value"],
            unique=False,
            sqlite_where=sa.text(LEVEL_CHANGES),
            postgresql_where=sa.text(LEVEL_CHANGES),
        )


def downgrade() -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.drop_index("ix_change_level")
