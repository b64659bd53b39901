"""console search: the searchable words of each shared conversation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:10:00

The coaches' search looked for a word in every line of every candidate's conversation: 1.7 s at
5 million lines. The distinct words of each conversation a programme may read are now kept in one
row per person (`conversation_words`, kept up to date as lines arrive by
`journey.conversation`), with a trigram index on PostgreSQL where pg_trgm exists. The trigram
index over every conversation line (0007) is no longer read by anything; it went on costing every
logged line, so it goes. The rows are built here for the conversations shared so far.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.models.base
from migrations.apply import trigram_available

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

WORDS_INDEX = "ix_conversation_words_words_trgm"
LINES_INDEX = "ix_conversation_log_text_trgm"


def _trigram_available() -> bool:
    return trigram_available(op.get_bind())


def _backfill() -> None:
    # The words are built by the code that keeps them (one normalisation for both), from the
    # lines of people with a referral whose consent shares the conversation and stands.
    from journey.conversation import NOT_WITH_THE_BOT, words_of

    bind = op.get_bind()
    people = [
        int(row[0])
        for row in bind.execute(
            sa.text(
                "SELECT DISTINCT r.user_id FROM referrals r JOIN coach_consents c "
                "ON c.id = r.consent_id WHERE c.share_conversation AND c.withdrawn_at IS NULL"
            )
        )
    ]
    lines = sa.text(
        "SELECT text FROM conversation_log WHERE user_id = :user_id "
        "AND kind NOT IN :kinds"
    ).bindparams(sa.bindparam("kinds", expanding=True))
    table = sa.table(
        "conversation_words",
        sa.column("user_id", sa.BigInteger),
        sa.column("words", sa.Text),
        sa.column("updated_at", storage.models.base.UTCDateTime(timezone=True)),
    )
    for user_id in people:
        words: dict[str, None] = {}
        for (text,) in bind.execute(lines, {"user_id": user_id, "kinds": list(NOT_WITH_THE_BOT)}):
            words.update(dict.fromkeys(words_of(text or "")))
        bind.execute(
            table.insert().values(
                user_id=user_id,
                words="".join(f" {word} " for word in words),
                updated_at=datetime.now(UTC),
            )
        )


def upgrade() -> None:
    op.create_table(
        "conversation_words",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {LINES_INDEX}")
    if _trigram_available():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {WORDS_INDEX} ON conversation_words "
            "USING gin (words gin_trgm_ops)"
        )


def downgrade() -> None:
    if _trigram_available():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {LINES_INDEX} ON conversation_log "
            "USING gin (text gin_trgm_ops)"
        )
    op.drop_table("conversation_words")
