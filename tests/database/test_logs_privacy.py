"""Logs keep no Telegram id, name or message text (issue 14 #7)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kernel import logs
from storage.engine import Database
from storage.models import User

USER_ID = 7_412_345_678
NAME = "Zoé-Marguerite"
SECRET_TEXT = "mon numéro est le 06 12 34 56 78"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger writing to a buffer through the production set-up (with redaction)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logs.install([handler])
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


async def test_sql_errors_do_not_carry_the_values_they_were_given(
    db: Database, captured: io.StringIO
) -> None:
    """hide_parameters: a failing insert's error and traceback show no name or text."""
    async with db.transaction() as session:
        session.add(User(id=USER_ID, chat_id=USER_ID, first_name=NAME))
    with pytest.raises(IntegrityError) as raised:
        async with db.transaction() as session:
            await session.execute(
                text("INSERT INTO users (id, chat_id, first_name) VALUES (:i, :c, :n)"),
                {"i": USER_ID, "c": USER_ID, "n": SECRET_TEXT},
            )
    assert SECRET_TEXT not in str(raised.value)
    logging.getLogger("tremplin.test").error("flow failed", exc_info=raised.value)
    written = captured.getvalue()
    assert "flow failed" in written and "IntegrityError" in written
    assert SECRET_TEXT not in written and NAME not in written
    assert str(USER_ID) not in written


def test_telegram_ids_never_reach_a_log_line(captured: io.StringIO) -> None:
    log = logging.getLogger("telegram.ext.test")
    log.warning("Chat %s not found", USER_ID)
    log.warning("chat_id=-100%d; update 12", USER_ID)
    try:
        raise RuntimeError(f"could not answer {USER_ID}")
    except RuntimeError:
        log.exception("handler error")
    written = captured.getvalue()
    assert str(USER_ID) not in written
    assert written.count(logs.REDACTED) == 3
    assert "update 12" in written  # short numbers stay readable


def test_a_user_is_named_by_a_pseudonym_that_cannot_be_recomputed_from_the_id() -> None:
    tag = logs.pseudonym(USER_ID)
    assert tag == logs.pseudonym(USER_ID) != logs.pseudonym(USER_ID + 1)
    assert str(USER_ID) not in tag and tag.startswith("u-")
