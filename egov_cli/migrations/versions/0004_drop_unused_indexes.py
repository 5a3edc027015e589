"""Drop indexes no query needs: service (level), (status), (topic); change_record (entity, entity_key)

Every write to a service or to the history kept these up to date (imports write both in bulk),
while the reports group over all services (a scan is as quick) and the history of a removed
service is looked up by key rarely and over few rows per entity. ``ix_change_level``
(entity_id, changed_at, old and new value of level updates) stays as it is: progress reads it
per service in index order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE_INDEXES = {
    "ix_service_level": ["level"],
    "ix_service_status": ["status"],
    "ix_service_topic": ["topic"],
}


def upgrade() -> None:
    for name in SERVICE_INDEXES:
        op.drop_index(name, table_name="service")
    op.drop_index("ix_change_entity_key", table_name="change_record")


def downgrade() -> None:
    op.create_index("ix_change_entity_key", "change_record", ["entity", "entity_key"])
    for name, columns in SERVICE_INDEXES.items():
        op.create_index(name, "service", columns)
