"""Logging of a Tremplin process: plain text by default, JSON lines with TREMPLIN_LOG_FORMAT=json.

A JSON line holds the time, level, logger and message, and the fields the bot adds to what it
logs about an update: `update_id`, `flow` (command, text, button…) and `duration_ms`. Nothing
else of the update is added: no message text, no names.

At INFO the log says what an operator needs: APScheduler's two lines for every run of every
job (the hand-over job runs every few seconds) go to DEBUG-only loggers, and so do httpx's
lines for every request.

Whatever the format, the handler carries `kernel.logs.RedactIds`: no Telegram id reaches a line,
in the message or in a traceback.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from kernel import logs

# Fields a record may carry in `extra=` that the JSON lines keep.
STRUCTURED_FIELDS = ("update_id", "flow", "duration_ms", "job", "worker")
QUIET_LOGGERS = ("apscheduler.executors", "apscheduler.scheduler", "httpx")


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON, with the structured fields it carries."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STRUCTURED_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_text:
            # The traceback as the redaction left it (`RedactIds` rewrites `exc_text`).
            line["exception"] = record.exc_text
        elif record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: str = "text") -> None:
    """Set up the root logger for the process (replacing handlers set before), with the
    redaction of ids on its handler."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    logs.install([handler])
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
