"""retention: anonymous events kept after erasure, job leases, users.last_seen_at

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "anonymous_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.BigInteger(), nullable=False),
        sa.Column("at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("partner_code", sa.String(length=64), nullable=True),
        sa.Column("rome", sa.String(length=8), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_events")),
    )
    with op.batch_alter_table("anonymous_events", schema=None) as batch_op:
        batch_op.create_index("ix_anonymous_events_kind_at", ["kind", "at"], unique=False)
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", storage.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    # Until now the last contact was not recorded: the last update of the row is the best guess.
    op.execute("UPDATE users SET last_seen_at = updated_at")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
    op.drop_table("job_leases")
    with op.batch_alter_table("anonymous_events", schema=None) as batch_op:
        batch_op.drop_index("ix_anonymous_events_kind_at")
    op.drop_table("anonymous_events")
