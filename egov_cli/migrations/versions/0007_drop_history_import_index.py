"""Drop change_record (import_id): no query reads the history by import

Every change record an import writes carried an entry into it (all of one import under one
key), about a tenth of importing 100,000 new services as departments write them
(``benchmarks/bench_import.py``), while no report, command or check looks records up by their
import: the history is read by service, by field and period, and by time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_change_record_import_id", table_name="change_record")


def downgrade() -> None:
    op.create_index("ix_change_record_import_id", "change_record", ["import_id"])
