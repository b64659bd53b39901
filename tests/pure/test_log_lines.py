"""The log lines a process writes, as `tremplin` sets the logging up (text or JSON)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from tremplin.logs import configure_logging

USER_ID = 7_412_345_678


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name in ("apscheduler.executors", "apscheduler.scheduler", "httpx"):
            logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_telegram_id_in_a_line_or_its_traceback(
    log_format: str, restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", log_format)
    log = logging.getLogger("telegram.ext.test")
    try:
        raise RuntimeError(f"Chat {USER_ID} not found")
    except RuntimeError:
        log.exception("could not answer %s", USER_ID)
    written = capsys.readouterr().err
    assert "could not answer" in written and "RuntimeError" in written
    assert str(USER_ID) not in written
    if log_format == "json":
        line = json.loads(written.strip())
        assert "Chat <id> not found" in line["exception"]
