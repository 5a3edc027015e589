"""Alembic environment: runs on the connection egov hands over (see egov_cli.storage.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import egov_cli.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
