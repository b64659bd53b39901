"""operators' text versions: draft or published, with a comment

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("text_overrides") as batch:
        batch.add_column(
            sa.Column("state", sa.String(16), nullable=False, server_default="published")
        )
        batch.add_column(sa.Column("comment", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("text_overrides") as batch:
        batch.drop_column("comment")
        batch.drop_column("state")
