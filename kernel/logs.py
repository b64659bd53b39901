"""What the logs may say about people: nothing that identifies them.

Log lines never carry a Telegram id, a name or a message text. A user is named in a log line by a
short pseudonym (`pseudonym`), and `RedactIds` replaces any long number that still slips through
(an id inside a library's error message, a traceback) before a line is written. So nothing in the
logs points back at a person once /delete has erased their rows; the README says how long logs
are kept (30 days, by the log rotation of the host).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re

# Telegram user and chat ids are 5 to 16 digits (groups are negative); shorter numbers in logs
# (durations, counts, HTTP codes, row ids of a small database) stay readable.
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{5,}(?![\w.])")
# PostgreSQL's errors carry the offending values in their DETAIL line ("Failing row contains
# (…)", "Key (id)=(…) already exists"): a name or a message text can be among them.
_SERVER_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
REDACTED = "<id>"
RETENTION_DAYS = 30
# Drawn at each start and never stored: a pseudonym cannot be recomputed from an id later.
_KEY = os.urandom(16)


def pseudonym(user_id: int) -> str:
    """A short tag that tells one process's log lines of one user apart without naming them
    (keyed with a secret that dies with the process)."""
    digest = hashlib.blake2s(str(user_id).encode("ascii"), digest_size=4, key=_KEY)
    return "u-" + digest.hexdigest()


def redact(text: str) -> str:
    """The text with every long number (a Telegram id, most likely) and every database error's
    DETAIL line (which quotes the row's values) replaced."""
    return _LONG_NUMBER.sub(REDACTED, _SERVER_DETAIL.sub(r"\1 <values hidden>", text))


class RedactIds(logging.Filter):
    """A handler filter that takes long numbers out of the message and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        message = redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = message, None
        return True


def install(handlers: list[logging.Handler] | None = None) -> None:
    """Put the redaction on every root handler (or on `handlers`)."""
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        if not any(isinstance(f, RedactIds) for f in handler.filters):
            handler.addFilter(RedactIds())
