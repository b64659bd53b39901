"""console search: trigram indexes for searching conversations (PostgreSQL with pg_trgm)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:40:00

The coaches' search looks for words anywhere in the consented conversations (`ILIKE '%word%'`).
On PostgreSQL, trigram GIN indexes let it read only the matching lines instead of every line of
every candidate user. They exist only where the pg_trgm extension can be installed; elsewhere (and
on SQLite) the search still works, by scanning. They are not in the models: see
`migrations.apply.SEARCH_INDEXES`.
"""

from __future__ import annotations

from alembic import op

from migrations.apply import trigram_available

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

INDEXES = (
    ("ix_conversation_log_text_trgm", "conversation_log"),
    ("ix_referral_messages_text_trgm", "referral_messages"),
)


def _trigram_available() -> bool:
    return trigram_available(op.get_bind())


def upgrade() -> None:
    if not _trigram_available():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
