"""ix_change_level also holds entity and field, so that it covers the queries that state its
condition

Progress reads every service's level updates through ``ix_change_level``, whose condition is
``entity || ':' || field = 'service:level'``. SQLite checks a query's copy of that condition
on each row it reads, and without ``entity`` and ``field`` in the index it fetched every
row from the table to do so (one table lookup per level update). With both columns in the
index, the table is not read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVEL_CHANGES = "entity || ':' || field = 'service:level'"
COLUMNS = ["entity_id", "changed_at", "old_value", "new_value"]


def _create(columns: list[str]) -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_level",
            columns,
            unique=False,
            sqlite_where=sa.text(LEVEL_CHANGES),
            postgresql_where=sa.text(LEVEL_CHANGES),
        )


def _drop() -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.drop_index("ix_change_level")


def upgrade() -> None:
    _drop()
    _create([*COLUMNS, "entity", "field"])


def downgrade() -> None:
    _drop()
    _create(COLUMNS)
