"""A service keeps its own online-service details while it names no online procedure

City lists give e-payment, BayernPortal, BayernID/BundID and electronic submission per
service, without naming an online procedure. They were kept on a procedure of the service's
own, made for it: a row, a name and a create record per service (a list of 100,000 services
with e-payment for every third made 33,334 of them, and its import took a sixth longer). The
service now holds them itself, in columns named as the spreadsheet's (None: not stated).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The new columns of ``service``: name and type.
COLUMNS = (
    ("procedure_url", sa.String()),
    ("procedure_provision", sa.String()),
    ("procedure_bayernportal", sa.Boolean()),
    ("procedure_authentication", sa.String()),
    ("procedure_bayernid", sa.Boolean()),
    ("procedure_bundid", sa.Boolean()),
    ("procedure_epayment", sa.Boolean()),
    ("procedure_submits", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
