"""the dashboard's tallies: pre-aggregated figures per rectangle of periods, backfilled

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = ("dashboard_tallies", "dashboard_values")


def upgrade() -> None:
    for name in TABLES:
        op.create_table(
            name,
            sa.Column("scope", sa.String(64), nullable=False),
            sa.Column("figure", sa.String(200), nullable=False),
            sa.Column("value", sa.Float(), nullable=False),
            sa.Column("a_lo", sa.Integer(), nullable=False),
            sa.Column("a_hi", sa.Integer(), nullable=False),
            sa.Column("b_lo", sa.Integer(), nullable=False),
            sa.Column("b_hi", sa.Integer(), nullable=False),
            sa.Column("n", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(
                "scope", "figure", "value", "a_lo", "a_hi", "b_lo", "b_hi", name=f"pk_{name}"
            ),
        )
    # Backfill from the events already recorded (and the anonymous copies of erased people's).
    # Imported here so that only this step depends on the application's code: it always
    # computes the current definitions.
    from kernel.tallies import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
