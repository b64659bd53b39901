"""seen updates: a Telegram update delivered twice is handled once

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "seen_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seen_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_seen_updates")),
    )
    with op.batch_alter_table("seen_updates", schema=None) as batch_op:
        batch_op.create_index("ix_seen_updates_seen_at", ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_updates_seen_at")
    op.drop_table("seen_updates")
