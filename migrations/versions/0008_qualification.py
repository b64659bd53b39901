"""qualification: users.qualification (highest diploma, optional) and users.interests (RIASEC)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualification", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("interests", sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("interests")
        batch_op.drop_column("qualification")
