"""History lookups by key: index change_record (entity, entity_key)

The history of a removed service is found by its LeiKa key; reports read it per entity.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.create_index("ix_change_entity_key", ["entity", "entity_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_record", schema=None) as batch_op:
        batch_op.drop_index("ix_change_entity_key")
